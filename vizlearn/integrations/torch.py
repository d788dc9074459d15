"""PyTorch: a module's parameters as numpy arrays for ``Recorder.record``.

>>> rec = vl.Recorder()                                      # doctest: +SKIP
>>> for step in range(1000):                                 # doctest: +SKIP
...     loss = loss_fn(model(x), t); opt.zero_grad(); loss.backward(); opt.step()
...     rec.record(step, loss=loss)                          # a tensor is fine
...     if step % 100 == 0:
...         rec.record(step, params=torch_params(model))     # W1, b1, W2, b2

``names="book"`` numbers the layers that own parameters in the order
``named_modules()`` lists them: ``nn.Linear`` gives ``W1`` (stored as
(in, out), the book's ``x @ W + b``, i.e. PyTorch's weight transposed) and
``b1``; batch/layer norms give ``gamma``/``beta`` of the same number; any other
parameter keeps its own name plus the number. ``names="path"`` keeps PyTorch's
names (``0.weight``) and shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from vizlearn.integrations.naming import book_names, check_naming

__all__ = ["torch_params"]

_ROLES = {"weight": "W", "bias": "b"}
_NORM_ROLES = {"weight": "gamma", "bias": "beta"}


def torch_params(module: Any, *, names: str = "book") -> dict[str, NDArray]:
    """Copies of ``module``'s parameters (detached, on the CPU, float64)."""
    check_naming(names)
    if names == "path":
        return {k: _numpy(p) for k, p in module.named_parameters()}
    layers = []
    for path, sub in module.named_modules():
        own = list(sub.named_parameters(recurse=False))
        if not own:
            continue
        kind = type(sub).__name__
        roles = _NORM_ROLES if "Norm" in kind else _ROLES
        params = {}
        for name, p in own:
            value = _numpy(p)
            if kind == "Linear" and name == "weight":
                value = value.T  # (out, in) -> the book's (in, out)
            params[roles.get(name, name)] = value
        layers.append((path, params))
    return book_names(layers)


def _numpy(param: Any) -> NDArray:
    return np.array(param.detach().cpu().numpy(), dtype=np.float64)

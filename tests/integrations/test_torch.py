"""A 20-line PyTorch loop recorded with torch_params draws like vizlearn's lesson."""

from __future__ import annotations

import numpy as np
import pytest

import vizlearn as vl
from tests.integrations.conftest import assert_draws_like_the_lesson, sin_data

torch = pytest.importorskip(
    "torch", reason="PyTorch not installed (pip install torch==2.13.0, CPU build)"
)
from vizlearn.integrations.torch import torch_params  # noqa: E402


def _sin_net():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Linear(1, 10), torch.nn.Sigmoid(), torch.nn.Linear(10, 1)
    )


def test_a_20_line_loop_draws_like_the_lesson(lesson_trace, tmp_path):
    data = sin_data()
    x, t, grid = (
        torch.tensor(data[k], dtype=torch.float32) for k in ("x", "t", "grid")
    )
    model = _sin_net()
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    rec = vl.Recorder(meta={"lesson": "torch-sin"}, data={"x": x, "t": t, "grid": grid})
    iters, every = 100, 25
    for i in range(iters + 1):
        loss = torch.nn.functional.mse_loss(model(x), t)
        if i < iters:
            rec.record(i, loss=loss)  # a tensor that requires grad
        if i % every == 0:
            outputs = {"curve": model(grid), "fit": model(x), "loss": loss}
            rec.record(i, params=torch_params(model), outputs=outputs)
        if i < iters:
            opt.zero_grad()
            loss.backward()
            opt.step()
    trace = rec.freeze()
    assert trace.steps.tolist() == [0, 25, 50, 75, 100]
    assert trace.loss[-1] < trace.loss[0]
    assert_draws_like_the_lesson(trace, lesson_trace, tmp_path)


def test_book_names_transpose_linear_weights_and_paths_keep_torch_names():
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 4),
        torch.nn.BatchNorm1d(4),
        torch.nn.ReLU(),
        torch.nn.Linear(4, 2),
    )
    book = torch_params(model)
    assert list(book) == ["W1", "b1", "gamma1", "beta1", "W2", "b2"]
    assert book["W1"].shape == (3, 4) and book["W2"].shape == (4, 2)
    np.testing.assert_array_equal(book["W1"], model[0].weight.detach().numpy().T)
    path = torch_params(model, names="path")
    assert list(path)[:2] == ["0.weight", "0.bias"] and path["0.weight"].shape == (4, 3)
    with pytest.raises(ValueError, match="names must be one of book, path"):
        torch_params(model, names="keras")


def test_parameters_are_copies_not_views():
    model = _sin_net()
    before = torch_params(model)["W1"].copy()
    with torch.no_grad():
        model[0].weight.add_(1.0)
    assert (torch_params(model)["W1"] == before + 1).all()  # copies, not views

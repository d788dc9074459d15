"""The book's ``SimpleConvNet``: conv - ReLU - pool - affine - ReLU - affine.

"Deep Learning from Scratch" ch. 7 (``ch07/simple_convnet.py``): 30 filters of
5 x 5 (pad 0, stride 1), 2 x 2 max pooling with stride 2, 100 hidden units, 10
outputs, every weight drawn as 0.01 * randn and every bias 0. The parameters
carry the book's names W1, b1 (the filters), W2, b2, W3, b3.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from vizlearn.core.conv import Convolution, Pooling, conv_output_size, max_pool
from vizlearn.core.layers import Linear, Parameter, ReLU

__all__ = ["SimpleConvNet"]

Array = NDArray[np.floating]

EVAL_CHUNK = 100
"""Images per forward pass in evaluation mode (the book's ``accuracy`` uses 100 too):
memory stays bounded, and the column matrix stays in cache (2x faster than 500)."""


class SimpleConvNet:
    """The book's convolutional net, with ``forward``/``backward``/``params()``.

    Parameters
    ----------
    input_dim
        ``(C, H, W)`` of one image; inputs may come flat (``(N, C H W)`` rows, as
        the MNIST loader gives them) and are reshaped inside.
    filter_num, filter_size, pad, stride
        The convolution (the book's ``conv_param``).
    hidden_size, output_size
        Units of the two affine layers.
    weight_std
        Std of every initial weight (W ~ std * randn, b = 0).
    rng
        The generator the weights are drawn from (W1, W2, W3 in that order).
    """

    def __init__(
        self,
        input_dim: tuple[int, int, int] = (1, 28, 28),
        *,
        filter_num: int = 30,
        filter_size: int = 5,
        pad: int = 0,
        stride: int = 1,
        hidden_size: int = 100,
        output_size: int = 10,
        weight_std: float = 0.01,
        rng: np.random.Generator,
        dtype: type = np.float64,
    ) -> None:
        C, H, W = self.input_dim = tuple(int(v) for v in input_dim)
        OH = conv_output_size(H, filter_size, stride, pad)
        OW = conv_output_size(W, filter_size, stride, pad)
        pooled = filter_num * (OH // 2) * (OW // 2)

        def draw(*shape: int) -> Array:
            return (weight_std * rng.standard_normal(shape)).astype(dtype)

        W1 = draw(filter_num, C, filter_size, filter_size)
        self.conv = Convolution(W1, np.zeros(filter_num, dtype), stride, pad)
        self.relu1, self.pool = ReLU(), Pooling(2, 2, stride=2)
        self.affine1 = Linear(draw(pooled, hidden_size), np.zeros(hidden_size, dtype))
        self.relu2 = ReLU()
        self.affine2 = Linear(
            draw(hidden_size, output_size), np.zeros(output_size, dtype)
        )
        for i, layer in enumerate((self.conv, self.affine1, self.affine2), 1):
            layer.W.name, layer.b.name = f"W{i}", f"b{i}"
        self.training = True
        self._pool_shape: tuple[int, ...] = ()
        self._x_shape: tuple[int, ...] = ()

    def params(self) -> dict[str, Parameter]:
        """The parameters by name: W1, b1, W2, b2, W3, b3."""
        layers = (self.conv, self.affine1, self.affine2)
        return {p.name: p for layer in layers for p in layer.params()}

    def cleargrads(self) -> None:
        """Forget the gradients of the last backward pass."""
        for p in self.params().values():
            p.grad = None

    def features(self, x: Array) -> tuple[Array, Array]:
        """The convolution's output and the pooled maps for ``x``: (conv, pool)."""
        conv = self.conv.forward(self._images(x))
        return conv, self._pooled(conv)

    def forward(self, x: Array) -> Array:
        """Return the scores ``(N, output_size)`` for images ``x``.

        In evaluation mode (``training = False``) the images go through in
        chunks of ``EVAL_CHUNK``, so the column matrix of a whole test set is
        never built at once.
        """
        if not self.training and len(x) > EVAL_CHUNK:
            chunks = [
                self._scores(x[i : i + EVAL_CHUNK])
                for i in range(0, len(x), EVAL_CHUNK)
            ]
            self._x_shape = ()  # no backward after a chunked pass
            return np.concatenate(chunks)
        return self._scores(x)

    __call__ = forward

    def _images(self, x: Array) -> Array:
        return x.reshape(len(x), *self.input_dim)

    def _pooled(self, conv: Array) -> Array:
        """ReLU, then 2 x 2 max pooling of the convolution's output.

        The two commute (the maximum of rectified values is the rectified
        maximum, and the gradient reaches the same input either way), so ReLU
        runs on the 4x smaller pooled maps; evaluation skips the bookkeeping
        of where each maximum was.
        """
        pooled = self.pool.forward(conv) if self.training else max_pool(conv, 2, 2, 2)
        return self.relu1.forward(pooled)

    def _scores(self, x: Array) -> Array:
        self._x_shape = x.shape
        h = self._pooled(self.conv.forward(self._images(x)))
        self._pool_shape = h.shape
        h = self.relu2.forward(self.affine1.forward(h.reshape(len(h), -1)))
        return self.affine2.forward(h)

    def backward(self, gy: Array, *, input_grad: bool = True) -> Array | None:
        """Backpropagate dL/dy; gradients land in ``params()``.

        Returns dL/dx in the shape ``x`` had, or None with ``input_grad=False``
        (training skips the col2im that only the input's gradient needs).
        """
        if not self._x_shape:
            raise RuntimeError("backward() needs a forward() in training mode first")
        g = self.affine2.backward(gy)
        g = self.affine1.backward(self.relu2.backward(g))
        g = self.pool.backward(self.relu1.backward(g.reshape(self._pool_shape)))
        gx = self.conv.backward(g, input_grad=input_grad)
        return gx.reshape(self._x_shape) if gx is not None else None

"""Convolution speed: vizlearn's im2col vs the book's loop im2col vs PyTorch CPU.

Three measurements, each side by side in one run, medians of ``--repeats``:

1. One ``Convolution`` forward + backward (the input's gradient included) on
   the shapes of ``SimpleConvNet``'s first layer (100 x 1 x 28 x 28 images, 30
   filters of 5 x 5) and on a 3-channel padded case (100 x 3 x 32 x 32, 16
   filters of 3 x 3, pad 1): vizlearn's ``as_strided`` im2col, the book-style
   im2col and col2im (``common/util.py``: Python loops over the filter window
   filling a zeroed 6-D array), and ``torch.nn.functional.conv2d`` with
   autograd.
2. One whole training step of ``SimpleConvNet`` (forward, softmax
   cross-entropy, backward, Adam) on a minibatch of 100, float32, against the
   same network and step in PyTorch.
3. One epoch on 8 000 MNIST images (accuracy and loss on the 8 000 training
   and 2 000 test images, 80 steps, the same again, as ``vizlearn animate cnn``
   does): vizlearn's ``train_classifier`` against the same loop in PyTorch,
   taking turns ``--epochs`` times.

Every side runs on one thread (``--threads``). PyTorch is skipped, with a note,
when it is not installed (``pip install torch==2.13.0``).

    python benchmarks/bench_conv.py [--repeats 30] [--threads 1] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(
    os.environ.get("VIZLEARN_MNIST_DIR", HERE.parents[1] / "shared/data/mnist")
)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--epochs", type=int, default=3, help="turns of part 3, each side")
    return p.parse_args()


def median_ms(fns, repeats: int, warmup: int = 3) -> list[float]:
    """Median wall time of each ``fn()`` in ms, the functions taking turns.

    Round-robin, so that every side sees the same load of a shared machine.
    """
    fns = [fn for fn in fns if fn is not None]
    for _ in range(warmup):
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for fn, own in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            own.append(time.perf_counter() - start)
    return [1000 * statistics.median(own) for own in times]


# --- the book's way: loops over the filter window (common/util.py) ------------


def book_im2col(x, FH, FW, stride, pad):
    """im2col as the book writes it: a zeroed 6-D array filled per filter offset."""
    import numpy as np

    N, C, H, W = x.shape
    OH, OW = (H + 2 * pad - FH) // stride + 1, (W + 2 * pad - FW) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, FH, FW, OH, OW), dtype=x.dtype)
    for dy in range(FH):
        for dx in range(FW):
            col[:, :, dy, dx] = img[
                :, :, dy : dy + stride * OH : stride, dx : dx + stride * OW : stride
            ]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * OH * OW, -1)


def book_col2im(col, shape, FH, FW, stride, pad):
    """col2im as the book writes it: an add per filter offset into a padded image."""
    import numpy as np

    N, C, H, W = shape
    OH, OW = (H + 2 * pad - FH) // stride + 1, (W + 2 * pad - FW) // stride + 1
    col = col.reshape(N, OH, OW, C, FH, FW).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros(
        (N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1), col.dtype
    )
    for dy in range(FH):
        for dx in range(FW):
            img[
                :, :, dy : dy + stride * OH : stride, dx : dx + stride * OW : stride
            ] += col[:, :, dy, dx]
    return img[:, :, pad : H + pad, pad : W + pad]


def book_conv_step(x, W, b, gy, stride, pad):
    """The book's Convolution.forward then .backward (dW, db and dx)."""
    FN, C, FH, FW = W.shape
    N, _, H, _ = x.shape
    OH = (H + 2 * pad - FH) // stride + 1
    col = book_im2col(x, FH, FW, stride, pad)
    col_W = W.reshape(FN, -1).T
    out = (col @ col_W + b).reshape(N, OH, -1, FN).transpose(0, 3, 1, 2)
    dout = gy.transpose(0, 2, 3, 1).reshape(-1, FN)
    db = dout.sum(axis=0)
    dW = (col.T @ dout).transpose(1, 0).reshape(FN, C, FH, FW)
    dx = book_col2im(dout @ col_W.T, x.shape, FH, FW, stride, pad)
    return out, dW, db, dx


# --- part 1: one convolution --------------------------------------------------


CASES = {
    "SimpleConvNet conv1: 100x1x28x28, 30 x 5x5": (
        (100, 1, 28, 28),
        (30, 1, 5, 5),
        1,
        0,
    ),
    "3 channels, padded: 100x3x32x32, 16 x 3x3, pad 1": (
        (100, 3, 32, 32),
        (16, 3, 3, 3),
        1,
        1,
    ),
}


def conv_layer(repeats: int, torch) -> None:
    import numpy as np

    print("1. Convolution forward + backward (float32, median ms)")
    print(
        f"   {'case':52} {'vizlearn':>9} {'book':>9} {'torch':>9}  book/viz  viz/torch"
    )
    rng = np.random.default_rng(0)
    for name, case in CASES.items():
        viz, book, tor = conv_case(case, rng, repeats, torch)
        ratio = f"{viz / tor:9.2f}" if tor else "      n/a"
        tor_text = f"{tor:9.2f}" if tor else "      n/a"
        print(
            f"   {name:52} {viz:9.2f} {book:9.2f} {tor_text}  {book / viz:8.2f} {ratio}"
        )


def conv_case(case, rng, repeats: int, torch) -> tuple[float, float, float | None]:
    """Median ms of (vizlearn, book, torch or None) for one case of ``CASES``."""
    import numpy as np

    from vizlearn.core.conv import Convolution

    xs, ws, stride, pad = case
    x = rng.standard_normal(xs).astype(np.float32)
    W = (0.1 * rng.standard_normal(ws)).astype(np.float32)
    b = np.zeros(ws[0], np.float32)
    layer = Convolution(W, b, stride, pad)
    gy = rng.standard_normal(layer.forward(x).shape).astype(np.float32)

    def ours():
        layer.forward(x)
        layer.backward(gy)

    def book():
        book_conv_step(x, W, b, gy, stride, pad)

    theirs = torch_conv(torch, x, W, b, gy, stride, pad) if torch else None
    times = median_ms([ours, book, theirs], repeats)
    return times[0], times[1], times[2] if theirs else None


def torch_conv(torch, x, W, b, gy, stride, pad):
    """A function doing conv2d forward + backward (input gradient included)."""
    tx = torch.from_numpy(x).requires_grad_(True)
    tW = torch.from_numpy(W.copy()).requires_grad_(True)
    tb = torch.from_numpy(b.copy()).requires_grad_(True)
    tgy = torch.from_numpy(gy)

    def step():
        out = torch.nn.functional.conv2d(tx, tW, tb, stride=stride, padding=pad)
        tx.grad = tW.grad = tb.grad = None
        out.backward(tgy)

    return step


# --- part 2: one training step ------------------------------------------------


def training_step(repeats: int, torch) -> None:
    import numpy as np

    from vizlearn.core import Adam, softmax_cross_entropy
    from vizlearn.core.convnet import SimpleConvNet

    rng = np.random.default_rng(0)
    x = rng.random((100, 784), dtype=np.float32)
    t = rng.integers(0, 10, 100)
    net = SimpleConvNet(rng=np.random.default_rng(0), dtype=np.float32)
    opt = Adam(0.001).setup(net)

    def ours():
        _, gy = softmax_cross_entropy(net.forward(x), t)
        net.backward(gy, input_grad=False)
        opt.update()

    print("\n2. SimpleConvNet training step, batch 100, float32 (median ms)")
    if torch is None:
        (viz,) = median_ms([ours], repeats)
        print(
            f"   vizlearn {viz:.2f}; torch: not installed (pip install torch==2.13.0)"
        )
        return
    net_t, opt_t, loss_fn = torch_net(torch)
    tx, tt = torch.from_numpy(x).reshape(-1, 1, 28, 28), torch.from_numpy(t)

    def theirs():
        loss = loss_fn(net_t(tx), tt)
        opt_t.zero_grad()
        loss.backward()
        opt_t.step()

    viz, tor = median_ms([ours, theirs], repeats)
    print(f"   vizlearn {viz:.2f}   torch {tor:.2f}   vizlearn/torch {viz / tor:.2f}x")


def torch_net(torch):
    nn = torch.nn
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 30, 5),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(4320, 100),
        nn.ReLU(),
        nn.Linear(100, 10),
    )
    with torch.no_grad():
        for p in net.parameters():
            p.normal_(0, 0.01) if p.dim() > 1 else p.zero_()
    return net, torch.optim.Adam(net.parameters(), lr=0.001), nn.CrossEntropyLoss()


# --- part 3: one epoch on 8 000 images ------------------------------------------


def epochs(data_dir: Path, rounds: int, torch) -> None:
    """Median seconds of one epoch, vizlearn and PyTorch taking turns."""
    from vizlearn.datasets.split import load_split

    print(
        f"\n3. one epoch on 8 000 MNIST images (80 steps, evaluation before and "
        f"after), median of {rounds} turns each"
    )
    if not data_dir.is_dir():
        print(f"   skipped: no MNIST in {data_dir} (--data-dir)")
        return
    split = load_split("mnist", data_dir=str(data_dir), split_from_test=8000)
    times: dict[str, list[float]] = {"vizlearn": [], "torch": []}
    accuracy: dict[str, float] = {}
    for _ in range(rounds):
        for name, run in (("vizlearn", viz_epoch), ("torch", torch_epoch)):
            if name == "torch" and torch is None:
                continue
            start = time.perf_counter()
            accuracy[name] = run(split, torch)
            times[name].append(time.perf_counter() - start)
    viz = statistics.median(times["vizlearn"])
    print(f"   vizlearn {viz:.2f} s/epoch (test accuracy {accuracy['vizlearn']:.4f})")
    if torch is None:
        print("   torch: not installed (pip install torch==2.13.0)")
        return
    tor = statistics.median(times["torch"])
    print(f"   torch    {tor:.2f} s/epoch (test accuracy {accuracy['torch']:.4f})")
    print(f"   vizlearn/torch {viz / tor:.2f}x")


def viz_epoch(split, torch) -> float:
    """One epoch of ``train_classifier`` (the cnn lesson's loop); test accuracy."""
    import numpy as np

    from vizlearn.core.convnet import SimpleConvNet
    from vizlearn.lessons.training import train_classifier

    net = SimpleConvNet(rng=np.random.default_rng(0), dtype=np.float32)
    trace = train_classifier(net, split, optimizer="adam", lr=0.001, iters=80, frames=2)
    return float(trace.metrics["test_acc"][-1])


def torch_epoch(split, torch) -> float:
    """The same epoch in PyTorch: evaluate, 80 Adam steps, evaluate."""
    import numpy as np

    net, opt, loss_fn = torch_net(torch)
    x_train = torch.from_numpy(split.x_train).reshape(-1, 1, 28, 28)
    x_test = torch.from_numpy(split.x_test).reshape(-1, 1, 28, 28)
    t_train, t_test = torch.from_numpy(split.t_train), torch.from_numpy(split.t_test)
    rng = np.random.default_rng(0)

    def evaluate() -> float:
        with torch.no_grad():
            for x, t in ((x_train, t_train), (x_test, t_test)):
                y = torch.cat([net(x[i : i + 500]) for i in range(0, len(x), 500)])
                loss_fn(y, t).item()
                acc = (y.argmax(1) == t).float().mean().item()
        return acc

    evaluate()
    for _ in range(80):
        idx = torch.from_numpy(rng.integers(0, len(x_train), 100))
        loss = loss_fn(net(x_train[idx]), t_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
    return evaluate()


def main() -> None:
    args = parse()
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    if any(os.environ.get(n) != str(args.threads) for n in names):
        # BLAS reads its thread count when numpy loads: set it, then start again
        env = {**os.environ, **dict.fromkeys(names, str(args.threads))}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    try:
        import torch

        torch.set_num_threads(args.threads)
        print(f"PyTorch {torch.__version__}, {args.threads} thread(s)")
    except ImportError:
        torch = None
        print(
            "PyTorch not installed: its columns are skipped (pip install torch==2.13.0)"
        )
    import numpy as np

    print(f"numpy {np.__version__}, {args.threads} thread(s), {args.repeats} repeats\n")
    conv_layer(args.repeats, torch)
    training_step(args.repeats, torch)
    epochs(args.data_dir, args.epochs, torch)


if __name__ == "__main__":
    main()

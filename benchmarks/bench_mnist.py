"""The book's MNIST loop: vizlearn vs a lean numpy loop, the matmul floor and PyTorch.

Every side trains 784-50-10 (sigmoid, W ~ 0.01 randn, b = 0) with SGD lr 0.1
on minibatches of 100 drawn with replacement, for 10 000 iterations, reading
the loss every iteration and measuring accuracy and loss on the 8 000 training
and 2 000 test images every epoch (80 iterations: 126 evaluations). Data
loading is excluded. Four columns, run alternately in each repeat (so a busy
moment of the shared machine hits all of them):

- ``vizlearn``: the lesson's own loop (``train_classifier``), recording,
  snapshots and histograms included;
- ``lean numpy``: the same training written the book's way in plain numpy
  (``TwoLayerNet``'s forward/gradient as functions of a dict of arrays, the
  loss taken from the forward pass the gradient uses, nothing recorded);
- ``floor``: only the matrix products those loops compute, the same number
  of them with the same shapes and layouts (five per iteration: two forward,
  dW2, dh, dW1; two per data set per evaluation), nothing else;
- ``torch``: the same loop in PyTorch CPU (skipped, with a note, when torch
  is not installed).

All are limited to ``--threads`` (default 1) BLAS / torch threads. Then the
memory and size of a whole ``vizlearn mnist`` run: peak resident memory of the
process (training and figure), and the size of its trace file.

    python benchmarks/bench_mnist.py [--data-dir DIR] [--repeats 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(
    os.environ.get("VIZLEARN_MNIST_DIR", HERE.parents[1] / "shared/data/mnist")
)
ITERS, BATCH, LR, HIDDEN = 10_000, 100, 0.1, 50
SIDES = ("vizlearn", "lean numpy", "floor", "torch")


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=1, help="threads for every side")
    p.add_argument("--iters", type=int, default=ITERS)
    p.add_argument("--skip-memory", action="store_true")
    p.add_argument("--skip-torch", action="store_true")
    return p.parse_args()


def eval_steps(n: int, iters: int) -> set[int]:
    """Iterations after which every side evaluates: 0, each epoch's end, the last."""
    per_epoch = max(1, -(-n // BATCH))
    return {*range(0, iters + 1, per_epoch), iters}


def vizlearn_run(split, iters: int) -> tuple[float, float]:
    """vizlearn's loop; returns (seconds, final test accuracy)."""
    import numpy as np

    from vizlearn.lessons.training import build_classifier, train_classifier

    model = build_classifier(split, hidden=HIDDEN, seed=0, dtype=np.float32)
    start = time.perf_counter()
    trace = train_classifier(model, split, lr=LR, batch_size=BATCH, iters=iters)
    return time.perf_counter() - start, float(trace.metrics["test_acc"][-1])


def lean_run(split, iters: int) -> tuple[float, float]:
    """The book's two-layer net in plain numpy; returns (seconds, test accuracy)."""
    import numpy as np

    rng = np.random.default_rng(0)
    f32 = np.float32
    net = {
        "W1": (0.01 * rng.standard_normal((784, HIDDEN))).astype(f32),
        "b1": np.zeros(HIDDEN, f32),
        "W2": (0.01 * rng.standard_normal((HIDDEN, 10))).astype(f32),
        "b2": np.zeros(10, f32),
    }

    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    def softmax(a):
        e = np.exp(a - a.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def predict(x):
        z1 = sigmoid(x @ net["W1"] + net["b1"])
        return z1, softmax(z1 @ net["W2"] + net["b2"])

    def cross_entropy(y, t):
        return -np.log(y[np.arange(len(t)), t] + 1e-7).mean()

    def gradient(x, t):
        z1, y = predict(x)
        loss = cross_entropy(y, t)
        dy = y.copy()
        dy[np.arange(len(t)), t] -= 1
        dy /= len(t)
        da1 = dy @ net["W2"].T * z1 * (1 - z1)
        return loss, {
            "W2": z1.T @ dy,
            "b2": dy.sum(axis=0),
            "W1": x.T @ da1,
            "b1": da1.sum(axis=0),
        }

    history = []

    def evaluate() -> None:
        for x, t in ((split.x_train, split.t_train), (split.x_test, split.t_test)):
            y = predict(x)[1]
            history.append((cross_entropy(y, t), (y.argmax(axis=1) == t).mean()))

    x_train, t_train = split.x_train, split.t_train
    n, evals, losses = len(x_train), eval_steps(len(x_train), iters), np.empty(iters)
    start = time.perf_counter()
    evaluate()
    for i in range(iters):
        idx = rng.integers(0, n, BATCH)  # the book's np.random.choice(n, BATCH)
        losses[i], grads = gradient(x_train[idx], t_train[idx])
        for key, g in grads.items():
            net[key] -= LR * g
        if i + 1 in evals:
            evaluate()
    return time.perf_counter() - start, float(history[-1][1])


def floor_run(split, iters: int) -> tuple[float, None]:
    """Only the matrix products of one run (same shapes, layouts); (seconds, None)."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = split.x_train[:BATCH].copy()
    W1 = (0.01 * rng.standard_normal((784, HIDDEN))).astype(np.float32)
    W2 = (0.01 * rng.standard_normal((HIDDEN, 10))).astype(np.float32)
    h = x @ W1
    gy = h @ W2
    sets = (split.x_train, split.x_test)
    evals = eval_steps(len(split.x_train), iters)
    start = time.perf_counter()
    for x_all in sets:
        x_all @ W1 @ W2
    for i in range(iters):
        h = x @ W1  # forward
        h @ W2
        h.T @ gy  # dW2
        dh = gy @ W2.T  # dh
        x.T @ dh  # dW1 (dx is never needed)
        if i + 1 in evals:
            for x_all in sets:
                x_all @ W1 @ W2
    return time.perf_counter() - start, None


def torch_run(split, iters: int) -> tuple[float, float]:
    """The same model and loop in PyTorch; returns (seconds, final test accuracy)."""
    import numpy as np
    import torch

    torch.manual_seed(0)
    x_train, t_train = torch.from_numpy(split.x_train), torch.from_numpy(split.t_train)
    x_test, t_test = torch.from_numpy(split.x_test), torch.from_numpy(split.t_test)
    net = torch.nn.Sequential(
        torch.nn.Linear(784, HIDDEN), torch.nn.Sigmoid(), torch.nn.Linear(HIDDEN, 10)
    )
    with torch.no_grad():
        for p in net.parameters():
            p.normal_(0, 0.01) if p.dim() == 2 else p.zero_()
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    n, evals = len(split.x_train), eval_steps(len(split.x_train), iters)
    losses, history = np.empty(iters), []

    def evaluate() -> None:
        with torch.no_grad():
            for x, t in ((x_train, t_train), (x_test, t_test)):
                y = net(x)
                history.append(
                    (loss_fn(y, t).item(), (y.argmax(1) == t).float().mean().item())
                )

    start = time.perf_counter()
    evaluate()
    for i in range(iters):
        idx = torch.from_numpy(rng.integers(0, n, BATCH))
        loss = loss_fn(net(x_train[idx]), t_train[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[i] = loss.item()
        if i + 1 in evals:
            evaluate()
    return time.perf_counter() - start, history[-1][1]


def memory_run(data_dir: Path, threads: int) -> tuple[float, int, float]:
    """Run ``vizlearn mnist`` in a child process: (peak RSS MB, trace bytes, seconds).

    Linux counts a child's memory before ``exec`` too (a forked copy of this
    process), so this runs before the data and torch are loaded here.
    """
    import resource

    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    env = {**os.environ, **dict.fromkeys(names, str(threads))}
    with tempfile.TemporaryDirectory() as tmp:
        trace = Path(tmp) / "run.npz"
        cmd = [sys.executable, "-m", "vizlearn", "mnist", "--data-dir", str(data_dir)]
        cmd += ["--split-from-test", "8000", "-q", "-o", str(Path(tmp) / "mnist.png")]
        cmd += ["--save-trace", str(trace)]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, env=env)
        seconds = time.perf_counter() - start
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return peak_kb / 1024, trace.stat().st_size, seconds


def report(results: dict[str, list[tuple[float, float | None]]], torch: str) -> None:
    """Print each side's median and runs, then the ratios that matter.

    A ratio is given two ways: of the medians, and the median of the ratios of
    the runs of one repeat (neighbours in time, so they saw the same load).
    """
    import numpy as np

    secs = {k: np.array([s for s, _ in v]) for k, v in results.items() if v}
    for name, t in secs.items():
        runs = ", ".join(f"{s:.2f}" for s in t)
        acc = results[name][-1][1]
        shown = f"; test accuracy {acc:.4f}" if acc is not None else ""
        print(f"  {name:10s} {np.median(t):6.2f} s  (runs {runs}{shown})")
    pairs = [("vizlearn", "floor", "<= 1.20"), ("vizlearn", "lean numpy", "< 1")]
    pairs += [("lean numpy", "floor", ""), ("vizlearn", "torch", torch)]
    print("  ratio                  of medians  median of paired runs")
    for a, b, note in pairs:
        if a in secs and b in secs:
            of_medians = np.median(secs[a]) / np.median(secs[b])
            paired = np.median(secs[a] / secs[b])
            label = f"{a} / {b}"
            print(f"  {label:22s} {of_medians:10.2f}  {paired:10.2f}   {note}")
    if "torch" not in secs:
        print("  torch not installed or skipped (pip install torch for that column)")


def main() -> None:
    args = parse()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)  # before numpy is imported
    from vizlearn.datasets.split import load_split

    if not args.skip_memory:  # first, while this process is small (see memory_run)
        peak, size, seconds = memory_run(args.data_dir, args.threads)
    split = load_split("mnist", data_dir=str(args.data_dir), split_from_test=8000)
    runners = {"vizlearn": vizlearn_run, "lean numpy": lean_run, "floor": floor_run}
    torch_version = ""
    try:
        if not args.skip_torch:
            import torch

            torch.set_num_threads(args.threads)
            torch_version = f"torch {torch.__version__}"
            runners["torch"] = torch_run
    except ImportError:
        pass
    print(
        f"MNIST 784-50-10, batch {BATCH}, {args.iters:,} iterations, accuracy every "
        f"epoch; {args.threads} thread(s); median of {args.repeats}, alternating"
    )
    results: dict[str, list] = {name: [] for name in runners}
    for _ in range(args.repeats):  # interleaved, so a busy moment hits every side
        for name, run in runners.items():
            results[name].append(run(split, args.iters))
    report(results, torch_version)
    if not args.skip_memory:
        print(
            f"vizlearn mnist (10 000 iterations + figure + trace): peak RSS "
            f"{peak:.0f} MB (limit 300), trace file {size / 1024:.0f} KiB, "
            f"{seconds:.1f} s"
        )


if __name__ == "__main__":
    sys.exit(main())

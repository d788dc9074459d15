"""The book's MNIST loop: vizlearn (numpy float32) vs the same loop in PyTorch CPU.

Both train 784-50-10 (sigmoid, W ~ 0.01 randn, b = 0) with SGD lr 0.1 on
minibatches of 100 drawn with replacement, for 10 000 iterations, reading the
loss every iteration and measuring accuracy and loss on the 8 000 training and
2 000 test images every epoch (80 iterations). Data loading is excluded on
both sides. vizlearn's side is the lesson's own loop (``train_classifier``),
recording included. Both are limited to ``--threads`` (default 1) threads.
PyTorch is skipped, with a note, when it is not installed.

Then the memory and size of a whole ``vizlearn mnist`` run: peak resident
memory of the process (training and figure), and the size of its trace file.

    python benchmarks/bench_mnist.py [--data-dir DIR] [--repeats 3] [--threads 1]
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
ITERS, BATCH, LR = 10_000, 100, 0.1


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=1, help="threads for both sides")
    p.add_argument("--iters", type=int, default=ITERS)
    p.add_argument("--skip-memory", action="store_true")
    return p.parse_args()


def numpy_run(split, iters: int) -> tuple[float, float]:
    """vizlearn's loop; returns (seconds, final test accuracy)."""
    import numpy as np

    from vizlearn.lessons.training import build_classifier, train_classifier

    model = build_classifier(split, hidden=50, seed=0, dtype=np.float32)
    start = time.perf_counter()
    trace = train_classifier(model, split, lr=LR, batch_size=BATCH, iters=iters)
    return time.perf_counter() - start, float(trace.metrics["test_acc"][-1])


def torch_run(split, iters: int) -> tuple[float, float]:
    """The same model and loop in PyTorch; returns (seconds, final test accuracy)."""
    import numpy as np
    import torch

    torch.manual_seed(0)
    x_train, t_train = torch.from_numpy(split.x_train), torch.from_numpy(split.t_train)
    x_test, t_test = torch.from_numpy(split.x_test), torch.from_numpy(split.t_test)
    net = torch.nn.Sequential(
        torch.nn.Linear(784, 50), torch.nn.Sigmoid(), torch.nn.Linear(50, 10)
    )
    with torch.no_grad():
        for p in net.parameters():
            p.normal_(0, 0.01) if p.dim() == 2 else p.zero_()
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    rng = np.random.default_rng(0)
    n, per_epoch = len(split.x_train), len(split.x_train) // BATCH
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
        if (i + 1) % per_epoch == 0 or i + 1 == iters:
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
        cmd = [
            sys.executable,
            "-m",
            "vizlearn",
            "mnist",
            "--data-dir",
            str(data_dir),
            "--split-from-test",
            "8000",
            "-q",
            "-o",
            str(Path(tmp) / "mnist.png"),
            "--save-trace",
            str(trace),
        ]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, env=env)
        seconds = time.perf_counter() - start
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return peak_kb / 1024, trace.stat().st_size, seconds


def main() -> None:
    args = parse()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)  # before numpy is imported
    import numpy as np

    from vizlearn.datasets.split import load_split

    if not args.skip_memory:  # first, while this process is small (see memory_run)
        peak, size, seconds = memory_run(args.data_dir, args.threads)
    split = load_split("mnist", data_dir=str(args.data_dir), split_from_test=8000)
    try:
        import torch

        torch.set_num_threads(args.threads)
        have_torch = f"torch {torch.__version__}"
    except ImportError:
        have_torch = None
    print(
        f"MNIST 784-50-10, batch {BATCH}, {args.iters:,} iterations, accuracy every "
        f"epoch; {args.threads} thread(s); median of {args.repeats}"
    )
    results: dict[str, list[tuple[float, float]]] = {"vizlearn": [], "torch": []}
    for _ in range(args.repeats):  # interleaved, so a busy moment hits both
        results["vizlearn"].append(numpy_run(split, args.iters))
        if have_torch:
            results["torch"].append(torch_run(split, args.iters))
    medians = {}
    for name, runs in results.items():
        if not runs:
            continue
        times = [s for s, _ in runs]
        medians[name] = float(np.median(times))
        each = ", ".join(f"{s:.2f}" for s in times)
        print(
            f"  {name:9s} {medians[name]:6.2f} s  (runs {each}; "
            f"test accuracy {runs[-1][1]:.4f})"
        )
    if have_torch:
        ratio = medians["vizlearn"] / medians["torch"]
        print(f"  ratio vizlearn / torch = {ratio:.2f}  (target <= 0.80; {have_torch})")
    else:
        print("  torch not installed: skipped (pip install torch for the comparison)")
    if not args.skip_memory:
        print(
            f"vizlearn mnist (10 000 iterations + figure + trace): peak RSS "
            f"{peak:.0f} MB (limit 300), trace file {size / 1024:.0f} KiB, "
            f"{seconds:.1f} s"
        )


if __name__ == "__main__":
    sys.exit(main())

"""Numerical gradient: vizlearn's vectorized central difference vs the book's loop.

The book's ``numerical_gradient`` perturbs one parameter at a time and runs
two full forward passes for each (2 x 39 760 for 784-50-10). By default this
script times that loop on ``--naive`` parameters spread over all tensors and
extrapolates to all of them (``--full`` times the whole loop instead: about a
minute). Both methods see the same float64 network and minibatch of 100 real
MNIST images; BLAS is limited to ``--threads`` (default 1) for both, so the
ratio measures the algorithms, not the thread pool. It also checks that the
two agree (exactness) and that the fast one matches backprop to 1e-6.

    python benchmarks/bench_numerical_grad.py [--data-dir DIR] [--full]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(
    os.environ.get("VIZLEARN_MNIST_DIR", HERE.parents[1] / "shared/data/mnist")
)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (both)")
    p.add_argument("--naive", type=int, default=400, help="parameters timed naively")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--full", action="store_true", help="time the whole naive loop")
    return p.parse_args()


def main() -> None:
    args = parse()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)  # before numpy is imported
    import numpy as np

    from vizlearn.core import MLP, softmax_cross_entropy
    from vizlearn.core.fastgrad import naive_numerical_gradients, numerical_gradients
    from vizlearn.datasets.mnist import load_mnist

    data = load_mnist(data_dir=args.data_dir, split_from_test=8000, dtype=np.float64)
    model = MLP((784, 50, 10), rng=np.random.default_rng(0))
    x, t = data.x_train[:100], data.t_train[:100]
    _, gy = softmax_cross_entropy(model.forward(x), t)
    model.backward(gy)
    exact = {k: p.grad.copy() for k, p in model.params().items()}

    fast_times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        fast = numerical_gradients(model, x, t)
        fast_times.append(time.perf_counter() - start)
    fast_s = float(np.median(fast_times))

    sizes = {k: p.data.size for k, p in model.params().items()}
    n_params = sum(sizes.values())
    if args.full:
        picked, measured = None, n_params
    else:
        picked, measured = _spread(sizes, args.naive)
    naive_times = []
    for _ in range(1 if args.full else 3):
        start = time.perf_counter()
        naive = naive_numerical_gradients(model, x, t, elements=picked)
        naive_times.append(time.perf_counter() - start)
    naive_s = float(np.median(naive_times)) / measured * n_params

    print(
        f"network 784-50-10 float64, batch 100, {n_params:,} parameters, "
        f"BLAS threads {args.threads}"
    )
    print(
        f"fast numerical gradient: median {fast_s * 1e3:8.1f} ms  "
        f"(runs: {', '.join(f'{s * 1e3:.0f}' for s in fast_times)} ms)"
    )
    how = (
        "timed in full"
        if args.full
        else (f"timed on {measured} parameters, extrapolated to {n_params:,}")
    )
    print(f"naive one-at-a-time loop: {naive_s:8.1f} s  ({how})")
    print(f"speedup: {naive_s / fast_s:,.0f}x  (target >= 150x)")
    for name, g in exact.items():
        rel = np.abs(fast[name] - g).max() / np.abs(g).max()
        norm = np.linalg.norm(fast[name] - g) / np.linalg.norm(g)
        print(
            f"  {name}: max |num - backprop| / max |backprop| = {rel:.2e}, "
            f"norm relative {norm:.2e}"
        )
    diff = max(
        np.nanmax(np.abs(naive[k] - fast[k]))
        for k in naive
        if np.isfinite(naive[k]).any()
    )
    print(f"fast vs naive loop, max |difference| on the timed parameters: {diff:.1e}")


def _spread(sizes: dict[str, int], count: int) -> tuple[dict, int]:
    """``count`` flat indices spread evenly over all tensors (each gets some)."""
    import numpy as np

    total = sum(sizes.values())
    flat = np.unique(np.linspace(0, total - 1, count).astype(np.int64))
    picked, start = {}, 0
    for name, size in sizes.items():
        inside = flat[(flat >= start) & (flat < start + size)] - start
        picked[name] = np.unique(np.concatenate([inside, [0, size - 1]]))
        start += size
    return picked, sum(len(v) for v in picked.values())


if __name__ == "__main__":
    sys.exit(main())

"""Chapter 6 at full size: vizlearn vs the book's way (``common/`` layers, ``ch06/``).

Two workloads, each timed on both sides in this one run, medians of
``--repeats`` (alternating, so both see the same machine load):

1. the weight-decay run of ``overfit_weight_decay.py``: 300 training images,
   six hidden layers of 100 ReLU units (He init), lambda 0.1, SGD lr 0.01,
   minibatches of 100, 201 epochs (603 updates), train and test accuracy after
   every epoch (on the 300 and on the 2 000 test images);
2. the 100-trial random search of ``hyperparameter_optimization.py``: 500
   images (400 train, 100 validation), 50 epochs per trial (200 updates,
   50 evaluations), lr = 10^U(-6, -2), weight decay = 10^U(-8, -4).

The reference is written here the way the book writes it (not copied): a
network that keeps its parameters in a dict of arrays, ``Affine``/``Relu``/
``SoftmaxWithLoss`` layer objects in an OrderedDict, ``gradient()`` returning a
dict with the weight-decay term, ``SGD.update(params, grads)``, and the book's
``Trainer`` loop (``np.random.choice`` minibatches, accuracy every
``iter_per_epoch`` iterations); weights drawn with ``np.random.randn``, so the
arithmetic is float64 as in the book. vizlearn runs its lessons: float32, one
BLAS thread per worker process, ``--workers 1`` and ``--workers 2`` (the search's
trials spread over the workers). The reference runs in this process with
``--ref-threads`` BLAS threads (default 1: the per-core comparison; the
book's script would use every core for its matrix products).

    python benchmarks/bench_ch6.py [--data-dir DIR] [--repeats 3] [--trials 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import OrderedDict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path(
    os.environ.get("VIZLEARN_MNIST_DIR", HERE.parents[1] / "shared/data/mnist")
)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--trials", type=int, default=100)
    p.add_argument("--epochs", type=int, default=201, help="weight-decay epochs")
    p.add_argument("--ref-threads", type=int, default=1)
    return p.parse_args()


ARGS = parse() if __name__ == "__main__" else None
if ARGS is not None:  # before numpy loads: its BLAS reads these once
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.ref_threads)

import numpy as np  # noqa: E402

# --- the reference, in the book's shape --------------------------------------------


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T


class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class SoftmaxWithLoss:
    def forward(self, x, t):
        x = x - x.max(axis=1, keepdims=True)
        self.y = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
        self.t = t
        n = len(t)
        return -np.sum(np.log(self.y[np.arange(n), t] + 1e-7)) / n

    def backward(self, dout=1):
        n = len(self.t)
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx / n


class BookNet:
    """The book's MultiLayerNet: params dict, OrderedDict of layers, weight decay."""

    def __init__(self, sizes, weight_decay_lambda=0.0):
        self.params, self.lam = {}, weight_decay_lambda
        self.n = len(sizes) - 1
        for i in range(1, self.n + 1):
            scale = np.sqrt(2.0 / sizes[i - 1])  # He
            self.params[f"W{i}"] = scale * np.random.randn(sizes[i - 1], sizes[i])
            self.params[f"b{i}"] = np.zeros(sizes[i])
        self.layers = OrderedDict()
        for i in range(1, self.n + 1):
            self.layers[f"Affine{i}"] = Affine(
                self.params[f"W{i}"], self.params[f"b{i}"]
            )
            if i < self.n:
                self.layers[f"Relu{i}"] = Relu()
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        decay = sum(
            0.5 * self.lam * np.sum(self.params[f"W{i}"] ** 2)
            for i in range(1, self.n + 1)
        )
        return self.last_layer.forward(self.predict(x), t) + decay

    def accuracy(self, x, t):
        return float(np.mean(self.predict(x).argmax(axis=1) == t))

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for i in range(1, self.n + 1):
            affine = self.layers[f"Affine{i}"]
            grads[f"W{i}"] = affine.dW + self.lam * self.params[f"W{i}"]
            grads[f"b{i}"] = affine.db
        return grads


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]


def book_trainer(network, x_train, t_train, x_test, t_test, epochs, lr, batch=100):
    """The book's Trainer loop: returns (train accuracies, test accuracies)."""
    optimizer = SGD(lr)
    train_size = len(x_train)
    iter_per_epoch = max(train_size / batch, 1)
    train_acc, test_acc = [], []
    for i in range(int(epochs * iter_per_epoch)):
        mask = np.random.choice(train_size, batch)
        grads = network.gradient(x_train[mask], t_train[mask])
        optimizer.update(network.params, grads)
        network.loss(x_train[mask], t_train[mask])  # the Trainer records it
        if i % iter_per_epoch == 0:
            train_acc.append(network.accuracy(x_train, t_train))
            test_acc.append(network.accuracy(x_test, t_test))
    return train_acc, test_acc


SIZES = [784, 100, 100, 100, 100, 100, 100, 10]


def reference_weight_decay(split, epochs):
    np.random.seed(0)
    x, t = split.x_train[:300], split.t_train[:300]
    net = BookNet(SIZES, weight_decay_lambda=0.1)
    train, test = book_trainer(net, x, t, split.x_test, split.t_test, epochs, 0.01)
    return train[-1], test[-1]


def reference_search(split, trials):
    np.random.seed(0)
    x, t = split.x_train[:500], split.t_train[:500]
    order = np.random.permutation(500)
    x, t = x[order], t[order]
    x_val, t_val, x_tr, t_tr = x[:100], t[:100], x[100:], t[100:]
    best = (0.0, 0.0, 0.0)
    for _ in range(trials):
        wd = 10 ** np.random.uniform(-8, -4)
        lr = 10 ** np.random.uniform(-6, -2)
        net = BookNet(SIZES, weight_decay_lambda=wd)
        _, val = book_trainer(net, x_tr, t_tr, x_val, t_val, 50, lr)
        best = max(best, (val[-1], lr, wd))
    return best


# --- vizlearn's side ----------------------------------------------------------------


def viz_weight_decay(data_dir, epochs, jobs, both):
    from vizlearn.lessons.weight_decay import LESSON

    if not both:  # the book's single run, in this process (one thread)
        from vizlearn.lessons.curve_trials import train_trial

        trace = train_trial(
            {
                "data_dir": str(data_dir),
                "split_from_test": 8000,
                "n_train": 300,
                "layers": 6,
                "weight_decay": 0.1,
                "epochs": epochs,
            }
        )
        return trace.metrics["train_acc"][-1], trace.metrics["test_acc"][-1]
    config = LESSON.make_config(
        data_dir=str(data_dir),
        split_from_test=8000,
        epochs=epochs,
        workers=jobs,
        frames=min(51, epochs + 1),
    )
    s = LESSON.summary(LESSON.run(config))["with"]
    return s["train_acc"], s["test_acc"]


def viz_search(data_dir, trials, jobs):
    from vizlearn.lessons.hyperparameter_search import LESSON

    config = LESSON.make_config(
        data_dir=str(data_dir), split_from_test=8000, trials=trials, workers=jobs
    )
    best = LESSON.summary(LESSON.run(config))["best"]
    return best["val_acc"], best["lr"], best["weight_decay"]


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def main() -> None:
    from vizlearn.datasets.split import load_split

    args = ARGS
    if not args.data_dir.is_dir():
        sys.exit(f"no MNIST at {args.data_dir} (--data-dir)")
    split = load_split(
        "mnist", data_dir=str(args.data_dir), split_from_test=8000, dtype=np.float32
    )
    wd, search = "weight decay", f"search {args.trials} trials"
    cases = {
        f"{wd}: book's way (float64)": (reference_weight_decay, split, args.epochs),
        f"{wd}: vizlearn, 1 net": (viz_weight_decay, args.data_dir, args.epochs, 1, 0),
        f"{wd}: vizlearn lesson (2 nets, --workers 2)": (
            viz_weight_decay, args.data_dir, args.epochs, 2, 1,
        ),
        f"{search}: book's way (float64)": (reference_search, split, args.trials),
        f"{search}: vizlearn --workers 1": (viz_search, args.data_dir, args.trials, 1),
        f"{search}: vizlearn --workers 2": (viz_search, args.data_dir, args.trials, 2),
    }  # fmt: skip
    times: dict[str, list[float]] = {k: [] for k in cases}
    results = {}
    for r in range(args.repeats):
        for name, (fn, *rest) in cases.items():
            seconds, results[name] = timed(fn, *rest)
            times[name].append(seconds)
            print(f"  [{r + 1}/{args.repeats}] {name}: {seconds:.1f} s", flush=True)
    print(f"\nmedians of {args.repeats} (reference BLAS threads: {args.ref_threads})")
    base = None
    for name in cases:
        median = float(np.median(times[name]))
        if "book's way" in name:
            base = median
        ratio = f"{median / base:.2f}x" if base else ""
        shown = ", ".join(f"{float(v):.4g}" for v in results[name])
        print(f"{name:55s} {median:8.1f} s  {ratio:>7s}   ({shown})")


if __name__ == "__main__":
    main()

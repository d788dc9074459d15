"""A network diagram drawn from real weights, following training.

Nodes in columns (one per layer), every edge coloured by the sign of its
weight and as wide as its size, every node filled by its activation for one
chosen input, at each snapshot of training. The lesson trains a network of its
own (``--dataset spiral``: DeZero step 48's 2-10-3 sigmoid net, SGD lr 1.0,
batches of 30, 300 epochs; ``sin``: DeZero step 43's 1-10-1 regression;
``mnist``: the book's 784-50-10), or draws the weights another lesson recorded:
``--trace run.npz`` of sin-regression, regression, boundary or any trace with
full matrices W1...Wn.

The trace keeps the parameters per snapshot (W1, b1, ...), the input
(``data["input"]``), each layer's output for it (``outputs["h0"]`` ...
``outputs["hn"]``) and the gradient of the loss at each layer's
pre-activation (``outputs["g1"]`` ... ``outputs["gn"]``), which the
``--pulse backward`` animation sends back through the net.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option
from vizlearn.lessons import options as o
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["NetworkConfig", "NetworkView", "DiagramView", "run", "LESSON"]

NAME = "network"
DATASETS = ("spiral", "sin", "mnist")
_OWN = {  # dataset -> sizes, activation, init, optimizer lr, batch, iterations
    "spiral": ((2, None, 3), "sigmoid", "xavier", 1.0, 30, 3000),
    "sin": ((1, None, 1), "sigmoid", "0.01", 0.2, 0, 10_000),
    "mnist": ((784, None, 10), "sigmoid", "0.01", 0.1, 100, 2000),
}


@dataclass(frozen=True)
class NetworkConfig(o.DataOptions, o.LessonConfig):
    """Which weights to draw: a network trained here, or another lesson's trace."""

    trace: str = option(
        "",
        "draw the W1...Wn of this trace (.npz of sin-regression, boundary, ...) "
        "instead of training",
        path="file",
        metavar="RUN.npz",
    )
    dataset: str = o.dataset("spiral", DATASETS, "what the net here learns")
    hidden: int = o.hidden(10)
    iterations: int = option(
        0,
        "training iterations (0: spiral 3000, sin 10000, mnist 2000)",
        low=0,
        high=10_000_000,
        flag="--iters",
    )
    frames: int = o.frames(30)
    input: int = option(0, "the example whose activations fill the nodes", low=0)
    seed: int = o.seed()

    @property
    def iters(self) -> int:
        """Iterations of the run (the dataset's default when ``--iters`` is 0)."""
        return self.iterations or _OWN[self.dataset][5]


@dataclass(frozen=True)
class DiagramView:
    """How the diagram is drawn."""

    max_nodes: int = option(
        12, "nodes drawn per layer; the rest collapse into '…'", low=2, high=200
    )
    direction: str = option(
        "LR", "layers left to right (LR) or top to bottom (TB)", choices=("LR", "TB")
    )
    clip: float = option(
        95.0, "edge width grows with |w| up to this percentile", low=1, high=100
    )


@dataclass(frozen=True)
class NetworkView(DiagramView):
    """The diagram, and what its frames show."""

    pulse: str = option(
        "none",
        "none: frames follow training; forward/backward: a signal sweeps through "
        "the trained net, layer by layer",
        choices=("none", "forward", "backward"),
    )


def signals(
    weights: list[Any], biases: list[Any], activation: str, x: Any, t: Any, task: str
) -> tuple[list[Any], list[Any]]:
    """Each layer's output for input ``x`` and the loss gradient at each pre-activation.

    ``h[0]`` is ``x``, ``h[-1]`` the output (scores); ``g[k]`` is dL/da of layer
    k + 1 for target ``t`` (softmax cross-entropy, or squared error).
    """
    import numpy as np

    from vizlearn.core import ACTIVATIONS, mean_squared_error, softmax_cross_entropy

    h, acts = [np.asarray(x, np.float64)[None]], []
    for k, (W, b) in enumerate(zip(weights, biases, strict=True)):
        a = h[-1] @ W + b
        if k < len(weights) - 1:
            act = ACTIVATIONS[activation]()
            h.append(act.forward(a))
            acts.append(act)
        else:
            h.append(a)
    loss = softmax_cross_entropy if task == "classification" else mean_squared_error
    _, g = loss(h[-1].copy(), np.asarray(t)[None])
    grads = [g]
    for k in range(len(weights) - 1, 0, -1):
        grads.insert(0, acts[k - 1].backward(grads[0] @ weights[k].T))
    return [v[0] for v in h], [v[0] for v in grads]


def _own_run(config: NetworkConfig, on_step: Callable | None) -> Trace:
    """Train the dataset's network with `fit`, probing the chosen input."""
    import numpy as np

    from vizlearn.core import MLP, SGD
    from vizlearn.core.samplers import SAMPLERS
    from vizlearn.datasets.toy import Dataset, sin_regression
    from vizlearn.fitting import fit, snapshot_steps
    from vizlearn.lessons.options import parse_weight_init
    from vizlearn.lessons.training import split_for
    from vizlearn.trace import Recorder

    sizes, activation, init, lr, batch, _ = _OWN[config.dataset]
    rng = np.random.default_rng(config.seed)
    if config.dataset == "sin":
        data, task = sin_regression(100, rng=rng), "regression"
    else:
        split = split_for(config, np.float64)
        data, task = Dataset(split.x_train, split.t_train), "classification"
        sizes = (split.n_inputs, None, split.n_classes)
    model = MLP(
        [sizes[0], config.hidden, sizes[2]],
        activation=activation,
        weight_std=parse_weight_init(init),
        rng=rng,
    )
    i = config.input % len(data.x)
    x, t = data.x[i], data.t[i]

    def probe(m: Any) -> dict[str, Any]:
        W = [lin.W.data for lin in m.linears]
        b = [lin.b.data for lin in m.linears]
        h, g = signals(W, b, activation, x, t, task)
        return {
            **{f"h{k}": v for k, v in enumerate(h)},
            **{f"g{k + 1}": v for k, v in enumerate(g)},
        }

    meta = {
        "lesson": NAME,
        "config": o.recorded(config),
        "seed": config.seed,
        "sizes": list(model.sizes),
        "activation": activation,
        "task": task,
        "source": config.dataset,
    }
    batches = SAMPLERS["epoch-shuffle"](len(data.x), batch, rng) if batch else None
    return fit(
        model,
        data,
        optimizer=SGD(lr),
        iters=config.iters,
        record_at=snapshot_steps(config.iters, config.frames),
        loss="softmax_cross_entropy" if task == "classification" else "mse",
        probe=probe,
        batches=batches,
        recorder=Recorder(meta=meta, data={"input": np.asarray(x, np.float64)}),
        on_step=on_step,
    )


def _chain(trace: Trace) -> tuple[list[Any], list[Any]]:
    """W1...Wn and b1...bn of a trace, checked to chain (ValueError otherwise)."""
    import numpy as np

    weights, biases, k = [], [], 1
    while f"W{k}" in trace.params:
        W = np.asarray(trace.params[f"W{k}"], np.float64)
        b = trace.params.get(f"b{k}")
        if W.ndim != 3 or (weights and W.shape[1] != weights[-1].shape[2]):
            raise ValueError(
                f"--trace: W{k} is not a full weight matrix per snapshot (mnist "
                "records a sample of weights); try a sin-regression or boundary trace"
            )
        b = np.zeros((len(W), W.shape[2])) if b is None else np.asarray(b, np.float64)
        weights.append(W)
        biases.append(b.reshape(len(W), W.shape[2]))
        k += 1
    if not weights:
        raise ValueError("--trace: the trace has no weights W1...Wn to draw")
    return weights, biases


def _example(other: Trace, i: int, n_in: int, n_out: int, task: str) -> tuple:
    """Input ``i`` of the other trace's data and its target (zeros if it has none)."""
    import numpy as np

    x, t = np.zeros(n_in), (0 if task == "classification" else np.zeros(n_out))
    xs, ts = other.data.get("x"), other.data.get("t")
    if xs is None or not len(xs):
        return x, t
    rows = np.asarray(xs, np.float64).reshape(len(xs), -1)
    if rows.shape[1] != n_in:
        return x, t
    i %= len(rows)
    if ts is not None and len(ts) == len(rows):
        target = np.asarray(ts)[i]
        t = int(target) if task == "classification" else np.reshape(target, n_out)
    return rows[i], t


def _from_trace(config: NetworkConfig) -> Trace:
    """Another lesson's weights, with the activations of one of its inputs."""
    from vizlearn.trace import Recorder, load_trace

    other = load_trace(config.trace)
    weights, biases = _chain(other)
    cfg = other.meta.get("config", {})
    activation = str(cfg.get("activation", "sigmoid"))
    if activation not in o.ACTIVATION_NAMES:
        activation = "sigmoid"
    classify = other.meta.get("task") == "classification"
    task = "classification" if classify else "regression"
    n_in, n_out = weights[0].shape[1], weights[-1].shape[2]
    x, t = _example(other, config.input, n_in, n_out, task)
    meta = {
        "lesson": NAME,
        "config": o.recorded(config),
        "seed": other.meta.get("seed", 0),
        "sizes": [n_in, *[W.shape[2] for W in weights]],
        "activation": activation,
        "task": task,
        "source": str(other.meta.get("lesson", "trace")),
    }
    rec = Recorder(meta=meta, data={"input": x})
    for r, step in enumerate(other.steps):
        W = [w[r] for w in weights]
        b = [v[r] for v in biases]
        h, g = signals(W, b, activation, x, t, task)
        outputs = {f"h{k}": v for k, v in enumerate(h)}
        outputs.update({f"g{k + 1}": v for k, v in enumerate(g)})
        params = {f"W{k + 1}": w for k, w in enumerate(W)}
        params.update({f"b{k + 1}": v for k, v in enumerate(b)})
        loss = other.outputs["loss"][r] if "loss" in other.outputs else 0.0
        rec.record(int(step), params=params, outputs={"loss": loss, **outputs})
    return rec.freeze()


def run(
    config: NetworkConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train (or load) the network and record its weights and signals per snapshot."""
    config = config or NetworkConfig()
    if config.trace:
        return _from_trace(config)
    return _own_run(config, on_step)


_QUICK = {"iterations": 300, "frames": 6}

LESSON = Lesson(
    NAME,
    NetworkConfig,
    run,
    description=(
        "a network diagram from real weights: edges by sign and size, nodes by "
        "activation, following training (or --trace run.npz)",
        "実際の重みで描くネットワーク図：辺は重みの符号と大きさ、ノードは活性で色分け",
    ),
    kinds=(
        Kind(
            "training",
            "vizlearn.render.network:frames_network",
            "the diagram at every snapshot of training (--pulse: a signal sweeps it)",
            animated=True,
            view=NetworkView,
        ),
        Kind(
            "diagram",
            "vizlearn.render.network:plot_network",
            "the diagram at one snapshot (--frame; default the trained net)",
            timed=True,
            view=DiagramView,
        ),
    ),
    source="DeZero steps 43 and 48 (sin regression, spiral); the book's 784-50-10",
    default_still="diagram",
    steps=lambda c: 0 if c.trace else c.iters,
    frames=lambda c: c.frames,
    gallery=(
        GalleryItem(
            "network-spiral",
            "training",
            (
                "DeZero's 2-10-3 spiral net learning: blue edges positive, red "
                "negative, width |w|; nodes filled by activation",
                "スパイラルを学習する 2-10-3 ネットワーク：青は正、赤は負の重み、"
                "太さは大きさ、ノードの色は活性",
            ),
            (
                "Animation: three columns of circles joined by blue and red lines "
                "that thicken and change as training proceeds",
                "アニメーション：3 列の円を結ぶ青と赤の線が、"
                "学習とともに太さと色を変える",
            ),
            options={"frames": 24},  # 30 frames of thick changing lines pass 1 MB
            quick=_QUICK,
            animated=True,
        ),
        GalleryItem(
            "network-pulse-ja",
            "training",
            (
                "The trained net, a forward signal sweeping through it (Japanese)",
                "学習後のネットワークを順伝播の信号が流れていく（日本語）",
            ),
            (
                "Animation: layer by layer, the nodes of the trained net light up "
                "from the input to the output",
                "アニメーション：入力から出力へ、層ごとにノードが色づいていく",
            ),
            quick=_QUICK,
            view={"pulse": "forward"},
            style={"lang": "ja"},
            animated=True,
        ),
        GalleryItem(
            "network-diagram",
            "diagram",
            (
                "The trained spiral net as a still, for slides",
                "学習後のスパイラル分類ネットワーク（スライド用の静止画）",
            ),
            (
                "Three columns of nodes with blue and red edges of varied width",
                "青と赤のさまざまな太さの辺で結ばれた 3 列のノード",
            ),
            quick=_QUICK,
            view={"direction": "TB"},
            style={"theme": "dark"},
        ),
    ),
)

"""Weight initialization: per-layer histograms of activations (and gradients).

``run`` is the book's experiment behind Figures 6-10 to 6-14: 1000 random
inputs (standard normal, 100 features) pass through 5 layers of 100 units
(y = activation(x W), no bias) whose weights have std 1, 0.01, Xavier
(sqrt(1/n)) or He (sqrt(2/n)); the histogram of each layer's output shows
saturation (std 1: sigmoid outputs pile up at 0 and 1), lost expressiveness
(std 0.01: everything near 0.5) or a healthy spread (Xavier; He for ReLU).

``run_training`` is the tuning sweep's deep network as an animation: 10
sigmoid hidden layers trained with SGD lr 0.01 on the spiral stay at chance
(loss ln 3) because the gradients reaching the first layers are orders of
magnitude smaller than those of the last; ``--activation relu`` learns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vizlearn.lessons._options import check_range, option, to_dict

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = [
    "estimate_bytes",
    "WeightInitConfig",
    "TrainingConfig",
    "run",
    "run_training",
    "parse_init",
    "ACT_RANGES",
    "LOG_GRAD_RANGE",
]

NAME = "weight-init"
ACTIVATIONS = ("sigmoid", "tanh", "relu")
# Histogram ranges of each activation's output: the book's (0, 1) for sigmoid
# and ReLU (its Figure 6-14); larger ReLU outputs are counted in "outside".
ACT_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 1.0)}
LOG_GRAD_RANGE = (-12.0, 0.0)  # log10 |dL/dW| bins; smaller values go in the first


def parse_init(text: str) -> float | str:
    """``"xavier"``, ``"he"`` or a positive std such as ``"0.01"``."""
    word = text.strip().lower()
    if word in ("xavier", "he"):
        return word
    try:
        std = float(word)
    except ValueError:
        std = float("nan")
    if not 0 < std < 1e6:
        raise ValueError(f"a weight init must be xavier, he or a std > 0, got {text!r}")
    return std


def init_name(init: float | str) -> str:
    """The init as the trace records it: "xavier", "he" or the std ("0.01")."""
    return init if isinstance(init, str) else f"{init:g}"


@dataclass(frozen=True)
class WeightInitConfig:
    """The book's activation-histogram experiment."""

    activation: str = option(
        "sigmoid", "activation of every layer", choices=ACTIVATIONS
    )
    inits: str = option(
        "1,0.01,xavier,he", "weight inits, comma-separated: std, xavier, he"
    )
    layers: int = option(5, "layers", low=1, high=20)
    units: int = option(100, "units per layer (and input features)", low=1, high=2000)
    samples: int = option(1000, "random input rows", low=1, high=100_000)
    bins: int = option(30, "histogram bins", low=2, high=500)
    gradients: bool = option(False, "also show the gradient reaching each layer")
    seed: int = option(0, "random seed (inputs and weights)", low=0)

    def __post_init__(self) -> None:
        check_range(self)
        self.schemes()
        if self.samples * self.units * self.layers > 50_000_000:
            raise ValueError(
                "--samples x --units x --layers must stay under 50 million"
            )

    def schemes(self) -> tuple[float | str, ...]:
        """The parsed ``inits``."""
        items = [s for s in self.inits.split(",") if s.strip()]
        if not items or len(items) > 8:
            raise ValueError(f"--inits needs 1 to 8 entries, got {self.inits!r}")
        return tuple(parse_init(s) for s in items)


def run(
    config: WeightInitConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Pass random inputs through the layers once per init; histogram every layer.

    The trace has one record: ``outputs["activations"]`` ``(1, inits, layers,
    bins)`` counts over ``data["act_edges"]``; ``outputs["zeros"]``,
    ``outputs["outside"]`` and ``outputs["std"]`` ``(1, inits, layers)``: the
    fraction of exact zeros (not in the bars), the fraction beyond the range,
    and each layer's output std; and, with ``gradients``,
    ``outputs["gradients"]`` over ``data["grad_edges"]`` ``(inits, bins + 1)``.
    """
    import numpy as np

    from vizlearn.trace import Recorder

    config = config or WeightInitConfig()
    rng = np.random.default_rng(config.seed)
    x = rng.standard_normal((config.samples, config.units))
    edges = np.linspace(*ACT_RANGES[config.activation], config.bins + 1)
    relu = config.activation == "relu"
    out: dict[str, list] = {k: [] for k in ("activations", "zeros", "outside", "std")}
    grads, grad_edges = [], []
    for scheme in config.schemes():
        layers = _layers(config, scheme, rng)
        outs = _forward(layers, x)
        counts, zero, beyond = zip(
            *(_histogram(a, edges, relu) for a in outs), strict=True
        )
        for key, value in zip(
            out, (counts, zero, beyond, [a.std() for a in outs]), strict=True
        ):
            out[key].append(value)
        if config.gradients:
            counts, e = _gradient_histograms(layers, outs[-1].shape, rng, config.bins)
            grads.append(counts)
            grad_edges.append(e)
    outputs = {k: np.array(v) for k, v in out.items()}
    data = {"act_edges": edges}
    if config.gradients:
        outputs["gradients"], data["grad_edges"] = np.array(grads), np.array(grad_edges)
    meta = {
        "lesson": NAME,
        "config": to_dict(config),
        "seed": config.seed,
        "activation": config.activation,
        "inits": [init_name(s) for s in config.schemes()],
    }
    rec = Recorder(meta=meta, data=data)
    rec.record(0, outputs=outputs)
    return rec.freeze()


def _histogram(values, edges, split_zeros: bool) -> tuple:
    """Counts within ``edges``, the fraction of exact zeros and the fraction beyond.

    With ``split_zeros`` (ReLU: its inactive units) exact zeros are kept out of
    the bars, which they would dwarf, and only counted.
    """
    import numpy as np

    values = values.ravel()
    zero = (values == 0) if split_zeros else np.zeros(values.shape, bool)
    inside = ~zero & (values >= edges[0]) & (values <= edges[-1])
    counts = np.histogram(values[inside], edges)[0]
    return counts, float(zero.mean()), float(np.mean(~zero & ~inside))


def _layers(config: WeightInitConfig, scheme: float | str, rng) -> list:
    from vizlearn.core import ACTIVATIONS as LAYERS
    from vizlearn.core import Linear
    from vizlearn.core.layers import init_std

    std = init_std(scheme, config.units)
    out = []
    for _ in range(config.layers):
        out += [
            Linear.init(config.units, config.units, rng=rng, weight_std=std),
            LAYERS[config.activation](),
        ]
    return out


def _forward(layers: list, x) -> list:
    """Each activation layer's output, in order."""
    outs = []
    for lin, act in zip(layers[::2], layers[1::2], strict=True):
        x = act.forward(lin.forward(x))
        outs.append(x)
    return outs


def _gradient_histograms(layers: list, shape, rng, bins: int):
    """Backprop a standard-normal dL/dy from the top; histogram dL/da per layer.

    One symmetric range per init (the 99.9th percentile of |gradient| over its
    layers), so shrinking or growing gradients show within a row.
    """
    import numpy as np

    gy, grads = rng.standard_normal(shape), []
    for lin, act in zip(layers[-2::-2], layers[::-2], strict=True):
        grads.append(gy)  # dL/d(output of this layer)
        gy = lin.backward(act.backward(gy))
    grads.reverse()
    top = float(np.quantile(np.abs(np.concatenate([g.ravel() for g in grads])), 0.999))
    edges = np.linspace(-(top or 1.0), top or 1.0, bins + 1)
    return [np.histogram(g, edges)[0] for g in grads], edges


@dataclass(frozen=True)
class TrainingConfig:
    """A deep network trained on a 2-D set, watched layer by layer."""

    dataset: str = option(
        "spiral", "2-D data set", choices=("spiral", "circles", "xor", "blobs")
    )
    layers: int = option(10, "hidden layers", low=1, high=30)
    hidden: int = option(100, "units per hidden layer", low=1, high=1000)
    activation: str = option("sigmoid", "hidden activation", choices=ACTIVATIONS)
    init: str = option("xavier", "weight init: xavier, he or a std such as 0.01")
    lr: float = option(0.01, "SGD learning rate", low=0, low_open=True)
    epochs: int = option(300, "passes over the data", low=1, high=100_000)
    batch_size: int = option(30, "examples per update", low=1, high=100_000)
    frames: int = option(50, "snapshots (animation frames)", low=2, high=1000)
    bins: int = option(40, "histogram bins", low=2, high=500)
    seed: int = option(0, "random seed (data, weights, batches)", low=0)

    def __post_init__(self) -> None:
        check_range(self)
        parse_init(self.init)
        if self.frames > self.iters + 1:
            raise ValueError(
                f"--frames must be at most the number of updates + 1 = "
                f"{self.iters + 1}, got {self.frames}"
            )

    @property
    def iters(self) -> int:
        """Total updates (the planar sets have 300 points)."""
        return self.epochs * -(-300 // self.batch_size)


def estimate_bytes(config: WeightInitConfig | TrainingConfig) -> int:
    """Memory a run needs (8 bytes per number), for either config."""
    if isinstance(config, WeightInitConfig):  # activations and gradients of all layers
        return 8 * 3 * config.samples * config.units * config.layers
    n_params = config.layers * (config.hidden + 1) * config.hidden + 4 * config.hidden
    per_frame = n_params + 3 * config.layers * (config.bins + 2)
    forward = 3 * 300 * config.hidden * config.layers  # a whole-set pass and its copy
    return 8 * (config.frames * per_frame + config.iters + forward + 3 * n_params)


def run_training(
    config: TrainingConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train the deep network; record per-layer histograms at each snapshot.

    Outputs per snapshot: ``activations`` ``(layers, bins)`` over
    ``data["act_edges"]``, ``log_grad`` ``(layers, bins)`` histograms of
    log10 |dL/dW| over ``data["grad_edges"]``, ``grad_mean`` ``(layers,)`` the
    mean |dL/dW| per layer, and ``data_loss`` / ``accuracy`` on the whole set.
    """
    import numpy as np

    from vizlearn.core import MLP, SGD
    from vizlearn.core.samplers import epoch_shuffle
    from vizlearn.datasets.planar import PLANAR
    from vizlearn.fitting import fit, snapshot_steps
    from vizlearn.trace import Recorder

    config = config or TrainingConfig()
    data = PLANAR[config.dataset](seed=config.seed)
    rng = np.random.default_rng(config.seed)
    n_classes = int(data.t.max()) + 1
    sizes = [2, *[config.hidden] * config.layers, n_classes]
    model = MLP(
        sizes, activation=config.activation, weight_std=parse_init(config.init), rng=rng
    )
    low, high = ACT_RANGES[config.activation]
    act_edges = np.linspace(
        low, 2.0 if config.activation == "relu" else high, config.bins + 1
    )
    grad_edges = np.linspace(*LOG_GRAD_RANGE, config.bins + 1)
    relu = config.activation == "relu"
    meta = {
        "lesson": "vanishing-gradients",
        "config": to_dict(config),
        "seed": config.seed,
        "iters": config.iters,
        "n_classes": n_classes,
        "iters_per_epoch": config.iters // config.epochs,
        "init": init_name(parse_init(config.init)),
    }
    recorder = Recorder(
        meta=meta, data={"act_edges": act_edges, "grad_edges": grad_edges}
    )
    return fit(
        model,
        data,
        optimizer=SGD(config.lr),
        iters=config.iters,
        record_at=snapshot_steps(config.iters, config.frames),
        loss="softmax_cross_entropy",
        probe=lambda m: _layer_stats(m, data, act_edges, grad_edges, relu),
        batches=epoch_shuffle(len(data), config.batch_size, rng),
        recorder=recorder,
        on_step=on_step,
    )


def _layer_stats(m, data, act_edges, grad_edges, relu: bool) -> dict:
    """Histograms of every hidden layer's output and of log10 |dL/dW| (whole set)."""
    import numpy as np

    from vizlearn.core import softmax_cross_entropy

    # fit() probes before the step's forward pass, so running backward here
    # (on the whole set) cannot disturb the training step's gradients
    x, acts = data.x, []
    for layer in m.layers:
        x = layer.forward(x)
        if layer not in m.linears:
            acts.append(x)
    loss, gy = softmax_cross_entropy(x, data.t)
    m.backward(gy)
    grads = [np.abs(lin.W.grad) for lin in m.linears[:-1]]  # the hidden layers'
    act_counts, act_zero, act_over = zip(
        *(_histogram(a, act_edges, relu) for a in acts), strict=True
    )
    lo, hi = grad_edges[0], grad_edges[-1]  # exact zeros are counted apart
    grad_counts = [
        np.histogram(np.clip(np.log10(g[g > 0]), lo, hi), grad_edges)[0] for g in grads
    ]
    return {
        "activations": act_counts,
        "act_zero": act_zero,
        "act_over": act_over,
        "log_grad": grad_counts,
        "grad_zero": [float(np.mean(g == 0)) for g in grads],
        "grad_mean": [float(g.mean()) for g in grads],
        "data_loss": loss,
        "accuracy": float(np.mean(x.argmax(axis=1) == data.t)),
    }

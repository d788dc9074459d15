"""Weight initialization: per-layer histograms of activations (and gradients).

The book's experiment behind Figures 6-10 to 6-14
(``weight_init_activation_histogram.py``): 1000 random inputs (standard
normal, 100 features) pass through 5 layers of 100 units
(y = activation(x W), no bias) whose weights have std 1, 0.01, Xavier
(sqrt(1/n)) or He (sqrt(2/n)); the histogram of each layer's output (30 bins
over (0, 1), as the script's ``plt.hist(a.flatten(), 30, range=(0, 1))``)
shows saturation (std 1: sigmoid outputs pile up at 0 and 1), lost
expressiveness (std 0.01: everything near 0.5) or a healthy spread (Xavier;
He for ReLU).

The book's figures pair them this way, and ``--inits book`` (the default)
does the same for the chosen activation:

- sigmoid: std 1 (Figure 6-10), std 0.01 (Figure 6-11), Xavier (Figure 6-13);
- ReLU: std 0.01, Xavier and He, one above the other (Figure 6-14);
- tanh (the book's remark after Figure 6-13): std 1, 0.01 and Xavier, as sigmoid.

(Figure 6-12 is the diagram of Xavier's fan-in, not a histogram.) The script
draws from numpy's global generator without a seed; ``--seed`` fixes ours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vizlearn.config import option, to_dict
from vizlearn.lessons.options import LessonConfig, init_name, parse_weight_init
from vizlearn.lessons.record import GalleryItem, Kind, Lesson

if TYPE_CHECKING:
    from vizlearn.trace import Trace

__all__ = ["WeightInitConfig", "run", "estimate_bytes", "LESSON"]

NAME = "weight-init"
ACTIVATIONS = ("sigmoid", "tanh", "relu")
#: ``--inits book``: the inits the book's figures show for each activation
BOOK_INITS = {
    "sigmoid": "1,0.01,xavier",
    "tanh": "1,0.01,xavier",
    "relu": "0.01,xavier,he",
}


@dataclass(frozen=True)
class WeightInitConfig(LessonConfig):
    """The book's activation-histogram experiment."""

    activation: str = option(
        "sigmoid", "activation of every layer", choices=ACTIVATIONS
    )
    inits: str = option(
        "book",
        "weight inits, comma-separated: std, xavier, he; book: the book's for "
        "--activation (sigmoid, tanh: 1,0.01,xavier as Figures 6-10, 6-11, "
        "6-13; relu: 0.01,xavier,he as Figure 6-14)",
    )
    layers: int = option(5, "layers", low=1, high=20)
    units: int = option(100, "units per layer (and input features)", low=1, high=2000)
    samples: int = option(1000, "random input rows", low=1, high=100_000)
    bins: int = option(30, "histogram bins", low=2, high=500)
    gradients: bool = option(False, "also show the gradient reaching each layer")
    seed: int = option(0, "random seed (inputs and weights)", low=0)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.schemes()
        if self.samples * self.units * self.layers > 50_000_000:
            raise ValueError(
                "--samples x --units x --layers must stay under 50 million"
            )

    def schemes(self) -> tuple[float | str, ...]:
        """The parsed ``inits`` (``book``: the book's for the activation)."""
        text = (
            BOOK_INITS[self.activation] if self.inits.strip() == "book" else self.inits
        )
        items = [s for s in text.split(",") if s.strip()]
        if not items or len(items) > 8:
            raise ValueError(f"--inits needs 1 to 8 entries, got {self.inits!r}")
        return tuple(parse_weight_init(s) for s in items)


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

    from vizlearn.lessons.training import ACT_RANGES, activation_histogram
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
            *(activation_histogram(a, edges, relu) for a in outs), strict=True
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
    inits = [init_name(s) for s in config.schemes()]
    meta = {
        "lesson": NAME,
        "config": {**to_dict(config), "inits": ",".join(inits)},  # "book" resolved
        "seed": config.seed,
        "activation": config.activation,
        "inits": inits,
    }
    rec = Recorder(meta=meta, data=data)
    rec.record(0, outputs=outputs)
    return rec.freeze()


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


def estimate_bytes(config: WeightInitConfig) -> int:
    """Memory a run needs: activations and gradients of all layers, 8 bytes each."""
    return 8 * 3 * config.samples * config.units * config.layers


def summary(trace: Trace) -> dict[str, object]:
    """Each layer's output std and fraction of zeros, per init."""
    out = trace.outputs
    return {
        "activation": trace.meta["activation"],
        "inits": list(trace.meta["inits"]),
        "layer_output_std": out["std"][0].round(5).tolist(),
        "zero_fraction": out["zeros"][0].round(4).tolist(),
    }


LESSON = Lesson(
    NAME,
    WeightInitConfig,
    run,
    description=(
        "activation histograms per layer for several weight inits",
        "重みの初期値ごとの各層のアクティベーション分布",
    ),
    kinds=(
        Kind(
            "histograms",
            "vizlearn.render.histograms:plot_weight_init",
            "a row of per-layer activation histograms for each init",
        ),
    ),
    source="'Deep Learning from Scratch' ch. 6, weight_init_activation_histogram.py "
    "(Figures 6-10 to 6-14)",
    summary=summary,
    steps=lambda config: 0,
    frames=lambda config: 1,
    estimate=estimate_bytes,
    gallery=(
        GalleryItem(
            "weight-init",
            "histograms",
            (
                "Sigmoid activations per layer for weight std 1, 0.01 and Xavier "
                "(the book's Figures 6-10, 6-11 and 6-13)",
                "シグモイド関数の各層のアクティベーション分布：重みの標準偏差 1、0.01、"
                "Xavier の初期値（図6-10、6-11、6-13）",
            ),
            (
                "Three rows of five histograms: with std 1 the activations pile up "
                "at 0 and 1, with 0.01 at 0.5, with Xavier they stay spread",
                "5つのヒストグラムが3行。標準偏差 1 では 0 と 1 に偏り、0.01 では "
                "0.5 に集まり、Xavier では広がったまま",
            ),
            quick={"samples": 200},
        ),
        GalleryItem(
            "weight-init-relu",
            "histograms",
            (
                "ReLU activations per layer for weight std 0.01, Xavier and He "
                "(the book's Figure 6-14)",
                "ReLU の各層のアクティベーション分布：重みの標準偏差 0.01、Xavier、"
                "He の初期値（図6-14）",
            ),
            (
                "Three rows of five histograms: with std 0.01 the outputs shrink "
                "towards 0, with Xavier they lean further to 0 in deeper layers, "
                "with He they keep the same spread in every layer",
                "5つのヒストグラムが3行。標準偏差 0.01 では出力が 0 付近に縮み、"
                "Xavier では層が深いほど 0 に偏り、He ではどの層も同じ広がり",
            ),
            options={"activation": "relu"},
            quick={"activation": "relu", "samples": 200},
        ),
    ),
)

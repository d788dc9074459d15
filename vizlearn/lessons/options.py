"""Option groups the lessons share, declared once (numpy-free).

A lesson's config subclasses :class:`LessonConfig` and the groups it needs, and
declares its own fields with :func:`vizlearn.config.option`. Options whose
defaults differ from lesson to lesson (hidden units, learning rate, ...) are
made by the small factories below, so their help and range are written once.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vizlearn.config import option, to_dict, validate
from vizlearn.datasets.catalog import IDX_NAMES

__all__ = [
    "LessonConfig",
    "DataOptions",
    "RegressionNetOptions",
    "TwoLayerNetOptions",
    "check_frames",
    "point_parser",
    "recorded",
    "LAYERS_HELP",
    "parse_weight_init",
    "init_name",
    "SAMPLER_NAMES",
    "OPTIMIZER_NAMES",
    "ACTIVATION_NAMES",
    "PLANAR_SETS",
    "hidden",
    "activation",
    "weight_init",
    "learning_rate",
    "batch_size",
    "iterations",
    "frames",
    "seed",
    "dataset",
    "IMAGE_SETS",
]

SAMPLER_NAMES = ("with-replacement", "without-replacement", "epoch-shuffle")
OPTIMIZER_NAMES = ("sgd", "momentum", "adagrad", "adam")
ACTIVATION_NAMES = ("sigmoid", "relu", "tanh")
PLANAR_SETS = ("spiral", "circles", "xor", "blobs")
#: the MNIST-format image sets: the same 28 x 28 pixels and 10 classes
IMAGE_SETS: tuple[str, ...] = IDX_NAMES


#: the help of ``--layers``: how to build the Keras tuning tutorial's network
LAYERS_HELP = (
    "hidden layers of --hidden units each (the Keras tutorial's "
    "hidden_layers=N adds N layers to its first one: hidden_layers=2 is "
    "--layers 3 --hidden 30)"
)


def check_frames(frames: int, iters: int) -> None:
    """The one snapshot check: 2 <= frames <= iterations + 1."""
    if frames > iters + 1:
        raise ValueError(
            f"--frames must be at most the number of iterations + 1 = {iters + 1}, "
            f"got {frames}"
        )


@dataclass(frozen=True)
class LessonConfig:
    """Base of every lesson config: validates every option, then the frame count.

    A config with ``frames`` and ``iters`` (a field or a property) gets the
    frames <= iters + 1 check.
    """

    def __post_init__(self) -> None:
        validate(self)
        if hasattr(self, "frames") and hasattr(self, "iters"):
            check_frames(self.frames, self.iters)


def recorded(config: Any) -> dict[str, Any]:
    """``to_dict(config)`` as a trace's provenance keeps it: no folders.

    Every path option (``--data-dir``, ``--cache-dir``, ``--trace``, ``--data``)
    keeps only its base name, so a trace or figure never carries where the
    user's files live (``/home/me/mnist`` is recorded as ``mnist``).
    """
    from pathlib import PurePath

    out = to_dict(config)
    for f in dataclasses.fields(config):
        value = out.get(f.name)
        if f.metadata.get("path") and isinstance(value, str) and value:
            out[f.name] = PurePath(value).name
    return out


def parse_weight_init(text: str) -> float | str:
    """'0.01' -> 0.01; 'xavier' and 'he' stay names; anything else is refused."""
    word = str(text).strip().lower()
    if word in ("xavier", "he"):
        return word
    try:
        value = float(word)
    except ValueError:
        value = -1.0
    if not (value > 0 and math.isfinite(value) and value < 1e6):
        raise ValueError(
            f"a weight init must be xavier, he or a std > 0 (e.g. 0.01), not {text!r}"
        )
    return value


def init_name(init: float | str) -> str:
    """The init as a trace records it: "xavier", "he" or the std ("0.01")."""
    return init if isinstance(init, str) else f"{init:g}"


@dataclass(frozen=True)
class DataOptions:
    """Where an image set comes from and how its pixels are scaled (not planar sets)."""

    data_dir: str = option(
        "",
        "folder with the image set's IDX files (.gz or plain) or mnist.npz, or "
        "one subfolder per set; nothing is downloaded  [default: $VIZLEARN_DATA_DIR]",
        path="dir",
    )
    cache_dir: str = option(
        "",
        "where image sets are downloaded to, one subfolder each  "
        "[default: $VIZLEARN_CACHE_DIR or the user cache, ~/.cache/vizlearn]",
        path="newdir",
    )
    split_from_test: int = option(
        0,
        "use only the t10k files: first N train, rest test (0 = off)",
        low=0,
        high=9999,
    )
    normalize: bool = option(
        True,
        "MNIST pixels scaled to [0, 1] as 'Deep Learning from Scratch' does; "
        "--no-normalize: raw 0-255 values, as the Keras tuning tutorial trains",
        flag="--normalize/--no-normalize",
    )

    def __post_init__(self) -> None:
        parent = getattr(super(), "__post_init__", None)
        if parent is not None:
            parent()
        dataset = getattr(self, "dataset", "mnist")
        if not self.normalize and dataset not in IMAGE_SETS:
            raise ValueError(
                f"--no-normalize applies to image sets ({', '.join(IMAGE_SETS)}), "
                f"not {dataset}"
            )


# --- options whose defaults differ between lessons ------------------------------


def hidden(default: int, help: str = "hidden units per layer") -> Any:
    """Units per hidden layer."""
    return option(default, help, low=1, high=10_000)


def activation(default: str = "sigmoid", help: str = "hidden activation") -> Any:
    """The hidden activation."""
    return option(default, help, choices=ACTIVATION_NAMES)


def weight_init(default: str) -> Any:
    """The initial weight std: a number, xavier or he."""
    return option(
        default, "initial weight std: a number, xavier or he", check=parse_weight_init
    )


def learning_rate(default: float, help: str = "learning rate") -> Any:
    """A learning rate > 0."""
    return option(default, help, low=0, low_open=True)


def batch_size(default: int, help: str = "examples per minibatch") -> Any:
    """Examples per minibatch."""
    return option(default, help, low=1, high=100_000)


def iterations(default: int, help: str = "training iterations (updates)") -> Any:
    """Training iterations."""
    return option(default, help, low=1, high=10_000_000)


def frames(default: int, help: str = "snapshots (animation frames)") -> Any:
    """Snapshots recorded, i.e. animation frames (at least 2; see `vizlearn.limits`)."""
    return option(default, help, low=2, high=1_000_000)


def seed(help: str = "random seed (data, initial weights, minibatches)") -> Any:
    """The random seed."""
    return option(0, help, low=0, high=2**32 - 1)


def dataset(default: str, choices: tuple[str, ...], help: str = "data set") -> Any:
    """Which data set."""
    images = [name for name in choices if name in IMAGE_SETS]
    if images:
        help += f" ({', '.join(images)}: --data-dir or a download)"
    return option(default, help, choices=choices)


@dataclass(frozen=True)
class RegressionNetOptions(LessonConfig):
    """The 1-hidden-layer regression net of DeZero's lesson and its training."""

    hidden: int = hidden(10, "hidden units")
    activation: str = activation()
    weight_std: float = option(0.01, "std of the initial weights", low=0, low_open=True)
    lr: float = learning_rate(0.2)
    iters: int = iterations(10_000, "training iterations")
    frames: int = frames(
        101, "parameter snapshots (animation frames): 101 = every 100 iterations"
    )
    seed: int = seed("random seed (data and initial weights)")


@dataclass(frozen=True)
class TwoLayerNetOptions(DataOptions, LessonConfig):
    """The book's two-layer net on MNIST and its training (ch. 4 defaults)."""

    hidden: int = hidden(50, "hidden units (per hidden layer)")
    layers: int = option(1, LAYERS_HELP, low=1, high=100)
    activation: str = activation()
    weight_init: str = weight_init("0.01")
    optimizer: str = option("sgd", "optimizer", choices=OPTIMIZER_NAMES)
    lr: float = learning_rate(0.1)
    batch_size: int = batch_size(100)
    iters: int = iterations(10_000)
    sampler: str = option(
        "with-replacement", "how minibatches are drawn", choices=SAMPLER_NAMES
    )
    grad: str = option(
        "backprop", "how gradients are computed", choices=("backprop", "numerical")
    )
    dtype: str = option("float32", "float type", choices=("float32", "float64"))
    frames: int = frames(50)
    track: int = option(
        32, "weights tracked per tensor at each snapshot", low=1, high=10_000
    )
    seed: int = seed("random seed (weights, minibatches)")


def point_parser(
    limit: float, example: str, flag: str = "--start"
) -> tuple[Callable[[str], tuple[float, float]], Callable[..., tuple[float, float]]]:
    """The parse and check of a point option: two numbers x0,x1 within ±``limit``.

    ``parse`` takes the command line's text ('-3,4', also click's '(-3.0, 4.0)'),
    ``check`` a tuple; both raise ValueError naming ``flag`` and the range.
    """
    bound = f"{limit:g}".replace("e+0", "e").replace("e+", "e")

    def check(values: Any, given: Any = None) -> tuple[float, float]:
        ok = (
            isinstance(values, tuple)
            and len(values) == 2
            and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values
            )
            and all(abs(v) <= limit for v in values)  # also refuses NaN and inf
        )
        if not ok:
            given = values if given is None else given
            raise ValueError(
                f"{flag} must be two numbers x0,x1 within ±{bound} "
                f"(e.g. {example}), got {given!r}"
            )
        return float(values[0]), float(values[1])

    def parse(text: str) -> tuple[float, float]:
        try:
            inner = str(text).strip().removeprefix("(").removesuffix(")")
            values: tuple[float, ...] = tuple(float(v) for v in inner.split(","))
        except ValueError:
            values = ()
        return check(values, text)

    return parse, check

"""Figure kinds several lessons offer, and the kinds any trace can draw (numpy-free)."""

from __future__ import annotations

from dataclasses import dataclass

from vizlearn.config import option
from vizlearn.lessons.record import Kind

__all__ = [
    "LossView",
    "LookView",
    "ParamsView",
    "LOOKS",
    "CountView",
    "HistoryView",
    "ClassView",
    "HISTORY",
    "CLASS_TABLE",
    "REGRESSION_KINDS",
    "CLASSIFIER_KINDS",
    "GENERIC_KINDS",
    "LOSS",
    "PARAMS",
    "METRICS",
    "ACCURACY",
    "SEEDS",
    "CurveView",
    "SMOOTH_HELP",
]


LOOKS = ("vizlearn", "book")
_LOOK_HELP = "vizlearn: this package's figure; book: the lesson's own plain figure"


@dataclass(frozen=True)
class LookView:
    """Which look: vizlearn's richer figure, or the lesson's own."""

    look: str = option("vizlearn", _LOOK_HELP, choices=LOOKS)


@dataclass(frozen=True)
class LossView(LookView):
    """How a loss chart is drawn."""

    log: bool = option(False, "loss: log or linear y axis", flag="--log/--linear")


@dataclass(frozen=True)
class ParamsView(LookView):
    """Which parameters a trajectory figure shows."""

    tensor: str = option(
        "", "params: draw only this tensor (W1, b1, ...), a legend entry per element"
    )


@dataclass(frozen=True)
class CountView:
    """How many misclassified examples are shown."""

    count: int = option(40, "misclassified: examples shown", low=1, high=100)


@dataclass(frozen=True)
class HistoryView:
    """Which metric a Keras-style history chart shows."""

    metric: str = option(
        "accuracy", "keras: the metric per epoch", choices=("accuracy", "loss")
    )


@dataclass(frozen=True)
class ClassView:
    """The class a 2x2 table counts against all the others."""

    label: int = option(
        0,
        "table: the class counted as positive (the others negative), e.g. 3",
        low=0,
        high=9,
        flag="--class",
    )


#: train vs validation per epoch, as the Keras tutorial plots ``history``
HISTORY = Kind(
    "keras",
    "vizlearn.render.history:plot_history",
    "train vs validation accuracy per epoch, as the Keras tutorial plots it",
    view=HistoryView,
    needs=("metrics",),
)
#: one class against the rest: TP, FN, FP, TN with precision, recall, accuracy
CLASS_TABLE = Kind(
    "table",
    "vizlearn.render.class_table:plot_class_table",
    "the 2x2 TP/FN/FP/TN table of one class (--class) with precision, recall "
    "and accuracy worked out",
    view=ClassView,
    needs=("data/test_label", "data/test_pred"),
)

LOSS = Kind(
    "loss",
    "vizlearn.render.curves:plot_loss",
    "loss per iteration (--log for a log axis)",
    view=LossView,
    needs=("loss",),
)
PARAMS = Kind(
    "params",
    "vizlearn.render.params:plot_params",
    "per-parameter trajectories, one panel per tensor (--tensor W1: one)",
    view=ParamsView,
    needs=("params",),
)
METRICS = Kind(
    "metrics",
    "vizlearn.render.metrics_chart:plot_metrics",
    "every recorded metric per step or epoch (loss, accuracy, ...)",
    needs=("metrics",),
)
ACCURACY = Kind(
    "accuracy",
    "vizlearn.render.metrics_chart:plot_accuracy",
    "accuracy per step or epoch",
    needs=("metrics",),
)
_CURVE = ("outputs/curve", "outputs/fit", "data/x", "data/t", "data/grid")

REGRESSION_KINDS = (
    Kind(
        "regression",
        "vizlearn.render.regression:frames_regression",
        "training animation: curve and residuals over a loss panel",
        animated=True,
        view=LookView,
        needs=_CURVE,
    ),
    Kind(
        "fit",
        "vizlearn.render.regression:plot_fit",
        "the final fit: data, trained curve, residuals",
        view=LookView,
        needs=_CURVE,
    ),
    Kind(
        "data",
        "vizlearn.render.regression:plot_data",
        "the data set, titled with the formula it was drawn from",
        view=LookView,
        needs=("data/x", "data/t"),
    ),
    LOSS,
    PARAMS,
)

CLASSIFIER_KINDS = (
    Kind(
        "training",
        "vizlearn.render.classification:frames_training",
        "loss per iteration and train/test accuracy per epoch, growing",
        animated=True,
    ),
    Kind(
        "loss",
        "vizlearn.render.classification:frames_loss",
        "loss per iteration (smoothed), growing",
        animated=True,
    ),
    Kind(
        "accuracy",
        "vizlearn.render.classification:frames_accuracy",
        "train and test accuracy per epoch, growing",
        animated=True,
    ),
    Kind(
        "confusion",
        "vizlearn.render.metrics:plot_confusion",
        "confusion matrix and per-class precision/recall of the final model",
        needs=("data/test_label", "data/test_pred"),
    ),
    Kind(
        "misclassified",
        "vizlearn.render.metrics:plot_misclassified",
        "a grid of misclassified test examples",
        view=CountView,
        needs=("data/test_label", "data/test_pred"),
    ),
    CLASS_TABLE,
    HISTORY,
)


SMOOTH_HELP = (
    "debiased exponential moving average weight (TensorBoard's slider; 0 = off)"
)


@dataclass(frozen=True)
class CurveView:
    """How the curves of several seeds are drawn: the band and the smoothing."""

    band: str = option(
        "std", "several seeds: mean ± std, or min-max", choices=("std", "minmax")
    )
    smooth: float = option(0.0, SMOOTH_HELP, low=0, high=1, high_open=True)


#: a lesson trained with several seeds (``--seeds 0-9``): mean curves and bands
SEEDS = Kind(
    "seeds",
    "vizlearn.render.seeds:plot_seeds",
    "with --seeds: loss and metrics as the mean over the seeds with a band",
    view=CurveView,
    needs=("meta/seeds",),
)

#: kinds every trace may draw when it recorded what they need
GENERIC_KINDS = (LOSS, PARAMS, METRICS, ACCURACY, SEEDS)

"""How good is the classifier, class by class: accuracy, precision, recall, confusion.

Trains the two-layer net (the mnist lesson's options, on any data set) or reads
a saved run (``--trace run.npz``, e.g. from ``vizlearn train mnist``), then
compares the final predictions on the test data with the true labels:

- accuracy: the fraction predicted right;
- precision of class c: of the examples predicted c, the fraction that are c;
- recall of class c: of the examples that are c, the fraction predicted c;
- the confusion matrix: row = true label, column = predicted label;
- ``--kind table --class 3``: the Keras tuning tutorial's 2x2 table of one
  class against the rest (TP, FN, FP, TN) with precision, recall and accuracy
  worked out from the counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.config import option
from vizlearn.lessons import options as o
from vizlearn.lessons.kinds import CLASSIFIER_KINDS
from vizlearn.lessons.record import GalleryItem, Lesson

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from vizlearn.trace import Trace

__all__ = [
    "MetricsConfig",
    "confusion_matrix",
    "precision_recall",
    "report",
    "run",
    "LESSON",
]

NAME = "metrics"


@dataclass(frozen=True)
class MetricsConfig(o.TwoLayerNetOptions):
    """The mnist lesson's network on a chosen data set, or a saved run."""

    dataset: str = o.dataset("mnist", (*o.IMAGE_SETS, *o.PLANAR_SETS))
    trace: str = option(
        "", "evaluate this saved run (.npz) instead of training", path="file"
    )


def confusion_matrix(t: NDArray, y: NDArray, n_classes: int) -> NDArray[np.int64]:
    """Counts ``(n_classes, n_classes)``: row = true label, column = predicted."""
    import numpy as np

    t, y = np.asarray(t, dtype=np.int64), np.asarray(y, dtype=np.int64)
    if t.shape != y.shape:
        raise ValueError(f"labels {t.shape} and predictions {y.shape} differ in shape")
    flat = np.bincount(t * n_classes + y, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def precision_recall(cm: NDArray) -> tuple[NDArray, NDArray]:
    """Per-class precision (column-wise) and recall (row-wise); 0 where undefined."""
    import numpy as np

    cm = np.asarray(cm, dtype=np.float64)
    hits = np.diag(cm)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, actual, out=np.zeros_like(hits), where=actual > 0)
    return precision, recall


def report(trace: Trace) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/support and the confusion matrix."""
    t, y = trace.data["test_label"], trace.data["test_pred"]
    n_classes = int(trace.meta.get("sizes", [0, int(max(t.max(), y.max())) + 1])[-1])
    cm = confusion_matrix(t, y, n_classes)
    precision, recall = precision_recall(cm)
    per_class = {
        str(c): {
            "precision": round(float(precision[c]), 6),
            "recall": round(float(recall[c]), 6),
            "support": int(cm[c].sum()),
        }
        for c in range(n_classes)
    }
    return {
        "accuracy": round(float((t == y).mean()), 6),
        "macro_precision": round(float(precision.mean()), 6),
        "macro_recall": round(float(recall.mean()), 6),
        "per_class": per_class,
        "confusion": cm.tolist(),
        "n_test": int(len(t)),
        "misclassified": int((t != y).sum()),
    }


def run(
    config: MetricsConfig | None = None,
    *,
    on_step: Callable[[int], object] | None = None,
) -> Trace:
    """Train (or load ``config.trace``) and return the Trace the metrics come from."""
    config = config or MetricsConfig()
    if config.trace:
        from vizlearn.trace import TraceError, load_trace

        trace = load_trace(config.trace)
        missing = [k for k in ("test_label", "test_pred") if k not in trace.data]
        if missing:
            raise TraceError(
                f"{config.trace}: not a classification run (no {', '.join(missing)}); "
                "make one with: vizlearn train mnist -o FILE"
            )
        return trace
    from vizlearn.lessons.training import run_classifier

    return run_classifier(config, NAME, config.dataset, on_step)


def _steps(config: MetricsConfig) -> int:
    return 0 if config.trace else config.iters


_METRIC_KINDS = tuple(k for k in CLASSIFIER_KINDS if not k.animated)

LESSON = Lesson(
    NAME,
    MetricsConfig,
    run,
    description=(
        "accuracy, per-class precision and recall, confusion matrix, mistakes",
        "認識精度、クラスごとの適合率と再現率、混同行列、誤認識の例",
    ),
    kinds=_METRIC_KINDS,
    source="'Deep Learning from Scratch' ch. 4's network; the Keras tutorial's metrics",
    summary=report,
    steps=_steps,
    frames=lambda config: 1,
    gallery=(
        GalleryItem(
            "metrics-class-table",
            "table",
            (
                "Class 3 against the rest: TP, FN, FP, TN and precision, recall, "
                "accuracy worked out",
                "クラス 3 とそれ以外：TP・FN・FP・TN と適合率・再現率・認識精度の計算",
            ),
            (
                "A 2x2 table of counts (true positives, false negatives, false "
                "positives, true negatives) beside the three formulas with the "
                "counts put in",
                "真陽性・偽陰性・偽陽性・真陰性の 2×2 の表と、その数を入れた3つの式",
            ),
            view={"label": 3},
            quick={"iters": 200, "frames": 2},
        ),
    ),
)

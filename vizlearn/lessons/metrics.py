"""How good is the classifier, class by class: accuracy, precision, recall, confusion.

Trains the two-layer net (the mnist lesson's options) or reads a saved run
(``vizlearn mnist --save-trace run.npz``), then compares the final predictions
on the test data with the true labels:

- accuracy: the fraction predicted right;
- precision of class c: of the examples predicted c, the fraction that are c;
- recall of class c: of the examples that are c, the fraction predicted c;
- the confusion matrix: row = true label, column = predicted label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizlearn.lessons._options import option
from vizlearn.lessons.mnist import MnistConfig

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from vizlearn.trace import Trace

__all__ = [
    "METRIC_KINDS",
    "MetricsConfig",
    "confusion_matrix",
    "precision_recall",
    "report",
    "run",
]

METRIC_KINDS = ("confusion", "misclassified")
_DATASETS = ("mnist", "spiral", "circles", "xor", "blobs")


@dataclass(frozen=True)
class MetricsConfig(MnistConfig):
    """The mnist lesson's run, on a chosen data set, or a saved trace."""

    dataset: str = option("mnist", "data set", choices=_DATASETS)
    trace: str = option("", "evaluate this saved run (.npz) instead of training")


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
    from vizlearn.lessons import mnist

    config = config or MetricsConfig()
    if config.trace:
        from vizlearn.trace import TraceError, load_trace

        trace = load_trace(config.trace)
        missing = [k for k in ("test_label", "test_pred") if k not in trace.data]
        if missing:
            raise TraceError(
                f"{config.trace}: not a classification run (no {', '.join(missing)}); "
                "make one with vizlearn mnist --save-trace FILE"
            )
        return trace
    return mnist.run(config, on_step=on_step, dataset=config.dataset)

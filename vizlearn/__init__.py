"""vizlearn: turn neural-network training into teaching figures and animations.

>>> import vizlearn as vl
>>> trace = vl.train("sin-regression", iters=2000, frames=20)  # doctest: +SKIP
>>> vl.save(vl.animate(trace), "sin.gif")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vizlearn._version import __version__

__all__ = [
    "__version__",
    "train",
    "animate",
    "plot",
    "save",
    "Recorder",
    "Trace",
    "load_trace",
    "Style",
    "Still",
    "read_metrics",
    "live",
    "LiveRecorder",
    "require",
    "graph",
    "graph_text",
]

if TYPE_CHECKING:
    from vizlearn.api import Still, animate, plot, save, train
    from vizlearn.graphs import graph, graph_text
    from vizlearn.importers import read_metrics
    from vizlearn.live import LiveRecorder, live
    from vizlearn.style import Style
    from vizlearn.trace import Recorder, Trace, load_trace, require

_LAZY = {
    "graph": "vizlearn.graphs",
    "graph_text": "vizlearn.graphs",
    "train": "vizlearn.api",
    "animate": "vizlearn.api",
    "plot": "vizlearn.api",
    "save": "vizlearn.api",
    "Recorder": "vizlearn.trace",
    "Trace": "vizlearn.trace",
    "load_trace": "vizlearn.trace",
    "Style": "vizlearn.style",
    "Still": "vizlearn.api",
    "read_metrics": "vizlearn.importers",
    "live": "vizlearn.live",
    "LiveRecorder": "vizlearn.live",
    "require": "vizlearn.trace",
}


def __getattr__(name: str) -> Any:
    # Lazy, so that `import vizlearn` (and the CLI) doesn't import numpy up front.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'vizlearn' has no attribute {name!r}")

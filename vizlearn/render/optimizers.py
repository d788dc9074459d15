"""Optimizer paths on contour lines: one panel per optimizer (the book's Figure 6-8)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure

from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_optimizer_path",
    "plot_optimizers",
    "animate_optimizers",
    "frames_optimizers",
    "frame_indices",
    "DISPLAY_NAMES",
]

DISPLAY_NAMES = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "adagrad": "AdaGrad",
    "adam": "Adam",
}
_GRIDS = {1: (1, 1), 2: (1, 2), 3: (1, 3), 4: (2, 2)}
MAX_FRAMES = 100


class _PathPanel:
    """Contours, minima and one optimizer's path; ``update(k)`` shows steps 0..k."""

    def __init__(self, ax: Axes, trace: Trace, name: str, style: Style) -> None:
        c, m = style.colors, trace.meta
        self.trace, self.style, self.name = trace, style, name
        self.path = trace.outputs[f"path_{name}"]
        self.values = trace.outputs[f"value_{name}"]
        self.diverged_at = m.get("diverged", {}).get(name)
        _contours(ax, trace, style)
        (self.minima,) = ax.plot(
            *trace.data["minima"].T,
            "+",
            ms=11,
            mew=2.2,
            color=c["foreground"],
            zorder=4.5,
            label=style.label("minimum"),
        )
        marker = "o" if trace.n_records <= 61 else None
        (self.line,) = ax.plot(
            [], [], marker=marker, ms=3.2, lw=1.3, color=c["model"], zorder=4
        )
        (self.head,) = ax.plot(
            [], [], "o", ms=7, color=c["model"], mec=c["foreground"], mew=0.8, zorder=5
        )
        box = {
            "boxstyle": "round,pad=0.25",
            "fc": c["background"],
            "ec": c["grid"],
            "alpha": 0.85,
        }
        self.value = ax.text(
            0.98,
            0.03,
            " ",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=9,
            bbox=box,
            zorder=6,
        )
        self.note = ax.text(
            0.02,
            0.97,
            " ",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=9,
            color=c["model"],
            bbox=box,
            zorder=6,
        )
        lr = m["lr"][name]
        ax.set_title(f"{DISPLAY_NAMES[name]}   {style.label('learning_rate')} = {lr:g}")
        ax.set(xlim=m["xlim"], ylim=m["ylim"], xlabel="x", ylabel="y")
        ax.grid(False)

    def update(self, k: int) -> list[Artist]:
        """Show the path up to record ``k``."""
        k = k % self.trace.n_records
        self.line.set_data(self.path[: k + 1, 0], self.path[: k + 1, 1])
        self.head.set_data(self.path[k : k + 1, 0], self.path[k : k + 1, 1])
        gone = self.diverged_at is not None and k >= self.diverged_at
        self.head.set_visible(not gone)
        self.value.set_text("f → ∞" if gone else f"f = {float(self.values[k]):.4g}")
        note = self.style.label("diverged_step", k=self.diverged_at) if gone else ""
        self.note.set_text(note)
        self.note.set_visible(gone)
        # the minimum marker sits on the path: blitting redraws it after the line
        return [self.line, self.minima, self.head, self.value, self.note]


def _contours(ax: Axes, trace: Trace, style: Style) -> None:
    d, levels = trace.data, np.asarray(trace.meta["levels"], dtype=float)
    geometric = levels[0] > 0 and levels[-1] / levels[0] > 100
    norm = LogNorm(levels[0], levels[-1]) if geometric else Normalize(0, levels[-1])
    ax.contour(
        d["X"],
        d["Y"],
        d["Z"],
        levels=levels,
        cmap="viridis",
        norm=norm,
        linewidths=0.9,
        alpha=0.75,
        zorder=1,
    )


def draw_optimizer_path(
    ax: Axes, trace: Trace, name: str, step: int = -1, *, style: Style
) -> list[Artist]:
    """Draw contours and optimizer ``name``'s path up to ``step``; return artists."""
    return _PathPanel(ax, trace, name, style).update(step)


def frame_indices(n_records: int, frames: int | None = None) -> np.ndarray:
    """Evenly spaced record indices, first and last included.

    All of them if ``frames`` is None and there are at most ``MAX_FRAMES``.
    """
    frames = min(n_records, frames or MAX_FRAMES)
    return np.unique(
        np.round(np.linspace(0, n_records - 1, max(frames, 1))).astype(int)
    )


def frames_optimizers(
    trace: Trace, *, style: Style | None = None, frames: int | None = None
) -> FrameSource:
    """The paths advancing together, one panel per optimizer, as a FrameSource."""
    style = style or Style()
    names = trace.meta["optimizers"]
    index = frame_indices(trace.n_records, frames)
    with style.context():
        fig = new_figure(style, layout="constrained")
        axes = fig.subplots(*_GRIDS[len(names)], squeeze=False).ravel()
        panels = [
            _PathPanel(ax, trace, n, style) for ax, n in zip(axes, names, strict=True)
        ]
        title = fig.suptitle(" ")

    def update(i: int) -> Sequence[Artist]:
        k = int(index[i % len(index)])
        title.set_text(_title(trace, k, style))
        return [a for p in panels for a in p.update(k)] + [title]

    return FrameSource(fig, update, len(index), style)


def _title(trace: Trace, k: int, style: Style) -> str:
    formula, last = trace.meta["formula"], trace.n_records - 1
    return f"{formula}      {style.label('step')} {k} / {last}"


def plot_optimizers(
    trace: Trace, *, frame: int = -1, style: Style | None = None
) -> Figure:
    """Every optimizer's path up to step ``frame`` (default: the end), a panel each."""
    source = frames_optimizers(trace, style=style, frames=trace.n_records)
    return source.still(frame % trace.n_records)


def animate_optimizers(
    trace: Trace, *, style: Style | None = None, interval_ms: int = 100
) -> FuncAnimation:
    """Matplotlib FuncAnimation of the paths advancing together."""
    return frames_optimizers(trace, style=style).animation(interval_ms=interval_ms)

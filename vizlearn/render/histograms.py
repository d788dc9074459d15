"""Per-layer histograms of activations and gradients.

The book's activation distributions, and a deep network's activations and
gradients layer by layer over training.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import StepPatch
from numpy.typing import NDArray

from vizlearn.render.curves import LossCursor
from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_layer_histogram",
    "plot_weight_init",
    "draw_ridge",
    "frames_vanishing",
    "plot_vanishing",
    "animate_vanishing",
    "init_label",
]


def init_label(init: str, style: Style) -> str:
    """Name an init in the style's language: 'Xavier', 'He', 'std 0.01'."""
    return (
        style.label(init)
        if init in ("xavier", "he")
        else style.label("init_std", v=init)
    )


def draw_layer_histogram(
    ax: Axes, counts: NDArray, edges: NDArray, *, style: Style, color: str | None = None
) -> StepPatch:
    """Draw one layer's histogram as a filled step patch and return it."""
    return ax.stairs(
        counts, edges, fill=True, color=color or style.colors["data"], alpha=0.85
    )


def plot_weight_init(trace: Trace, *, style: Style | None = None) -> Figure:
    """Rows of per-layer histograms, one row per weight init (and one of gradients)."""
    style = style or Style()
    acts = trace.outputs["activations"][0]
    grads = trace.outputs["gradients"][0] if "gradients" in trace.outputs else None
    n_inits, n_layers = acts.shape[:2]
    with style.context():
        fig = new_figure(style, layout="constrained")
        rows = n_inits * (2 if grads is not None else 1)
        axes = fig.subplots(rows, n_layers, squeeze=False, sharex="row", sharey="row")
        for i in range(n_inits):
            r = i * (2 if grads is not None else 1)
            _activation_row(axes[r], trace, i, style)
            if grads is not None:
                _gradient_row(axes[r + 1], trace, i, style)
        for j, ax in enumerate(axes[0]):
            ax.set_title(style.label("layer_n", i=j + 1), fontsize=9)
        act = trace.meta["activation"]
        fig.suptitle(style.label("weight_init_title", act=style.label(act)))
        fig.draw_without_rendering()
    return fig


def _activation_row(axes: Sequence[Axes], trace: Trace, i: int, style: Style) -> None:
    counts, edges = trace.outputs["activations"][0, i], trace.data["act_edges"]
    zeros, outside = trace.outputs["zeros"][0, i], trace.outputs["outside"][0, i]
    for j, ax in enumerate(axes):
        draw_layer_histogram(ax, counts[j], edges, style=style)
        note = _note(zeros[j], outside[j], edges[-1])
        if note:
            ax.text(
                0.97,
                0.95,
                note,
                transform=ax.transAxes,
                ha="right",
                va="top",
                fontsize=7,
                color=style.colors["foreground"],
                bbox={
                    "boxstyle": "round,pad=0.2",
                    "fc": _face(style),
                    "ec": "none",
                    "alpha": 0.8,
                },
            )
    _row_style(axes, init_label(trace.meta["inits"][i], style), edges)


def _face(style: Style) -> str:
    bg = style.colors["background"]
    return "#ffffff" if bg == "none" else bg


def _note(zero: float, over: float, high: float) -> str:
    """'52% = 0' (kept out of the bars) and '3% > 1' (beyond the range), if any."""
    parts = [f"{100 * zero:.0f}% = 0"] if zero >= 0.005 else []
    parts += [f"{100 * over:.0f}% > {high:g}"] if over >= 0.005 else []
    return "\n".join(parts)


def _gradient_row(axes: Sequence[Axes], trace: Trace, i: int, style: Style) -> None:
    counts, edges = trace.outputs["gradients"][0, i], trace.data["grad_edges"][i]
    for j, ax in enumerate(axes):
        draw_layer_histogram(
            ax, counts[j], edges, style=style, color=style.colors["model"]
        )
    _row_style(axes, style.label("gradient"), edges)


def _row_style(axes: Sequence[Axes], label: str, edges: NDArray) -> None:
    axes[0].set_ylabel(label, fontsize=9)
    axes[0].set_xlim(edges[0], edges[-1])
    for ax in axes:
        ax.tick_params(labelsize=7)
        ax.grid(False)
        ax.locator_params(axis="x", nbins=3)
        ax.locator_params(axis="y", nbins=3)
    for ax in axes[1:]:
        ax.tick_params(labelleft=False)


class Ridge:
    """One histogram per layer stacked upwards (layer 1 at the bottom), updatable."""

    def __init__(
        self, ax: Axes, edges: NDArray, n_layers: int, *, color: str, style: Style
    ) -> None:
        self.edges = edges
        self.patches = [
            ax.stairs(
                np.zeros(len(edges) - 1),
                edges,
                baseline=i + 1,
                fill=True,
                color=color,
                alpha=0.75,
                edgecolor=style.colors["foreground"],
                lw=0.5,
            )
            for i in range(n_layers)
        ]
        spines = [sp for sp in ax.spines.values() if sp.get_visible()]
        self.frame = [*spines, ax.xaxis, ax.yaxis]
        self.notes = [
            ax.text(
                edges[-1],
                i + 1.45,
                " ",
                ha="right",
                va="center",
                fontsize=7,
                color=style.colors["muted"],
            )
            for i in range(n_layers)
        ]
        ax.set_ylim(0.8, n_layers + 1.1)
        ax.set_xlim(edges[0], edges[-1])
        ax.set_yticks(np.arange(1, n_layers + 1))
        ax.set_yticklabels(
            [style.label("layer_n", i=i) for i in range(1, n_layers + 1)]
        )
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(False)

    def update(self, counts: NDArray, notes: Sequence[str] = ()) -> list[Artist]:
        """Set every layer's histogram (each scaled to its own peak) and its note."""
        for i, (patch, c) in enumerate(zip(self.patches, counts, strict=True)):
            h = 0.9 * c / max(float(c.max()), 1.0)
            patch.set_data(values=i + 1 + h, edges=self.edges, baseline=i + 1)
        for text, note in zip(self.notes, notes, strict=False):
            text.set_text(note)
        # the patches touch the spines and ticks: blitting redraws those after them
        return [*self.patches, *self.frame, *self.notes]


def draw_ridge(
    ax: Axes, counts: NDArray, edges: NDArray, *, style: Style, color: str | None = None
) -> list[Artist]:
    """Draw ``counts`` ``(layers, bins)`` as stacked per-layer histograms."""
    ridge = Ridge(
        ax, edges, len(counts), color=color or style.colors["data"], style=style
    )
    return ridge.update(counts)


def frames_vanishing(trace: Trace, *, style: Style | None = None) -> FrameSource:
    """Activations and log10 |dL/dW| per layer over training, with the loss below."""
    style = style or Style()
    out, c = trace.outputs, style.colors
    n_layers = out["activations"].shape[1]
    with style.context():
        fig = new_figure(style, layout="constrained")
        axd = fig.subplot_mosaic(
            [["act", "grad"], ["loss", "loss"]], height_ratios=[3, 1]
        )
        acts = Ridge(
            axd["act"], trace.data["act_edges"], n_layers, color=c["data"], style=style
        )
        grads = Ridge(
            axd["grad"],
            trace.data["grad_edges"],
            n_layers,
            color=c["model"],
            style=style,
        )
        axd["act"].set(
            title=style.label("activation_dist"), xlabel=style.label("layer_output")
        )
        axd["grad"].set(title=style.label("gradient_dist"), xlabel="log₁₀ |∂L/∂W|")
        axd["grad"].tick_params(labelleft=False)
        (means,) = axd["grad"].plot(
            [],
            [],
            "o",
            ms=5,
            color=c["foreground"],
            zorder=5,
            label=f"{style.label('mean')} |∂L/∂W|",
        )
        axd["grad"].legend(loc="upper left", fontsize=8)
        cursor = LossCursor(axd["loss"], trace, style)
        title = fig.suptitle(" ")
    levels = np.arange(1, n_layers + 1) + 0.03

    def update(k: int) -> Sequence[Artist]:
        k %= trace.n_records
        with np.errstate(divide="ignore"):
            means.set_data(np.log10(out["grad_mean"][k]), levels)
        title.set_text(_vanishing_title(trace, k, style))
        high = float(trace.data["act_edges"][-1])
        act_notes = [
            _note(z, o, high)
            for z, o in zip(out["act_zero"][k], out["act_over"][k], strict=True)
        ]
        grad_notes = [_note(z, 0.0, 0.0) for z in out["grad_zero"][k]]
        return [
            *acts.update(out["activations"][k], act_notes),
            *grads.update(out["log_grad"][k], grad_notes),
            means,
            *cursor.update(k),
            title,
        ]

    return FrameSource(fig, update, trace.n_records, style)


def _vanishing_title(trace: Trace, k: int, style: Style) -> str:
    m, cfg = trace.meta, trace.meta.get("config", {})
    head = style.label(
        "deep_net",
        n=cfg.get("layers", "?"),
        act=style.label(cfg.get("activation", "?")),
        init=init_label(m.get("init", "?"), style),
        lr=cfg.get("lr", "?"),
    )
    per_epoch = max(int(m.get("iters_per_epoch", 1)), 1)
    epoch, last = int(trace.steps[k]) // per_epoch, int(m.get("iters", 0)) // per_epoch
    epoch = f"{style.label('epoch')} {epoch} / {last}"
    loss, acc = (
        float(trace.outputs["data_loss"][k]),
        float(trace.outputs["accuracy"][k]),
    )
    return (
        f"{head}\n{epoch}   {style.label('loss')} {loss:.3f}   "
        f"{style.label('accuracy')} {100 * acc:.1f}%"
    )


def plot_vanishing(
    trace: Trace, *, frame: int = -1, style: Style | None = None
) -> Figure:
    """A still of the deep-network animation at snapshot ``frame``."""
    return frames_vanishing(trace, style=style).still(frame % trace.n_records)


def animate_vanishing(
    trace: Trace, *, style: Style | None = None, interval_ms: int = 100
) -> FuncAnimation:
    """Matplotlib FuncAnimation of the per-layer histograms over training."""
    return frames_vanishing(trace, style=style).animation(interval_ms=interval_ms)

"""Batch norm vs none: training accuracy per epoch at each initial weight scale.

Reads a trace of the ``batch-norm`` lesson (runs ordered scale by scale, batch
norm first; ``data/weight_scale``). ``frames_batch_norm`` is the book's 4 x 4
grid (Figure 6-19) growing epoch by epoch: batch norm solid, the plain network
dashed, ``W = s`` over each panel. ``plot_scales`` sums it up: the final
training accuracy of both against the scale.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from vizlearn.render.bands import Band
from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.render.overfit import epochs_of, valid
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["frames_batch_norm", "plot_scales", "names"]


def names(style: Style) -> tuple[str, str]:
    """The legend names of the two networks, as the book's figure has them."""
    return (
        "Batch Normalization",
        style.text("Normal (without BatchNorm)", "通常（Batch Normalization なし）"),
    )


def _pairs(trace: Trace) -> np.ndarray:
    """Training accuracy ``(scales, 2, seeds, evaluations)``, NaN past divergence."""
    acc = valid(trace, "train_acc")
    return acc.reshape(-1, 2, *acc.shape[1:])


def _note_divergence(ax, trace: Trace, i: int, style: Style) -> None:
    """Say in panel ``i`` which network diverged (its curve stops at once)."""
    diverged = trace.meta.get("diverged", [])
    short = (style.text("with BN", "BN あり"), style.text("plain", "なし"))
    lines = []
    for j in (0, 1):
        steps = [d for d in diverged[2 * i + j] if d is not None] if diverged else []
        if steps:
            lines.append(f"{short[j]}: " + style.label("diverged", k=min(steps)))
    if lines:
        ax.text(
            0.97, 0.5, "\n".join(lines), transform=ax.transAxes, ha="right",
            va="center", fontsize=7, color=style.colors["muted"],
        )  # fmt: skip


def frames_batch_norm(
    trace: Trace,
    *,
    style: Style | None = None,
    band: str = "std",
    smooth: float = 0.0,
) -> FrameSource:
    """Frame k: every scale's pair of curves up to frame k's epoch."""
    style = style or Style()
    pairs, scales = _pairs(trace), np.asarray(trace.data["weight_scale"])
    epochs, cycle = epochs_of(trace), style.colors["cycle"]
    cols = min(4, len(scales))
    rows = -(-len(scales) // cols)
    bn_name, plain_name = names(style)
    bands: list[Band] = []
    with style.context():
        fig = new_figure(style, layout="constrained")
        grid = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
        for i, ax in enumerate(grid.flat):
            if i >= len(scales):
                ax.set_visible(False)
                continue
            common = {"style": style, "band": band, "smooth": smooth, "linewidth": 1.4}
            bands.append(
                Band(ax, epochs, pairs[i, 0], color=cycle[0], label=bn_name, **common)
            )
            bands.append(
                Band(
                    ax, epochs, pairs[i, 1], color=cycle[1], linestyle="--",
                    label=plain_name, **common,
                )
            )  # fmt: skip
            ax.set_title(f"W = {scales[i]:.3g}", fontsize=9, pad=2)
            _note_divergence(ax, trace, i, style)
            ax.set(ylim=(0, 1), xlim=(0, max(1.0, float(epochs[-1]))))
            ax.tick_params(labelsize=7)
        handles, labels = grid.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=2, fontsize=8)
        fig.supylabel(style.label("accuracy"), fontsize=9)
        bottom = [ax for ax in grid[-1] if ax.get_visible()]
        bottom[len(bottom) // 2].set_xlabel(style.label("epoch"), fontsize=9)
        title = fig.suptitle(" ")
    at = np.asarray(trace.outputs["epoch"])
    last = int(trace.meta.get("epochs", epochs[-1]))
    head = style.text(
        "training accuracy, {n} training images — ",
        "訓練データの認識精度・訓練データ {n} 枚 — ",
        n=trace.meta.get("n_train"),
    )

    def update(k: int) -> list[Artist]:
        epoch = float(at[k % len(at)])
        title.set_text(head + f"{style.label('epoch')} {epoch:g} / {last}")
        return [a for b in bands for a in b.update(epoch)] + [title]

    return FrameSource(fig, update, len(at), style)


def _diverged(trace: Trace, shape: tuple[int, ...]) -> np.ndarray:
    """``(scales, 2, seeds)``: True where the run's loss became NaN or inf."""
    flags = [[d is not None for d in seeds] for seeds in trace.meta.get("diverged", [])]
    return (
        np.array(flags, dtype=bool).reshape(shape) if flags else np.zeros(shape, bool)
    )


def plot_scales(trace: Trace, *, style: Style | None = None) -> Figure:
    """Final training accuracy of both networks against the initial weight scale.

    A run that diverged has no final accuracy: its scale gets a cross at the
    bottom instead (all seeds diverged) and the mean uses the other seeds.
    """
    style = style or Style()
    pairs, scales = _pairs(trace), np.asarray(trace.data["weight_scale"])
    last = np.asarray(trace.data["n_metrics"]).reshape(pairs.shape[:3]) - 1
    final = np.take_along_axis(pairs, last[..., None], axis=-1)[..., 0]  # (s, 2, seeds)
    diverged = _diverged(trace, final.shape)
    final = np.where(diverged, np.nan, final)
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        for j, (name, marker, ls) in enumerate(
            zip(names(style), ("o", "s"), ("-", "--"), strict=True)
        ):
            color = style.colors["cycle"][j]
            Band(
                ax, scales[::-1], final[::-1, j].T, style=style, marker=marker,
                marks=scales, linestyle=ls, color=color, label=name,
            ).update()  # fmt: skip
            gone = diverged[:, j].all(axis=-1)
            if gone.any():
                ax.plot(
                    scales[gone], np.full(gone.sum(), 0.03), "x", ms=8, mew=2,
                    color=color, label=style.text("diverged", "発散"),
                )  # fmt: skip
        ax.set(xscale="log", ylim=(0, 1))
        ax.set_xlim(scales.min() / 1.6, scales.max() * 1.6)
        ax.set_xlabel(
            style.text("initial weight scale (std)", "重みの初期値の標準偏差")
        )
        ax.set_ylabel(style.label("accuracy"))
        title = style.text(
            "training accuracy after {e} epochs",
            "{e} エポック後の訓練データの認識精度",
            e=trace.meta.get("epochs"),
        )
        ax.set_title(title)
        handles, labels = ax.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
        fig.draw_without_rendering()
    return fig

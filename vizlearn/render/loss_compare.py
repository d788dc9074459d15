"""Networks that differ in one thing (optimizer, initial weights) overlaid on MNIST.

Reads a trace of ``lessons.curve_trials.run_compare`` (the ``optimizers-mnist``
and ``weight-init-mnist`` lessons): ``meta["names"]`` names each network,
``data/loss`` holds every minibatch loss. ``frames_loss_compare`` is the
book's Figure 6-9 / 6-15 (smoothed loss per iteration, a marker shape per
network, here at every epoch boundary) growing iteration by iteration, the
raw loss faint behind it; ``frames_accuracy_compare`` the test accuracy per
epoch of each network, growing the same way.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist

from vizlearn.render.bands import Band
from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.render.overfit import epochs_of, valid
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["network_label", "frames_loss_compare", "frames_accuracy_compare"]

_MARKERS = ("o", "x", "s", "D", "^", "v", "P", "*")
_OPTIMIZERS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "adagrad": "AdaGrad",
    "adam": "Adam",
}


def network_label(trace: Trace, i: int, style: Style) -> str:
    """The legend name: SGD, Adam, std 0.01, Xavier, He (in the style's language)."""
    name = str(trace.meta["names"][i])
    if trace.meta.get("compared") == "optimizer":
        return _OPTIMIZERS.get(name, name)
    if name in ("xavier", "he"):
        return style.label(name)
    return style.label("init_std", v=name)


def _title(trace: Trace, style: Style) -> str:
    if trace.meta.get("compared") == "optimizer":
        return style.text("optimizers on MNIST", "MNIST での最適化手法の比較")
    return style.text("initial weights on MNIST", "MNIST での重みの初期値の比較")


def _frame(trace: Trace, k: int, style: Style) -> str:
    total = int(trace.meta.get("iters", trace.steps[-1]))
    return f"{style.label('iteration')} {int(trace.steps[k]):,} / {total:,}"


def frames_loss_compare(
    trace: Trace,
    *,
    style: Style | None = None,
    band: str = "std",
    smooth: float = 0.9,
) -> FrameSource:
    """Frame k: every network's smoothed loss up to iteration ``trace.steps[k]``."""
    style = style or Style()
    steps, loss = np.asarray(trace.data["loss_steps"]), valid(trace, "loss", "n_loss")
    per_epoch = max(1, int(trace.meta.get("iters_per_epoch", 1)))
    marks = np.arange(0, steps[-1] + 1, per_epoch)  # epoch boundaries
    cycle = style.colors["cycle"]
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        bands = [
            Band(
                ax, steps, runs, style=style, band=band, smooth=smooth,
                color=cycle[i % len(cycle)], label=network_label(trace, i, style),
                marker=_MARKERS[i % len(_MARKERS)], marks=marks,
            )
            for i, runs in enumerate(loss)
        ]  # fmt: skip
        ax.set(xlim=(0, steps[-1] * 1.01), ylim=(0, float(trace.meta.get("ylim", 2.5))))
        ax.set(xlabel=style.label("iteration"), ylabel=style.label("loss"))
        where = "upper right" if trace.meta.get("compared") == "optimizer" else "right"
        ax.legend(loc=where, title=_legend_title(style, band, smooth, per_epoch))
        title = ax.set_title(" ")

    def update(k: int) -> list[Artist]:
        k %= trace.n_records
        title.set_text(f"{_title(trace, style)} — {_frame(trace, k, style)}")
        upto = float(trace.steps[k])
        return [a for b in bands for a in b.update(upto)] + [title]

    return FrameSource(fig, update, trace.n_records, style)


def _legend_title(style: Style, band: str, smooth: float, per_epoch: int) -> str:
    parts = [style.text("markers: every epoch", "マーカー：1 エポックごと")]
    if smooth:
        parts.append(
            style.text(
                "EMA {w:g}, raw faint", "指数移動平均 {w:g}（薄線は生の値）", w=smooth
            )
        )
    return "\n".join(parts)


def frames_accuracy_compare(
    trace: Trace,
    *,
    style: Style | None = None,
    band: str = "std",
    smooth: float = 0.0,
) -> FrameSource:
    """Frame k: every network's test accuracy per epoch up to ``trace.steps[k]``."""
    style = style or Style()
    epochs, acc = epochs_of(trace), valid(trace, "test_acc")
    per_epoch = max(1, int(trace.meta.get("iters_per_epoch", 1)))
    cycle = style.colors["cycle"]
    with style.context():
        fig = new_figure(style, layout="constrained")
        ax = fig.subplots()
        bands = [
            Band(
                ax, epochs, runs, style=style, band=band, smooth=smooth,
                color=cycle[i % len(cycle)], label=network_label(trace, i, style),
                marker=_MARKERS[i % len(_MARKERS)], marks=epochs,
            )
            for i, runs in enumerate(acc)
        ]  # fmt: skip
        ax.set(xlim=(0, max(float(epochs[-1]), 1e-9) * 1.02), ylim=(0, 1))
        ax.set(xlabel=style.label("epoch"), ylabel=style.label("accuracy"))
        # good inits run along the top, a failing one along chance at the bottom
        ax.legend(loc="center right", title=style.label("test"))
        title = ax.set_title(" ")

    def update(k: int) -> list[Artist]:
        k %= trace.n_records
        title.set_text(f"{_title(trace, style)} — {_frame(trace, k, style)}")
        upto = float(trace.steps[k]) / per_epoch
        return [a for b in bands for a in b.update(upto)] + [title]

    return FrameSource(fig, update, trace.n_records, style)

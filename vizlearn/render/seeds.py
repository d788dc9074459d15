"""One lesson trained with several seeds: mean curves with a band, N in the legend.

Reads a trace of runs (`vizlearn.render.runs`) whose ``meta["seeds"]`` lists
the seeds: the loss per iteration (and every per-epoch metric the runs have,
train and test overlaid) as the mean over seeds with a ± std or min-max band,
optionally smoothed with TensorBoard's debiased moving average, the raw mean
kept faint; epoch boundaries marked on the per-iteration chart.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from vizlearn.render.bands import draw_band
from vizlearn.render.frames import new_figure
from vizlearn.render.params import iteration_ticks
from vizlearn.render.runs import Run, read_runs
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = ["plot_seeds"]


def _stack(runs: list[Run], get) -> np.ndarray:
    """Rows of equal length (NaN after a run that stopped early, e.g. diverged)."""
    rows = [np.asarray(get(r), dtype=np.float64) for r in runs]
    n = max((len(r) for r in rows), default=0)
    out = np.full((len(rows), n), np.nan)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def _pairs(runs: list[Run]) -> list[tuple[str, list[str]]]:
    """Metric panels: accuracy (train, test), loss (train, test), any other."""
    names = list(runs[0].metrics)
    panels = []
    for what in ("acc", "loss"):
        members = [n for n in names if n.endswith("_" + what) or n == what]
        if members:
            panels.append((what, members))
    rest = [n for n in names if not any(n in m for _, m in panels)]
    return panels + [(n, [n]) for n in rest]


def plot_seeds(
    trace: Trace,
    *,
    band: str = "std",
    smooth: float = 0.0,
    style: Style | None = None,
) -> Figure:
    """Loss per iteration and the per-epoch metrics, mean over seeds with a band."""
    style = style or Style()
    runs = read_runs(trace)
    seeds = trace.meta.get("seeds", [])
    panels = _pairs(runs) if runs[0].metrics else []
    with style.context():
        fig = new_figure(style, layout="constrained")
        axes = np.atleast_1d(fig.subplots(1, 1 + len(panels), squeeze=False)).ravel()
        ax = axes[0]
        if len(runs[0].loss):
            steps = np.arange(_stack(runs, lambda r: r.loss).shape[1])
            per_epoch = runs[0].iters_per_epoch
            marks = steps[::per_epoch] if per_epoch > 1 else ()
            draw_band(
                ax,
                steps,
                _stack(runs, lambda r: r.loss),
                style=style,
                band=band,
                smooth=smooth,
                color=style.colors["model"],
                label=style.label("loss"),
                marker="|" if len(marks) else None,
                marks=marks,
            )
            _fit(ax)
            ax.set(xlabel=style.label("iteration"), ylabel=style.label("loss"))
            ax.set_xlim(0, max(1, steps[-1]))
            iteration_ticks(ax)
            ax.legend(loc="upper right")
        for ax, (what, members) in zip(axes[1:], panels, strict=True):
            epochs = runs[0].epochs
            for color, name in zip(style.colors["cycle"], members, strict=False):
                draw_band(
                    ax,
                    epochs,
                    _stack(runs, lambda r, name=name: r.metrics[name]),
                    style=style,
                    band=band,  # per epoch: few points, not smoothed
                    color=color,
                    label=_metric_label(name, style),
                    linestyle="--" if name.startswith("test") else "-",
                )
            _fit(ax)
            ax.set(xlabel=style.label("epoch"), ylabel=_what(what, style))
            ax.legend(loc="best")
        spread = style.text("mean ± std", "平均 ± 標準偏差")
        if band == "minmax":
            spread = style.text("mean, min-max", "平均と最小・最大")
        fig.suptitle(
            f"{trace.meta.get('lesson', '')}: "
            + style.text("{n} seeds", "シード {n} 個", n=len(seeds))
            + f" ({_seed_text(seeds)}), {spread}"
        )
        fig.draw_without_rendering()
    return fig


def _fit(ax) -> None:
    """Limits around what the bands drew (they fill data in after plotting)."""
    ax.relim()
    ax.autoscale_view()


def _metric_label(name: str, style: Style) -> str:
    if name.startswith("train"):
        return style.label("train")
    if name.startswith("test"):
        return style.label("test")
    return name


def _what(what: str, style: Style) -> str:
    return {"acc": style.label("accuracy"), "loss": style.label("loss")}.get(what, what)


def _seed_text(seeds: list[int]) -> str:
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ",".join(map(str, seeds))

"""Curves of several seeds drawn honestly: the mean, a band, N, and faint raw data.

One seed's curve says little when the seed-to-seed spread is as large as the
effect shown. ``draw_band(ax, steps, runs)`` draws the mean of ``runs``
``(n_seeds, n_steps)`` with a band (± one standard deviation, or min to max)
and ``(N = 10)`` in the legend; with ``smooth`` it draws the debiased
exponential moving average TensorBoard's slider draws, computed on every
point, with the unsmoothed mean kept faint behind it; ``marks`` puts markers
at given steps (epoch boundaries on a per-iteration chart).

NaN marks points a run does not have (it diverged, or stopped earlier): the
mean and band use the runs that have the point. ``Band`` keeps the artists and
``update(upto)`` shows the curve up to a step, for animations.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.patches import Polygon
from numpy.typing import ArrayLike, NDArray

from vizlearn.style import Style

__all__ = ["BANDS", "ema", "summarize", "seed_label", "Band", "draw_band"]

BANDS = ("std", "minmax")


def ema(values: ArrayLike, weight: float) -> NDArray[np.float64]:
    """Debiased exponential moving average along the last axis, as TensorBoard.

    ``last = weight * last + (1 - weight) * value`` from ``last = 0``, divided
    by ``1 - weight ** k`` after ``k`` finite values, so the start is not pulled
    towards 0. Non-finite values are passed through and leave ``last`` alone.
    """
    if not 0 <= weight < 1:
        raise ValueError(f"smoothing weight must be in [0, 1), got {weight}")
    v = np.asarray(values, dtype=np.float64)
    out = v.copy()
    if weight == 0 or v.shape[-1] == 0:
        return out
    last = np.zeros(v.shape[:-1])
    count = np.zeros(v.shape[:-1])
    for i in range(v.shape[-1]):  # vectorized over the runs; loops over time
        x = v[..., i]
        ok = np.isfinite(x)
        last = np.where(ok, weight * last + (1 - weight) * np.where(ok, x, 0), last)
        count += ok
        debiased = last / np.where(count > 0, 1 - weight**count, 1)
        out[..., i] = np.where(ok, debiased, x)
    return out


def summarize(runs: ArrayLike, band: str = "std") -> tuple[NDArray, NDArray, NDArray]:
    """(mean, low, high) over the seeds (axis 0), ignoring NaN; NaN where none.

    "std": mean ± the sample standard deviation (n - 1); "minmax": the range.
    """
    if band not in BANDS:
        raise ValueError(f"band must be one of {', '.join(BANDS)}, not {band!r}")
    r = np.atleast_2d(np.asarray(runs, dtype=np.float64))
    ok = np.isfinite(r)
    k = ok.sum(axis=0)
    z = np.where(ok, r, 0.0)
    mean = z.sum(axis=0) / np.maximum(k, 1)
    if band == "std":
        squares = np.where(ok, (z - mean) ** 2, 0.0).sum(axis=0)
        dev = np.sqrt(squares / np.maximum(k - 1, 1))
        low, high = mean - dev, mean + dev
    else:
        low = np.where(ok, r, np.inf).min(axis=0)
        high = np.where(ok, r, -np.inf).max(axis=0)
    have = k > 0
    return tuple(np.where(have, a, np.nan) for a in (mean, low, high))  # type: ignore


def seed_label(label: str, n: int) -> str:
    """``label`` with ``(N = n)`` when it is the mean of several seeds."""
    return f"{label} (N = {n})" if n > 1 else label


class Band:
    """The artists of one mean curve: band, faint raw mean, mean (+ markers)."""

    def __init__(
        self,
        ax: Axes,
        steps: ArrayLike,
        runs: ArrayLike,
        *,
        style: Style,
        band: str = "std",
        smooth: float = 0.0,
        color: object = None,
        label: str | None = None,
        linestyle: str = "-",
        marker: str | None = None,
        marks: Sequence[float] = (),
        linewidth: float = 1.8,
    ) -> None:
        self.steps = np.asarray(steps, dtype=np.float64)
        raw = np.atleast_2d(np.asarray(runs, dtype=np.float64))
        self.n = len(raw)
        curves = ema(raw, smooth) if smooth else raw
        self.mean, self.low, self.high = summarize(curves, band)
        self.raw = summarize(raw, band)[0] if smooth else None
        self.marks = np.searchsorted(self.steps, np.asarray(marks, dtype=float))
        text = seed_label(label, self.n) if label is not None else None
        (self.line,) = ax.plot(
            [], [], color=color, ls=linestyle, lw=linewidth, label=text, zorder=3
        )
        color = self.line.get_color()
        if marker is not None:
            self.line.set(marker=marker, ms=5, markevery=[], mfc=color, mec=color)
        self.patch: Polygon | None = None
        if self.n > 1:
            self.patch = Polygon(
                np.zeros((0, 2)), closed=True, fc=color, ec="none", alpha=0.2, zorder=2
            )
            ax.add_patch(self.patch)
        self.faint = None
        if self.raw is not None:
            (self.faint,) = ax.plot([], [], color=color, lw=0.6, alpha=0.22, zorder=2.5)

    def artists(self) -> list[Artist]:
        """Every artist this curve owns, band first."""
        return [a for a in (self.patch, self.faint, self.line) if a is not None]

    def update(self, upto: float = np.inf) -> list[Artist]:
        """Show the points with ``step <= upto``; return the artists."""
        n = int(np.searchsorted(self.steps, upto, side="right"))
        x = self.steps[:n]
        self.line.set_data(x, self.mean[:n])
        if self.line.get_marker() not in (None, "None", ""):
            self.line.set_markevery([int(i) for i in self.marks if i < n])
        if self.faint is not None:
            self.faint.set_data(x, self.raw[:n])
        if self.patch is not None:
            ok = np.isfinite(self.low[:n]) & np.isfinite(self.high[:n])
            lo, hi, xs = self.low[:n][ok], self.high[:n][ok], x[ok]
            xy = np.concatenate(
                [np.column_stack([xs, lo]), np.column_stack([xs, hi])[::-1]]
            )
            self.patch.set_xy(xy if len(xy) else np.zeros((1, 2)))
            self.patch.set_visible(len(xs) > 1)
        return self.artists()


def draw_band(
    ax: Axes,
    steps: ArrayLike,
    runs: ArrayLike,
    *,
    style: Style,
    band: str = "std",
    smooth: float = 0.0,
    color: object = None,
    label: str | None = None,
    linestyle: str = "-",
    marker: str | None = None,
    marks: Sequence[float] = (),
) -> list[Artist]:
    """Draw the mean of ``runs`` ``(n_seeds, n_steps)`` over ``steps`` with its band.

    Parameters
    ----------
    band
        "std" (mean ± one standard deviation) or "minmax"; one run: no band.
    smooth
        Weight of the debiased EMA in [0, 1) (TensorBoard's slider); the raw
        mean stays faint behind the smoothed one.
    marks
        Steps that get a marker (e.g. epoch boundaries), with ``marker``.

    Returns
    -------
    list of Artist
        The band (if several seeds), the faint raw mean (if smoothed), the mean.
    """
    return Band(
        ax,
        steps,
        runs,
        style=style,
        band=band,
        smooth=smooth,
        color=color,
        label=label,
        linestyle=linestyle,
        marker=marker,
        marks=marks,
    ).update()

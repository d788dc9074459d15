"""Gradient descent on x0² + x1²: three learning rates side by side, and the field."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from vizlearn.render.frames import FrameSource, new_figure
from vizlearn.style import Style
from vizlearn.trace import Trace

__all__ = [
    "draw_path",
    "draw_values",
    "draw_surface",
    "draw_quiver",
    "frames_descent",
    "plot_descent",
    "plot_gradient_field",
]

BOOK_LIMITS = ((-3.5, 3.5), (-4.5, 4.5))  # gradient_method.py's xlim and ylim
_BOX = {"boxstyle": "round,pad=0.3", "alpha": 0.9}


def _lr_title(trace: Trace, name: str, style: Style) -> str:
    lr = trace.meta["lr"][name]
    verdict = {
        "main": "",
        "large": style.text(": too large", "：大きすぎる"),
        "small": style.text(": too small", "：小さすぎる"),
    }[name]
    return style.text("lr = {lr:g}{v}", "学習率 {lr:g}{v}", lr=lr, v=verdict)


class _PathPanel:
    """One run's points up to step k; ``update(k)`` moves them."""

    def __init__(self, ax: Axes, trace: Trace, name: str, style: Style) -> None:
        c = style.colors
        self.ax, self.trace, self.name, self.style = ax, trace, name, style
        self.path = trace.outputs[f"path/{name}"]
        self.color = c["cycle"][("main", "large", "small").index(name)]
        for xy in (([-5, 5], [0, 0]), ([0, 0], [-5, 5])):  # the book's dashed axes
            ax.plot(*xy, "--", color=c["muted"], lw=1.0, zorder=1)
        if name == "large":
            self._symlog()
        else:
            self._circles()
        (self.line,) = ax.plot([], [], "o-", color=self.color, ms=4.5, lw=0.8, zorder=3)
        (self.head,) = ax.plot(
            [], [], "o", color=self.color, ms=8, mec=c["foreground"], zorder=4
        )
        box = _BOX | {"fc": c["background"], "ec": c["grid"]}
        # the diverging run leaves quadrant I empty; the others end near the middle
        at = (
            (0.97, 0.97, "right", "top")
            if name == "large"
            else (0.03, 0.03, "left", "bottom")
        )
        self.note = ax.text(
            at[0],
            at[1],
            " ",
            ha=at[2],
            va=at[3],
            transform=ax.transAxes,
            fontsize=8.5,
            bbox=box,
            zorder=5,
        )
        ax.set_title(_lr_title(trace, name, style))
        ax.set(xlabel="x0", ylabel="x1")

    def _circles(self) -> None:
        t = np.linspace(0, 2 * np.pi, 121)
        for r in (1, 2, 3, 4, 5, 6):
            self.ax.plot(
                r * np.cos(t), r * np.sin(t), color=self.style.colors["grid"], lw=0.8
            )
        self.ax.set(xlim=BOOK_LIMITS[0], ylim=BOOK_LIMITS[1])  # the book's

    def _symlog(self) -> None:
        top = max(1, int(np.ceil(np.log10(float(np.abs(self.path).max()) * 5))))
        ticks = [10.0**e for e in range(top, 0, -6)][::-1]  # a tick every 6 decades
        ticks = [-t for t in ticks[::-1]] + [0.0] + ticks
        for axis in ("x", "y"):
            getattr(self.ax, f"set_{axis}scale")("symlog", linthresh=10)
            getattr(self.ax, f"set_{axis}ticks")(ticks)
            getattr(self.ax, f"set_{axis}lim")(-(10.0**top), 10.0**top)
        self.ax.minorticks_off()

    def update(self, k: int) -> list[Artist]:
        """Show the points of steps 0..k."""
        p = self.path
        self.line.set_data(p[: k + 1, 0], p[: k + 1, 1])
        self.head.set_data(p[k : k + 1, 0], p[k : k + 1, 1])
        self.note.set_text(self._note(k))
        return [self.line, self.head, self.note]

    def _note(self, k: int) -> str:
        x, style = self.path[k], self.style
        stuck = self.trace.meta["stuck"].get(self.name)
        if stuck is not None and k > stuck:
            return style.text(
                "stuck since step {s}: x + h == x,\nso the numerical gradient is 0",
                "{s} 回目から停止：x + h == x となり\n数値微分の勾配が 0",
                s=stuck,
            )
        if self.name == "small":
            moved = float(np.linalg.norm(x - self.path[0]))
            return style.text(
                "moved {d:.1e} in {k} steps",
                "{k} 回で {d:.1e} しか動かない",
                d=moved,
                k=k,
            )
        return f"x = ({x[0]:.3g}, {x[1]:.3g})"


def draw_path(
    ax: Axes, trace: Trace, name: str, step: int = -1, *, style: Style
) -> list[Artist]:
    """Draw run ``name`` (main, large or small) up to ``step``; return its artists."""
    return _PathPanel(ax, trace, name, style).update(step % trace.n_records)


class _ValuePanel:
    """f(x) per step for every run, on a log axis, growing with k."""

    def __init__(self, ax: Axes, trace: Trace, style: Style) -> None:
        c, runs = style.colors, trace.meta["runs"]
        self.values = [trace.outputs[f"value/{n}"] for n in runs]
        self.lines = []
        for i, name in enumerate(runs):
            (line,) = ax.plot(
                [],
                [],
                "o-",
                ms=3,
                color=c["cycle"][i],
                label=_lr_title(trace, name, style),
            )
            self.lines.append(line)
        values = np.concatenate(self.values)
        positive = values[values > 0]
        ax.set_yscale("log")
        ax.set(
            xlim=(-0.5, trace.n_records - 0.5),
            ylim=(positive.min() / 10, positive.max() * 10),
            xlabel=style.text("step", "更新回数"),
            ylabel="f(x0, x1)",
        )
        ax.set_title(style.text("the function's value", "関数の値"))
        self.legend = ax.legend(loc="center right")  # below the stuck curve

    def update(self, k: int) -> list[Artist]:
        """Show steps 0..k."""
        steps = np.arange(k + 1)
        for line, v in zip(self.lines, self.values, strict=True):
            line.set_data(steps, v[: k + 1])
        return [*self.lines, self.legend]  # the legend is drawn above the lines


def draw_values(
    ax: Axes, trace: Trace, step: int = -1, *, style: Style
) -> list[Artist]:
    """Draw f per step of every run up to ``step`` (log axis); return the lines."""
    return _ValuePanel(ax, trace, style).update(step % trace.n_records)


def frames_descent(trace: Trace, *, style: Style | None = None) -> FrameSource:
    """The three runs stepping together (2 x 2 panels), one frame per step."""
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        axes = fig.subplots(2, 2).ravel()
        panels = [
            _PathPanel(ax, trace, name, style)
            for ax, name in zip(
                axes[[0, 1, 2]], ("main", "large", "small"), strict=True
            )
        ]
        values = _ValuePanel(axes[3], trace, style)
        title = fig.suptitle(" ")

    def update(k: int) -> Sequence[Artist]:
        k = k % trace.n_records
        title.set_text(
            style.text(
                "gradient descent on {f}   step {k} / {n}",
                "{f} の勾配降下法   更新 {k} / {n} 回",
                f=trace.meta["formula"],
                k=k,
                n=trace.n_records - 1,
            )
        )
        return [a for p in panels for a in p.update(k)] + values.update(k) + [title]

    return FrameSource(fig, update, trace.n_records, style)


def plot_descent(
    trace: Trace, *, frame: int = -1, style: Style | None = None
) -> Figure:
    """The three runs up to step ``frame`` (default: the last)."""
    return frames_descent(trace, style=style).still(frame % trace.n_records)


def draw_surface(ax: Axes, trace: Trace, *, style: Style) -> list[Artist]:
    """Draw the 3-D surface of f onto a 3-D ``ax``; return it."""
    d, c = trace.data, style.colors
    surface = ax.plot_surface(
        d["surface/X"],
        d["surface/Y"],
        d["surface/Z"],
        cmap="viridis",
        rstride=2,
        cstride=2,
        linewidth=0.3,
        edgecolor=c["background"],
        alpha=0.95,
    )
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_pane_color(c["background"])
    ax.set(xlabel="x0", ylabel="x1")  # z is f: the title says so
    ax.set_title(trace.meta["formula"])
    ax.view_init(elev=25, azim=-60)
    ax.set_box_aspect(None, zoom=0.9)
    return [surface]


def draw_quiver(ax: Axes, trace: Trace, *, style: Style) -> list[Artist]:
    """Draw the book's arrows of minus the gradient (gradient_2d.py); return them."""
    d, c = trace.data, style.colors
    color = "#666666" if style.theme != "dark" else c["muted"]
    arrows = ax.quiver(
        d["quiver/x"],
        d["quiver/y"],
        d["quiver/u"],
        d["quiver/v"],
        angles="xy",
        color=color,
    )
    ax.set(xlim=(-2, 2), ylim=(-2, 2), xlabel="x0", ylabel="x1")
    ax.set_aspect("equal")
    ax.grid(True)
    return [arrows]


def plot_gradient_field(trace: Trace, *, style: Style | None = None) -> Figure:
    """The surface of f (left) and the field of minus-gradient arrows (right)."""
    style = style or Style()
    with style.context():
        fig = new_figure(style, layout="constrained")
        draw_surface(fig.add_subplot(1, 2, 1, projection="3d"), trace, style=style)
        ax = fig.add_subplot(1, 2, 2)
        draw_quiver(ax, trace, style=style)
        ax.set_title(
            style.text(
                "minus the gradient points at the minimum",
                "勾配にマイナスをつけたベクトル",
            )
        )
        fig.suptitle(style.text("the gradient", "勾配"))
        fig.draw_without_rendering()
    return fig

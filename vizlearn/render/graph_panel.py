"""The graph of a graph trace on one Axes: layout, shapes, labels and frame state.

:class:`GraphPanel` lays the graph out (:mod:`vizlearn.render.graph_layout`)
in ems, picks the font size that fits the Axes, draws the nodes and edges
once, and places every value and gradient label where it covers the fewest
labels and nodes; ``update(k)`` fills in what frame k of the passes shows and
rings the node being worked on, with the local derivative it multiplies by.
Kept as one class past 300 lines: every method shares the layout's geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch, Patch

from vizlearn.render.graph_layout import Layout, layout
from vizlearn.render.graph_text import Graph, State, book_edges, format_value
from vizlearn.style import Style

__all__ = ["GraphPanel", "DEZERO_VARIABLE", "DEZERO_FUNCTION", "port_label"]

DEZERO_VARIABLE = "#ffa500"  # Graphviz "orange", as DeZero's _dot_var
DEZERO_FUNCTION = "#add8e6"  # Graphviz "lightblue", as DeZero's _dot_func
_MAX_FONT = 14.0  # points
_MIN_FONT = 3.0


@dataclass
class _Node:
    """A box to lay out: a function, a variable (DeZero look) or a port (book)."""

    key: str
    kind: str  # "func", "var", "in", "out"
    index: int
    size: tuple[float, float]


class _Measure:
    """Text widths in ems (the graph's unit), measured by the figure's renderer."""

    def __init__(self, fig: Figure) -> None:
        self.renderer = fig.canvas.get_renderer()
        self.prop = FontProperties(size=10)
        self.scale = 10 * fig.dpi / 72

    def width(self, text: str) -> float:
        if not text:
            return 0.0
        w, _, _ = self.renderer.get_text_width_height_descent(
            text, self.prop, ismath=False
        )
        return w / self.scale


class GraphPanel:
    """The graph on one Axes; ``update(k)`` shows frame ``k`` of the passes."""

    def __init__(
        self,
        fig: Figure,
        ax: Axes,
        graph: Graph,
        style: Style,
        *,
        look: str = "book",
        direction: str = "LR",
    ) -> None:
        if look not in ("book", "dezero"):
            raise ValueError(f"look must be book or dezero, not {look!r}")
        self.g, self.style, self.look, self.direction = graph, style, look, direction
        self.ax, self.fig = ax, fig
        # a graph of matrices shows shapes on its edges (the equation gives values)
        self.shapes = any(v is not None and v.ndim >= 2 for v in graph.value)
        self.measure = measure = _Measure(fig)
        self.nodes, self.edges = self._build(measure)
        self.lay = self._layout(measure)
        self.em = self._fit()
        self.at = {n.key: i for i, n in enumerate(self.nodes)}
        c = style.colors
        self.fg, self.grad_color = c["foreground"], c["model"]
        self._draw_nodes()
        self._draw_edges()
        self.texts = self._make_texts()
        self.callout = ax.text(
            0,
            0,
            "",
            fontsize=0.85 * self.em,
            color=self.grad_color,
            zorder=6,
            ha="center",
            va="center",
            bbox={
                "boxstyle": "round,pad=0.3",
                "fc": _bg(style),
                "ec": self.grad_color,
                "lw": 0.8,
                "alpha": 0.95,
            },
        )
        self.ring = Ellipse((0, 0), 1, 1, fill=False, lw=2.2, zorder=5, visible=False)
        ax.add_patch(self.ring)

    def _fname(self, f: int) -> str:
        """A function's label: the book's sign (×), or DeZero's class name (Mul)."""
        return self.g.name(f) if self.look == "dezero" else self.g.labels[f]

    def fmt(self, value: np.ndarray | None) -> str:
        """A value on an edge or in a node: a number, a short vector, or a shape."""
        if value is None or value.ndim == 0:
            return format_value(value)
        return format_value(value, shape_only=self.shapes)

    # --- what to lay out -----------------------------------------------------

    def _build(
        self, m: _Measure
    ) -> tuple[list[_Node], list[tuple[str, str, int, int | None]]]:
        g, nodes = self.g, []
        for i, kind in enumerate(g.kinds):
            if kind == "func":
                nodes.append(
                    _Node(f"f{i}", "func", i, self._func_size(m, self._fname(i)))
                )
            elif self.look == "dezero":
                nodes.append(_Node(f"v{i}", "var", i, self._var_size(m, i)))
        if self.look == "dezero":
            edges = [
                (
                    ("v" if g.kinds[a] == "var" else "f") + str(a),
                    ("v" if g.kinds[b] == "var" else "f") + str(b),
                    a if g.kinds[a] == "var" else b,
                    e if g.kinds[a] == "var" else None,
                )
                for e, (a, b) in enumerate(g.edges)
            ]
            return nodes, edges
        edges = _book_edges(g)
        for src, dst, v, _ in edges:
            for key in (src, dst):
                if key[0] in "io" and all(n.key != key for n in nodes):
                    w = m.width(port_label(g, v)) + 0.4
                    nodes.append(
                        _Node(key, "in" if key[0] == "i" else "out", v, (w, 1.4))
                    )
        return nodes, edges

    def _func_size(self, m: _Measure, label: str) -> tuple[float, float]:
        w = m.width(label)
        if self.look == "dezero":
            return (w + 1.4, 1.8)
        if len(label) <= 3:  # ×, +, exp: a circle, as the book draws them
            d = max(2.4, w + 1.0)
            return (d, d)
        return (w + 1.2, 2.2)

    def _var_size(self, m: _Measure, i: int) -> tuple[float, float]:
        g = self.g
        lines = [g.labels[i], self.fmt(g.value[i]), "∂ " + self.fmt(g.grad[i])]
        return (max(m.width(t) for t in lines) * 1.25 + 1.4, 4.0)

    def _label_widths(self, m: _Measure) -> list[float]:
        """Per edge, the wider of its value and gradient texts (ems)."""
        widths = []
        for _, _, v, e in self.edges:
            flow = self.g.flow[e] if e is not None else self.g.grad[v]
            widths.append(max(m.width(self.fmt(x)) for x in (self.g.value[v], flow)))
        return widths

    def _layout(self, m: _Measure) -> Layout:
        keys = {n.key: i for i, n in enumerate(self.nodes)}
        pairs = [(keys[a], keys[b]) for a, b, _, _ in self.edges]
        sizes = [n.size for n in self.nodes]
        common = {"sizes": sizes, "direction": self.direction}
        if self.look == "dezero":
            return layout(len(sizes), pairs, node_gap=1.0, layer_gap=1.6, **common)
        widths = self._label_widths(m)
        if self.direction == "LR":  # labels above and below: room along each edge
            gaps = [2.2 * w + 3.0 for w in widths]
            return layout(
                len(sizes), pairs, node_gap=4.0, layer_gap=3.0, edge_gaps=gaps, **common
            )
        widest = max(widths, default=1.0)  # labels left and right of the edges
        return layout(
            len(sizes), pairs, node_gap=2 * widest + 1.5, layer_gap=3.0, **common
        )

    def _fit(self) -> float:
        """Font size (points per em) that fits the layout into the axes; set limits."""
        x0, y0, x1, y1 = self.lay.bounds
        pad = 1.2
        x0, y0, x1, y1 = x0 - pad, y0 - pad - 1.0, x1 + pad, y1 + pad
        box = self.ax.get_position()
        w_pt = box.width * self.fig.get_figwidth() * 72
        h_pt = box.height * self.fig.get_figheight() * 72
        em = float(
            np.clip(min(w_pt / (x1 - x0), h_pt / (y1 - y0)), _MIN_FONT, _MAX_FONT)
        )
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half_w, half_h = w_pt / em / 2, h_pt / em / 2
        self.ax.set_xlim(cx - half_w, cx + half_w)
        self.ax.set_ylim(cy - half_h, cy + half_h)
        self.ax.set_axis_off()
        for part in (*self.ax.spines.values(), self.ax.xaxis, self.ax.yaxis):
            part.set_visible(False)  # off for the blitter too, not only axison
        return em

    # --- static drawing ------------------------------------------------------

    def _draw_nodes(self) -> None:
        for i, node in enumerate(self.nodes):
            (x, y), (w, h) = self.lay.centers[i], node.size
            if node.kind == "func":
                self._draw_function(x, y, w, h, self._fname(node.index))
            elif node.kind == "var":
                self.ax.add_patch(
                    Ellipse(
                        (x, y),
                        w,
                        h,
                        facecolor=DEZERO_VARIABLE,
                        lw=1.0,
                        edgecolor="#a86c00",
                        zorder=3,
                    )
                )
            else:  # a port of the book's look: the input's or output's name
                left = node.kind == "in"
                self._text(
                    x + w / 2 if left else x - w / 2,
                    y,
                    port_label(self.g, node.index),
                    ha="right" if left else "left",
                    va="center",
                )

    def _draw_function(
        self, x: float, y: float, w: float, h: float, label: str
    ) -> None:
        dezero = self.look == "dezero"
        circle = not dezero and abs(w - h) < 1e-9
        if circle:
            patch: Patch = Ellipse((x, y), w, h)
        else:
            patch = FancyBboxPatch(
                (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.3"
            )
        patch.set(
            facecolor=DEZERO_FUNCTION if dezero else _bg(self.style),
            edgecolor="#4a6f7d" if dezero else self.fg,
            lw=1.2,
            zorder=3,
        )
        self.ax.add_patch(patch)
        text = self._text(
            x,
            y,
            label,
            ha="center",
            va="center",
            color="#000000" if dezero else self.fg,
        )
        if circle and len(label) == 1:  # ×, +: the book's big operator signs
            text.set_fontsize(1.25 * self.em)

    def _draw_edges(self) -> None:
        for (src, dst, _, _), route in zip(self.edges, self.lay.routes, strict=True):
            pts = route.copy()
            pts[0] = self._boundary(src, pts[1])
            pts[-1] = self._boundary(dst, pts[-2])
            if len(pts) > 2:
                self.ax.plot(pts[:-1, 0], pts[:-1, 1], color=self.fg, lw=1.0, zorder=2)
            arrow = FancyArrowPatch(
                pts[-2],
                pts[-1],
                arrowstyle="-|>",
                mutation_scale=self.em * 1.0,
                color=self.fg,
                lw=1.0,
                zorder=2,
                shrinkA=0,
                shrinkB=0,
            )
            self.ax.add_patch(arrow)

    def _boundary(self, key: str, toward: np.ndarray) -> np.ndarray:
        """Where the segment from the node's centre to ``toward`` leaves its shape."""
        i = self.at[key]
        (cx, cy), (w, h) = self.lay.centers[i], self.nodes[i].size
        d = np.asarray(toward, float) - (cx, cy)
        if not d.any():
            return np.array([cx, cy])
        node = self.nodes[i]
        if node.kind in ("in", "out"):
            w, h = w + 0.6, 1.2
        if node.kind == "var" or (
            node.kind == "func" and self.look == "book" and abs(w - h) < 1e-9
        ):
            t = 1.0 / np.hypot(d[0] / (w / 2), d[1] / (h / 2))
        else:
            t = min(
                abs((w / 2) / d[0]) if d[0] else np.inf,
                abs((h / 2) / d[1]) if d[1] else np.inf,
            )
        return np.array([cx, cy]) + min(t, 1.0) * d

    def _text(self, x: float, y: float, text: str = "", **kw) -> Artist:
        kw.setdefault("color", self.fg)
        return self.ax.text(x, y, text, fontsize=self.em, zorder=4, **kw)

    def _make_texts(self) -> dict[str, list[Artist]]:
        """The texts frames fill in: values and gradients (none shown yet)."""
        texts: dict[str, list[Artist]] = {"value": [], "grad": []}
        self.slots: list[tuple[str, int, int | None]] = []
        self.obstacles = [  # em boxes (x0, y0, x1, y1) the callout should not cover
            (*(c - n.size / 2), *(c + n.size / 2))
            for c, n in zip(self.lay.centers, map(_np_size, self.nodes), strict=True)
        ]
        if self.look == "dezero":
            for i, node in enumerate(self.nodes):
                if node.kind == "var":
                    x, y = self.lay.centers[i]
                    dark = {"ha": "center", "va": "center", "color": "#000000"}
                    self._text(x, y + 1.0, self.g.labels[node.index], **dark)
                    texts["value"].append(self._text(x, y, **dark))
                    texts["grad"].append(
                        self._text(x, y - 1.0, **{**dark, "color": "#8b0000"})
                    )
                    self.slots.append(("var", node.index, None))
            return texts
        for (src, _, v, e), route in zip(self.edges, self.lay.routes, strict=True):
            p0 = self._boundary(src, route[1])
            flow = self.g.flow[e] if e is not None else self.g.grad[v]
            widths = [self.measure.width(self.fmt(x)) for x in (self.g.value[v], flow)]
            above, below = self._label_spots(p0, route[1], max(widths))
            texts["value"].append(self._text(**above))
            bold = "bold" if self.style.lang == "en" else "normal"  # no bold in JA
            texts["grad"].append(
                self._text(**below, color=self.grad_color, fontweight=bold)
            )
            self.slots.append(("edge", v, e))
        return texts

    def _label_spots(self, p0: np.ndarray, p1: np.ndarray, width: float):
        """Where an edge's value (above/left) and gradient (below/right) go.

        Near the source end, where edges into one node are still apart, and far
        enough from the line that a steep edge does not run through them; of a
        few places along the edge, the one that covers the fewest labels and
        nodes placed so far.
        """
        best, best_cost = None, np.inf
        placed = np.array(self.obstacles)
        for t in (0.3, 0.45, 0.2, 0.6, 0.7):
            spots, boxes = self._spots_at(p0 + t * (p1 - p0), p1 - p0, width)
            lo = np.maximum(placed[:, None, :2], np.array(boxes)[None, :, :2])
            hi = np.minimum(placed[:, None, 2:], np.array(boxes)[None, :, 2:])
            cost = float(np.clip(hi - lo, 0, None).prod(axis=2).sum()) + abs(t - 0.3)
            if cost < best_cost:
                best, best_cost = (spots, boxes), cost
        spots, boxes = best
        self.obstacles.extend(boxes)
        return spots

    def _spots_at(self, at: np.ndarray, d: np.ndarray, width: float):
        """Text positions and their boxes around point ``at`` of a segment ``d``."""
        if self.direction == "LR":
            lift = 0.3 + abs(d[1] / d[0]) * width / 2 if d[0] else 0.5
            x0, x1, h = at[0] - width / 2, at[0] + width / 2, 1.1
            return (
                {"x": at[0], "y": at[1] + lift, "ha": "center", "va": "bottom"},
                {"x": at[0], "y": at[1] - lift, "ha": "center", "va": "top"},
            ), [
                (x0, at[1] + lift, x1, at[1] + lift + h),
                (x0, at[1] - lift - h, x1, at[1] - lift),
            ]
        shift = 0.4 + (abs(d[0] / d[1]) * 0.6 if d[1] else 0.0)
        return (
            {"x": at[0] - shift, "y": at[1], "ha": "right", "va": "center"},
            {"x": at[0] + shift, "y": at[1], "ha": "left", "va": "center"},
        ), [
            (at[0] - shift - width, at[1] - 0.55, at[0] - shift, at[1] + 0.55),
            (at[0] + shift, at[1] - 0.55, at[0] + shift + width, at[1] + 0.55),
        ]

    # --- per frame -----------------------------------------------------------

    def update(self, k: int) -> list[Artist]:
        """Show frame ``k``: fill the values and gradients known by then."""
        s = self.g.state(k)
        for (kind, v, e), value, grad in zip(
            self.slots, self.texts["value"], self.texts["grad"], strict=True
        ):
            value.set_text(self.fmt(self.g.value[v]) if v in s.values else "")
            if kind == "var":
                grad.set_text("∂ " + self.fmt(self.g.grad[v]) if v in s.grads else "")
            elif e is None:
                grad.set_text(self.fmt(self.g.grad[v]) if v in s.grads else "")
            else:
                flow = self.g.flow[e]
                grad.set_text(
                    self.fmt(flow) if e in s.flows and flow is not None else ""
                )
        self._highlight(s)
        return [*self.texts["value"], *self.texts["grad"], self.ring, self.callout]

    def _highlight(self, s: State) -> None:
        if s.active is None:
            self.ring.set_visible(False)
            self.callout.set_text("")
            return
        i = self.at[f"f{s.active}"]
        (x, y), (w, h) = self.lay.centers[i], self.nodes[i].size
        forward = s.phase == "forward"
        color = self.style.colors["cycle"][1] if forward else self.grad_color
        self.ring.set(center=(x, y), width=w + 0.9, height=h + 0.9, visible=True)
        self.ring.set_edgecolor(color)
        lines = [] if forward else self._locals(s.active)
        self.callout.set_text("\n".join(lines))
        if lines:
            width = 0.85 * max(self.measure.width(t) for t in lines) + 0.8
            height = 0.85 * 1.25 * len(lines) + 0.6
            self.callout.set_position(self._free_spot(x, y, w, h, width, height))

    def _free_spot(self, x, y, w, h, width, height) -> tuple[float, float]:
        """The centre, next to node (x, y, w, h), where a box covers least."""
        best, best_cost = (x, y - h / 2 - height / 2 - 0.5), np.inf
        boxes = np.array(self.obstacles)
        dx, dy = (w + width) / 2 + 0.5, (h + height) / 2 + 0.5
        for cx, cy in (
            (x, y - dy),
            (x, y + dy),
            (x + dx, y - dy),
            (x - dx, y - dy),
            (x + dx, y + dy),
            (x - dx, y + dy),
            (x + dx, y),
            (x - dx, y),
        ):
            lo = np.maximum(boxes[:, :2], (cx - width / 2, cy - height / 2))
            hi = np.minimum(boxes[:, 2:], (cx + width / 2, cy + height / 2))
            cost = float(np.clip(hi - lo, 0, None).prod(axis=1).sum())
            (x0, x1), (y0, y1) = self.ax.get_xlim(), self.ax.get_ylim()
            inside_w = min(cx + width / 2, x1) - max(cx - width / 2, x0)
            inside_h = min(cy + height / 2, y1) - max(cy - height / 2, y0)
            cost += 100 * (width * height - max(inside_w, 0) * max(inside_h, 0))
            if cost < best_cost - 1e-9:
                best, best_cost = (cx, cy), cost
        return best

    def _locals(self, f: int) -> list[str]:
        g, lines = self.g, []
        edges = g.inputs_of(f)
        for e in edges:
            text, value = g.local_text[e], g.local_value[e]
            if not text:
                continue
            line = text + (
                f" = {format_value(value)}"
                if value is not None and value.size == 1
                else ""
            )
            name = g.labels[g.edges[e][0]]
            lines.append(f"{name}: {line}" if len(edges) > 1 and name else line)
        return lines


def port_label(g: Graph, v: int) -> str:
    """An input's or output's name; an unnamed output is f (as in ∂f/∂x)."""
    return g.labels[v] or ("f" if v in g.outputs() else " ")


def _np_size(node: _Node) -> _Node:
    """The node with its size as an array (for box arithmetic)."""
    return _Node(node.key, node.kind, node.index, np.asarray(node.size))


def _bg(style: Style) -> str:
    bg = style.colors["background"]
    return "#ffffff" if bg == "none" else bg


def _book_edges(g: Graph) -> list[tuple[str, str, int, int | None]]:
    """(source, target, variable, input edge or None) in the book's look."""
    return list(book_edges(g))

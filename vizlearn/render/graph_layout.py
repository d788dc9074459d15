"""A layered DAG layout in numpy (Sugiyama's method), so graphs need no Graphviz.

Four steps, as ``dot`` takes them:

1. **Layers** by longest path: a node sits one layer before its earliest
   consumer, so an input (``tax``) is drawn next to the node that uses it.
2. **Dummy nodes** split every edge that spans several layers, so each edge is
   a chain of short segments between neighbouring layers and never passes
   through a layer where a node is.
3. **Crossing reduction**: barycentre sweeps down and up; the order with the
   fewest crossings is kept.
4. **Coordinates**: within a layer, each node moves towards the mean of its
   neighbours, and the closest positions that keep the order and the gaps are
   found by isotonic regression (pool adjacent violators). Layers are spaced
   apart until no segment cuts through a node it does not end at.

It works on node and edge lists (node sizes in any unit, e.g. font ems) and
knows nothing of vizlearn's graphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Layout", "layout", "segment_hits_box", "count_crossings"]

DIRECTIONS = ("LR", "TB")


@dataclass(frozen=True)
class Layout:
    """Where each node sits and the polyline each edge follows.

    ``centers`` (n, 2) are x, y with y up; ``sizes`` (n, 2) the widths and
    heights given; ``routes[e]`` (k, 2) runs from edge e's source centre
    through its bend points to its target centre.
    """

    centers: NDArray[np.float64]
    sizes: NDArray[np.float64]
    layers: NDArray[np.int64]
    routes: list[NDArray[np.float64]]
    crossings: int

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) around every node and route."""
        lo = self.centers - self.sizes / 2
        hi = self.centers + self.sizes / 2
        pts = np.concatenate([lo, hi, *self.routes]) if len(lo) else np.zeros((1, 2))
        return (*pts.min(axis=0), *pts.max(axis=0))


def _layers(n: int, edges: Sequence[tuple[int, int]]) -> NDArray[np.int64]:
    """Longest path to a sink, counted back from the last layer."""
    succ: list[list[int]] = [[] for _ in range(n)]
    indeg = np.zeros(n, np.int64)
    for a, b in edges:
        succ[a].append(b)
        indeg[b] += 1
    order, stack = [], [v for v in range(n) if indeg[v] == 0]
    indeg = indeg.copy()
    while stack:
        v = stack.pop()
        order.append(v)
        for w in succ[v]:
            indeg[w] -= 1
            if indeg[w] == 0:
                stack.append(w)
    if len(order) != n:
        raise ValueError("the graph has a cycle: a layered layout needs a DAG")
    depth = np.zeros(n, np.int64)
    for v in reversed(order):
        if succ[v]:
            depth[v] = 1 + max(depth[w] for w in succ[v])
    return depth.max(initial=0) - depth


def _split(
    layers: NDArray[np.int64], edges: Sequence[tuple[int, int]]
) -> tuple[NDArray[np.int64], list[tuple[int, int]], list[list[int]]]:
    """Insert dummy nodes: layers of all nodes, short edges, each edge's chain."""
    all_layers = list(layers)
    short, chains = [], []
    for a, b in edges:
        chain = [a]
        for layer in range(layers[a] + 1, layers[b]):
            all_layers.append(layer)
            chain.append(len(all_layers) - 1)
        chain.append(b)
        short.extend(zip(chain, chain[1:], strict=False))
        chains.append(chain)
    return np.array(all_layers, np.int64), short, chains


def count_crossings(
    orders: list[list[int]], edges: Sequence[tuple[int, int]], layers: NDArray
) -> int:
    """Pairs of edges between neighbouring layers that cross."""
    pos = np.zeros(len(layers), np.int64)
    for order in orders:
        pos[order] = np.arange(len(order))
    total = 0
    e = np.array(edges, np.int64).reshape(-1, 2)
    for layer in range(len(orders) - 1):
        here = e[layers[e[:, 0]] == layer]
        if len(here) < 2:
            continue
        a, b = pos[here[:, 0]], pos[here[:, 1]]
        da, db = a[:, None] - a[None, :], b[:, None] - b[None, :]
        total += int(((da * db) < 0).sum()) // 2
    return total


def _mean_of(
    e: NDArray[np.int64], pos: NDArray, n: int
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Per node ``e[:, 1]``: the mean position of its ``e[:, 0]`` neighbours."""
    total = np.bincount(e[:, 1], weights=pos[e[:, 0]], minlength=n)
    count = np.bincount(e[:, 1], minlength=n)
    return total / np.maximum(count, 1), count > 0


def _order(
    layers: NDArray[np.int64], edges: list[tuple[int, int]], sweeps: int
) -> tuple[list[list[int]], int]:
    """Barycentre sweeps down and up; the order with the fewest crossings."""
    n, n_layers = len(layers), int(layers.max(initial=0)) + 1
    orders = [np.flatnonzero(layers == k) for k in range(n_layers)]
    e = np.array(edges, np.int64).reshape(-1, 2)
    into = [e[layers[e[:, 1]] == k] for k in range(n_layers)]  # preds of layer k
    out_of = [e[layers[e[:, 0]] == k][:, ::-1] for k in range(n_layers)]  # succs
    lists = [o.tolist() for o in orders]
    best, best_count = lists, count_crossings(lists, edges, layers)
    pos = np.zeros(n)
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        for k in range(1, n_layers) if down else range(n_layers - 2, -1, -1):
            pos[orders[k - 1 if down else k + 1]] = np.arange(
                len(orders[k - 1 if down else k + 1])
            )
            mean, has = _mean_of(into[k] if down else out_of[k], pos, n)
            current = np.arange(len(orders[k]), dtype=float)
            key = np.where(has[orders[k]], mean[orders[k]], current)
            orders[k] = orders[k][np.lexsort((current, key))]
        lists = [o.tolist() for o in orders]
        count = count_crossings(lists, edges, layers)
        if count < best_count:
            best, best_count = lists, count
        if best_count == 0:
            break
    return best, best_count


def _isotonic(target: NDArray, weight: NDArray) -> NDArray:
    """The non-decreasing sequence closest to ``target`` (weighted least squares)."""
    blocks: list[list[float]] = []  # [weighted sum, weight, count]
    for t, w in zip(target, weight, strict=True):
        blocks.append([t * w, w, 1])
        while len(blocks) > 1 and (
            blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]
        ):
            s, w2, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += w2
            blocks[-1][2] += c
    sums, weights, counts = np.array(blocks).T
    return np.repeat(sums / weights, counts.astype(np.intp))


def _place(desired: NDArray, offsets: NDArray, weight: NDArray) -> NDArray:
    """Positions closest to ``desired`` with at least the gaps ``offsets`` imply."""
    return _isotonic(desired - offsets, weight) + offsets


def _cross_positions(
    orders: list[list[int]],
    edges: list[tuple[int, int]],
    cross: NDArray,
    gap: float,
    dummy: NDArray,
    passes: int = 6,
) -> NDArray:
    """Cross-axis centre of every node: neighbours' means, order and gaps kept."""
    n = len(cross)
    e = np.array(edges, np.int64).reshape(-1, 2)
    up, down = e, e[:, ::-1]  # (neighbour, node) pairs: predecessors, successors
    near = np.concatenate([up, down])
    pos = np.zeros(n)
    offsets = []
    for order in orders:
        s = cross[order]
        off = np.concatenate([[0.0], np.cumsum((s[:-1] + s[1:]) / 2 + gap)])
        offsets.append(off)
        pos[order] = off - off[-1] / 2
    weight = np.where(dummy, 4.0, 1.0)  # long edges straight before short ones
    layer = np.zeros(n, np.int64)
    for k, order in enumerate(orders):
        layer[order] = k
    by_layer = {  # each kind of neighbour pairs, split by the layer of the node
        key: [pairs[layer[pairs[:, 1]] == k] for k in range(len(orders))]
        for key, pairs in (("up", up), ("down", down), ("near", near))
    }
    for p in range(passes):
        key = ("up", "down", "near")[p % 3] if p < passes - 1 else "near"
        ks = range(len(orders)) if p % 2 == 0 else range(len(orders) - 1, -1, -1)
        for k in ks:
            order = orders[k]
            mean, has = _mean_of(by_layer[key][k], pos, n)
            want = np.where(has[order], mean[order], pos[order])
            pos[order] = _place(want, offsets[k], weight[order])
    return pos


def segment_hits_box(p0: NDArray, p1: NDArray, lo: NDArray, hi: NDArray) -> NDArray:
    """Whether the segment p0-p1 passes through each open box (lo, hi): (m,) bool."""
    p0, p1 = np.asarray(p0, float)[None], np.asarray(p1, float)[None]
    return _segments_hit_boxes(p0, p1, np.asarray(lo, float), np.asarray(hi, float))[0]


def _blocked(
    layer: int,
    main: NDArray,
    cross: NDArray,
    sizes: NDArray,
    layers: NDArray,
    edges: NDArray,
    n_real: int,
) -> bool:
    """Whether a segment from ``layer`` to the next cuts a node it doesn't end at."""
    near = np.flatnonzero((layers[:n_real] == layer) | (layers[:n_real] == layer + 1))
    here = edges[layers[edges[:, 0]] == layer]
    if len(near) == 0 or len(here) == 0:
        return False
    lo = np.column_stack([main, cross])[near] - sizes[near] / 2
    hi = lo + sizes[near]
    p0 = np.column_stack([main[here[:, 0]], cross[here[:, 0]]])
    p1 = np.column_stack([main[here[:, 1]], cross[here[:, 1]]])
    hits = _segments_hit_boxes(p0, p1, lo, hi)
    own = (near[None, :] == here[:, :1]) | (near[None, :] == here[:, 1:])
    return bool((hits & ~own).any())


def _segments_hit_boxes(p0: NDArray, p1: NDArray, lo: NDArray, hi: NDArray) -> NDArray:
    """(segments, boxes) bool: Liang-Barsky clipping of every segment by every box."""
    d = (p1 - p0)[:, None, :]
    start = p0[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (lo[None] - start) / d
        b = (hi[None] - start) / d
    flat = d == 0  # parallel to an axis: inside that slab or never
    inside = (lo[None] < start) & (start < hi[None])
    t_lo = np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(a, b))
    t_hi = np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(a, b))
    t0 = np.maximum(t_lo.max(axis=2), 0.0)
    t1 = np.minimum(t_hi.min(axis=2), 1.0)
    return t1 - t0 > 1e-9


def layout(
    n_nodes: int,
    edges: Sequence[tuple[int, int]],
    *,
    sizes: Sequence[tuple[float, float]] | NDArray | None = None,
    direction: str = "LR",
    node_gap: float = 0.8,
    layer_gap: float = 2.0,
    edge_gaps: Sequence[float] | None = None,
    sweeps: int = 12,
) -> Layout:
    """Lay out a DAG in layers: left to right (``"LR"``) or top to bottom (``"TB"``).

    Parameters
    ----------
    sizes
        (width, height) of each node (default 1 x 1).
    node_gap, layer_gap
        Space between neighbours in a layer, and the least space between layers
        (widened where a steep edge would cut a node).
    edge_gaps
        Per edge, the least space after its source's layer (room for a label
        on the edge's first segment).
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be LR or TB, not {direction!r}")
    edges = [(int(a), int(b)) for a, b in edges]
    for a, b in edges:
        if not (0 <= a < n_nodes and 0 <= b < n_nodes) or a == b:
            raise ValueError(f"edge {a}->{b} is not between two distinct nodes")
    size = np.ones((n_nodes, 2)) if sizes is None else np.array(sizes, float)
    layers, short, chains = _split(_layers(n_nodes, edges), edges)
    n_all = len(layers)
    dummy = np.arange(n_all) >= n_nodes
    size_all = np.zeros((n_all, 2))
    size_all[:n_nodes] = size
    # main axis: along the layers; cross axis: within a layer
    m_axis, c_axis = (0, 1) if direction == "LR" else (1, 0)
    ms, cs = size_all[:, m_axis], size_all[:, c_axis]
    orders, crossings = _order(layers, short, sweeps)
    cross = _cross_positions(orders, short, cs, node_gap, dummy)
    mc_sizes = np.column_stack([ms, cs])
    least = np.full(max(int(layers.max(initial=0)), 0), float(layer_gap))
    for (a, _), gap in zip(edges, edge_gaps or [], strict=False):
        least[layers[a]] = max(least[layers[a]], gap)
    main = _main_positions(layers, cross, mc_sizes, short, least, n_nodes)
    mc = np.column_stack([main, cross])
    xy = mc if direction == "LR" else mc[:, ::-1]
    xy = xy * np.array([1.0, -1.0])  # the first layer / first in order at the top
    routes = [xy[chain] for chain in chains]
    return Layout(xy[:n_nodes], size, layers[:n_nodes].copy(), routes, crossings)


def _main_positions(
    layers: NDArray,
    cross: NDArray,
    mc_sizes: NDArray,
    edges: list[tuple[int, int]],
    least: NDArray,
    n_real: int,
) -> NDArray:
    """Main-axis centre of every node; gaps widen until no segment cuts a node."""
    n_layers = int(layers.max(initial=0)) + 1
    ms = mc_sizes[:, 0]
    extent = np.array([ms[layers == k].max(initial=0.0) for k in range(n_layers)])
    gaps = least.copy()
    edges = np.array(edges, np.int64).reshape(-1, 2)
    for k in range(n_layers - 1):
        for _ in range(40):
            centre = _centres(extent, gaps)
            main = centre[layers]
            if not _blocked(k, main, cross, mc_sizes, layers, edges, n_real):
                break
            gaps[k] *= 1.25
    return _centres(extent, gaps)[layers]


def _centres(extent: NDArray, gaps: NDArray) -> NDArray:
    starts = np.concatenate([[0.0], np.cumsum(extent[:-1] + gaps)])
    return starts + extent / 2

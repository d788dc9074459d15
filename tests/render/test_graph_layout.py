"""The layered layout: no two nodes overlap, and no edge passes through a node it
does not start or end at, for every preset and for random graphs (property tests)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vizlearn.core.expr_text import PRESETS, build_expression, build_preset
from vizlearn.render.graph_layout import (
    count_crossings,
    layout,
    segment_hits_box,
)


def assert_clean(lay, edges):
    """Boxes apart, edges ordered by layer, and no route through a foreign node."""
    lo = lay.centers - lay.sizes / 2
    hi = lay.centers + lay.sizes / 2
    n = len(lo)
    for i in range(n):
        for j in range(i + 1, n):
            overlap = np.all((lo[i] < hi[j]) & (lo[j] < hi[i]))
            assert not overlap, f"nodes {i} and {j} overlap"
    for (a, b), route in zip(edges, lay.routes, strict=True):
        assert lay.layers[a] < lay.layers[b]
        np.testing.assert_allclose(route[0], lay.centers[a])
        np.testing.assert_allclose(route[-1], lay.centers[b])
        others = np.array([k for k in range(n) if k not in (a, b)], int)
        for p0, p1 in zip(route[:-1], route[1:], strict=True):
            hits = segment_hits_box(p0, p1, lo[others], hi[others])
            assert not hits.any(), f"edge {a}->{b} passes through {others[hits]}"


@pytest.mark.parametrize("direction", ["LR", "TB"])
@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_lay_out_cleanly(name, direction):
    spec = build_preset(name).run_backward()
    sizes = [(2.5, 1.2) if k == "var" else (1.2, 1.2) for k in spec.kinds]
    lay = layout(len(spec.kinds), spec.edges, sizes=sizes, direction=direction)
    assert_clean(lay, spec.edges)
    assert lay.crossings == 0


def test_layers_put_an_input_next_to_its_consumer():
    spec = build_preset("apple-orange").run_backward()
    lay = layout(len(spec.kinds), spec.edges)
    layer = dict(zip(spec.labels, lay.layers.tolist(), strict=True))
    assert layer["apple"] == 0 and layer["tax"] == layer["price"] - 2
    # left to right: each layer is further right than the one before
    xs = {int(k): lay.centers[lay.layers == k, 0] for k in np.unique(lay.layers)}
    assert all(xs[k].min() > xs[k - 1].max() for k in list(xs)[1:])


@st.composite
def dags(draw, max_nodes=30):
    n = draw(st.integers(2, max_nodes))
    edges = []
    for b in range(1, n):
        parents = draw(st.sets(st.integers(0, b - 1), max_size=3))
        edges += [(a, b) for a in sorted(parents)]
    perm = draw(st.permutations(range(n)))  # node numbers need not be topological
    edges = [(perm[a], perm[b]) for a, b in edges]
    sizes = draw(
        st.lists(
            st.tuples(st.floats(0.3, 4.0), st.floats(0.3, 3.0)), min_size=n, max_size=n
        )
    )
    return n, edges, sizes


@settings(max_examples=30, deadline=None)
@given(dags(), st.sampled_from(["LR", "TB"]))
def test_random_dags_lay_out_cleanly(graph, direction):
    n, edges, sizes = graph
    lay = layout(n, edges, sizes=sizes, direction=direction, node_gap=0.3)
    assert_clean(lay, edges)


_LEAVES = st.sampled_from(["x", "y", "2"])


def _expressions(depth):
    if depth == 0:
        return _LEAVES
    sub = _expressions(depth - 1)
    return st.one_of(
        _LEAVES,
        st.tuples(sub, st.sampled_from("+-*/"), sub).map(lambda t: f"({' '.join(t)})"),
        st.tuples(st.sampled_from(["sin", "exp", "tanh"]), sub).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
        sub.map(lambda s: f"({s})**2"),
    )


@settings(max_examples=30, deadline=None)
@given(_expressions(4))
def test_random_expressions_up_to_30_nodes_lay_out_cleanly(text):
    values = {k: v for k, v in {"x": 0.5, "y": 1.5}.items() if k in text}
    try:
        spec = build_expression(text, values).run_backward()
    except ValueError:
        return  # no operation, or not finite (1/(x-x))
    if len(spec.kinds) > 30:
        return
    sizes = [(2.0, 1.0) if k == "var" else (1.0, 1.0) for k in spec.kinds]
    lay = layout(len(spec.kinds), spec.edges, sizes=sizes)
    assert_clean(lay, spec.edges)


def test_crossing_reduction_untangles_a_crossed_pair():
    # 0 -> 3 and 1 -> 2 cross when nodes keep their numbering order
    edges = [(0, 3), (1, 2)]
    lay = layout(4, edges)
    assert lay.crossings == 0
    pos = lay.centers[:, 1]
    assert (pos[0] > pos[1]) == (pos[3] > pos[2])


def test_count_crossings_counts():
    layers = np.array([0, 0, 1, 1])
    assert count_crossings([[0, 1], [2, 3]], [(0, 3), (1, 2)], layers) == 1
    assert count_crossings([[0, 1], [3, 2]], [(0, 3), (1, 2)], layers) == 0


def test_bad_graphs_are_refused():
    with pytest.raises(ValueError, match="cycle"):
        layout(2, [(0, 1), (1, 0)])
    with pytest.raises(ValueError, match="distinct"):
        layout(2, [(0, 0)])
    with pytest.raises(ValueError, match="LR or TB"):
        layout(2, [(0, 1)], direction="RL")

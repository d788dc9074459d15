"""vizlearn's kind of test, next to the others: vl_* fixtures, --vizlearn-update."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from vizlearn.trace import Recorder


@pytest.mark.parametrize("shape", ["peak", "ramp"])
def test_plot(vl_image_snapshot, shape):
    fig = Figure(figsize=(2, 1.5), dpi=50)
    ax = fig.subplots()
    ax.plot([0, 1, 2], [0, 1, 0] if shape == "peak" else [0, 1, 2], lw=3)
    ax.set_axis_off()
    vl_image_snapshot(fig, tol=2)


def test_numbers(vl_trace_snapshot):
    rec = Recorder()
    for step in range(4):
        rec.record(step, loss=1.0 / (step + 1), params={"W1": np.full((2, 1), step)})
    vl_trace_snapshot(rec.freeze())

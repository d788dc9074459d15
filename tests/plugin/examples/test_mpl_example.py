"""pytest-mpl's own kind of test: return a Figure, compared with baseline/."""

import pytest
from matplotlib.figure import Figure


@pytest.mark.mpl_image_compare(tolerance=2, style="default")
def test_line():
    fig = Figure(figsize=(2, 1.5), dpi=50)
    ax = fig.subplots()
    ax.plot([0, 1, 2], [0, 1, 0], lw=3)
    ax.set_axis_off()
    return fig

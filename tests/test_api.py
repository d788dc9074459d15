"""The notebook-facing API: vl.train/animate/plot, .save, inline display, Recorder."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

import vizlearn as vl
from vizlearn.export.readback import read_animation_info

SMALL = vl.Style(width=320, height=240, dpi=50)


@pytest.fixture(scope="module")
def run():
    return vl.train("sin-regression", lr=0.1, iters=300, frames=6, n=30)


def test_train_animate_save(run, tmp_path):
    anim = vl.animate(run, style=SMALL)
    path = anim.save(tmp_path / "x.gif")
    info = read_animation_info(path)
    assert info.n_frames == 6 and info.size == (320, 240)
    assert '"lesson":"sin-regression"' in info.comment


def test_animation_displays_inline(run):
    anim = vl.animate(run, style=SMALL, fps=5)
    html = anim._repr_html_()
    assert html.startswith('<img src="data:image/gif;base64,')
    data = base64.b64decode(html.split("base64,", 1)[1].split('"', 1)[0])
    assert data == anim.to_bytes("gif")  # rendered once, cached
    with Image.open(io.BytesIO(data)) as gif:
        assert gif.n_frames == 6
    poster = Image.open(io.BytesIO(anim._repr_png_()))
    assert poster.size == (320, 240)
    last = np.asarray(poster.convert("RGBA"))
    (expected,) = anim.source.rgba([5])
    np.testing.assert_array_equal(last, expected)  # the poster is the final frame
    anim.fps = 10  # a changed timing renders again
    assert anim.to_bytes("gif") != data


def test_player_for_notebooks(run, tmp_path):
    player = vl.animate(run, style=SMALL).player()
    html = player._repr_html_()
    assert 'class="vl-player"' in html and "http" not in html.split("<script>")[0]
    page = player.save(tmp_path / "p.html", title="sin")
    assert "<title>sin</title>" in page.read_text(encoding="utf-8")


def test_plot_returns_a_still_that_saves_and_displays(run, tmp_path):
    still = vl.plot(run, "loss", style=SMALL)
    assert isinstance(still.figure, Figure)
    assert still.axes[0].get_ylabel() == "loss"  # attributes fall through
    png = still.save(tmp_path / "loss.png")
    assert b'"lesson":"sin-regression"' in png.read_bytes()  # provenance kept
    shown = Image.open(io.BytesIO(still._repr_png_()))
    assert shown.size == (320, 240)
    vl.save(still, tmp_path / "loss.svg")
    assert (tmp_path / "loss.svg").read_text().startswith("<?xml")


def test_unknown_kind_lists_all(run):
    with pytest.raises(
        ValueError, match="can draw regression, fit, data, loss, params"
    ):
        vl.plot(run, "pie")


def _fake_tensor(values):
    """Something with __array__ and __float__, as a PyTorch or DeZero tensor has."""

    class Tensor:
        def __init__(self, v):
            self.v = np.asarray(v, dtype=np.float32)

        def __array__(self, dtype=None, copy=None):
            return self.v if dtype is None else self.v.astype(dtype)

        def __float__(self):
            return float(self.v)

    return Tensor(values)


def _own_loop(tensor=np.asarray):
    """A plain-numpy linear regression, recording what a reader's loop would."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (50, 1))
    t = 3 * x + 1 + rng.normal(0, 0.1, (50, 1))
    W, b = np.zeros((1, 1)), np.zeros(1)
    rec = vl.Recorder(meta={"lesson": "mine"})
    for step in range(40):
        y = x @ W + b
        loss = float(np.mean((y - t) ** 2))
        rec.record(step, loss=tensor(loss))
        if step % 10 == 0:
            rec.record(step, params={"W": tensor(W), "b": tensor(b)})
            acc = float(np.mean(np.abs(y - t) < 0.5))
            rec.record(step, metrics={"accuracy": acc, "val_accuracy": acc * 0.9})
        gy = 2 * (y - t) / len(x)
        W -= 0.5 * x.T @ gy
        b -= 0.5 * gy.sum(axis=0)
    return rec.freeze()


@pytest.mark.parametrize("tensor", [np.asarray, _fake_tensor], ids=["numpy", "tensor"])
def test_recorder_feeds_every_fitting_renderer(tensor):
    trace = _own_loop(tensor)
    loss = vl.plot(trace, "loss", style=SMALL)
    np.testing.assert_allclose(loss.axes[0].get_lines()[0].get_ydata(), trace.loss)
    params = vl.plot(trace, "params", style=SMALL)
    titles = [ax.get_title().split()[0] for ax in params.axes if ax.get_visible()]
    assert titles == ["W", "b"]
    acc = vl.plot(trace, "accuracy", style=SMALL).axes[0]
    assert [ln.get_label() for ln in acc.get_lines()] == ["train", "validation"]
    metrics = vl.plot(trace, "metrics", style=SMALL)
    assert [ax.get_title() for ax in metrics.axes if ax.get_visible()] == [
        "loss",
        "accuracy",
    ]
    with pytest.raises(ValueError, match="animate needs outputs/curve"):
        vl.animate(trace)


def test_recorder_with_pytorch_tensors():
    torch = pytest.importorskip("torch")
    rec = vl.Recorder()
    w = torch.nn.Parameter(torch.ones(2, 3))
    for step in range(3):
        loss = (w**2).sum() * (step + 1)
        rec.record(step, loss=loss.item(), params={"w": w.detach().numpy()})
    trace = rec.freeze()
    assert trace.params["w"].shape == (3, 2, 3) and list(trace.loss) == [6, 12, 18]
    assert vl.plot(trace, "params", style=SMALL).axes[0].get_title().startswith("w")


def test_vl_train_stays_the_api_after_the_training_loop_is_imported():
    from vizlearn.fitting import fit

    assert callable(vl.train) and vl.train is not fit
    assert vl.train("sin-regression", iters=20, frames=2).n_records == 2
    assert vl.train("sin-regression", iters=20, frames=2).n_records == 2

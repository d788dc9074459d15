"""Every lesson in the table answers every verb: a lesson wired wrongly fails here.

For each lesson: it trains on a tiny config, its trace round-trips through
.npz, it animates (if it has an animation), it draws every one of its stills
(the animated kinds' stills too), `render` redraws it from the saved file, and
its record has EN and JA descriptions and gallery captions. The tiny configs
are the lessons' own gallery ``quick`` options where they exist.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import vizlearn as vl
from tests.helpers import SHARED_MNIST
from vizlearn.cli import cli
from vizlearn.lessons import LESSONS, get_lesson
from vizlearn.style import Style
from vizlearn.trace import load_trace

TINY = Style(width=240, height=180, dpi=30)
# options that make a lesson's run take well under a second (no downloads)
QUICK: dict[str, dict] = {
    "sin-regression": {"iters": 30, "frames": 3},
    "regression": {"iters": 30, "frames": 3},
    "activations": {},
    "optimizers": {"steps": 4},
    "boundary": {"epochs": 2, "frames": 3},
    "weight-init": {"samples": 50, "units": 20, "layers": 2},
    "vanishing-gradients": {"epochs": 1, "frames": 2, "layers": 2, "hidden": 8},
    "samplers": {"iters": 20},
    "sweep": {"epochs": 2, "vary": ("lr=0.5,1",)},
    "mnist": {"dataset": "spiral"},
    "gradients": {"dataset": "spiral", "hidden": 4, "warmup": 2, "naive": 5},
    "metrics": {"dataset": "spiral", "iters": 20, "frames": 2},
    "gradient-race": {"dataset": "spiral", "hidden": 4, "frames": 4},
    "derivatives": {"orders": 2, "points": 20},
    "network": {"iterations": 20, "frames": 3},
}
MNIST_LIKE = {"iters": 20, "frames": 2, "hidden": 5}
# no planar stand-in: these lessons skip without the data
NEEDS_MNIST = {
    "cnn",
    "optimizers-mnist",
    "weight-init-mnist",
    "batch-norm",
    "weight-decay",
    "dropout",
    "hyperparameter-search",
}


def _quick(name: str, tmp_path) -> dict:
    lesson = get_lesson(name)
    options = dict(QUICK.get(name, {}))
    if name == "regression":
        csv = tmp_path / "points.csv"
        csv.write_text("x,y\n" + "\n".join(f"{x / 9},{x % 3}" for x in range(10)))
        options["data"] = str(csv)
    if name == "mnist":  # the lesson is MNIST's, but the loop runs on any split
        options = dict(MNIST_LIKE)
    if name == "cnn":
        options = {"epochs": 1, "train_size": 100, "test_size": 20}
    if not options and lesson.gallery:  # the first gallery item's quick run
        item = lesson.gallery[0]
        options = {**item.options, **item.quick}
    if name in NEEDS_MNIST:
        options |= {"data_dir": str(SHARED_MNIST), "split_from_test": 8000}
    return options


def _train(name: str, tmp_path):
    lesson = get_lesson(name)
    options = _quick(name, tmp_path)
    if name == "mnist":
        from vizlearn.lessons.training import run_classifier

        return run_classifier(lesson.make_config(**options), name, "spiral", None)
    from vizlearn.gallery import _parsed

    return lesson.run(lesson.make_config(**_parsed(lesson.config, options)))


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("registry")
    return {
        name: _train(name, tmp)
        for name in LESSONS
        if name not in NEEDS_MNIST or SHARED_MNIST.is_dir()
    }


@pytest.fixture(autouse=True)
def _skip_without_mnist(request):
    name = getattr(request.node, "callspec", None)
    name = name.params.get("name") if name else None
    if name in NEEDS_MNIST and not SHARED_MNIST.is_dir():
        pytest.skip("needs ../shared/data/mnist (or $VIZLEARN_MNIST_DIR)")


@pytest.mark.parametrize("name", list(LESSONS))
def test_record_is_complete(name):
    lesson = get_lesson(name)
    module = importlib.import_module(LESSONS[name])
    assert module.LESSON is lesson and lesson.name == name
    assert all(lesson.description) and lesson.description[0] != lesson.description[1]
    assert lesson.kinds and lesson.still in lesson.kinds
    for kind in lesson.kinds:
        assert callable(kind.renderer()), kind.draw
        assert kind.draw.startswith("vizlearn.render."), kind.draw
    for item in lesson.gallery:
        assert all(item.caption) and all(item.alt), item.name
        assert item.caption[0] != item.caption[1]  # really translated
    assert dataclasses.is_dataclass(lesson.config)
    if name != "regression":  # the one lesson that needs an input file
        lesson.config()  # the defaults are valid


@pytest.mark.parametrize("name", list(LESSONS))
def test_lesson_trains_round_trips_and_draws_every_kind(name, traces, tmp_path):
    trace = traces[name]
    assert trace.meta["lesson"] == name
    again = load_trace(trace.save(tmp_path / "run.npz"))
    assert again.meta == json.loads(json.dumps(dict(trace.meta)))
    for group in ("params", "outputs", "metrics", "data"):
        assert set(getattr(again, group)) == set(getattr(trace, group))
    np.testing.assert_array_equal(again.loss, trace.loss)
    lesson = get_lesson(name)
    for kind in lesson.kinds:
        figure = vl.plot(again, kind.name, style=TINY).figure
        assert figure.axes, kind.name
    if lesson.animation is not None:
        anim = vl.animate(again, style=TINY)
        assert anim.n_frames >= 2
        assert vl.plot(again, lesson.animation.name, style=TINY, frame=0).figure


@pytest.mark.parametrize("name", list(LESSONS))
def test_render_redraws_the_saved_trace(name, traces, tmp_path):
    path = traces[name].save(tmp_path / f"{name}.npz")
    lesson = get_lesson(name)
    out = tmp_path / ("a.gif" if lesson.animation else "a.png")
    result = CliRunner().invoke(
        cli,
        ["render", str(path), "-o", str(out), "--size", "240x180", "-q", "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["lesson"] == name and out.stat().st_size > 0
    kind = lesson.animation or lesson.still
    assert summary["kind"] == kind.name


def test_cli_has_every_verb_for_every_lesson():
    from vizlearn.cli.lessons import animate_command, plot_command, train_command

    ctx = cli.make_context("vizlearn", ["list"])
    for name in LESSONS:
        lesson = get_lesson(name)
        assert plot_command.get_command(ctx, name) is not None
        assert train_command.get_command(ctx, name) is not None
        assert animate_command.get_command(ctx, name) is not None
        assert cli.get_command(ctx, name) is not None  # vizlearn LESSON
        flags = {
            opt
            for p in plot_command.get_command(ctx, name).params
            for opt in getattr(p, "opts", [])
        }
        fields = [f for f in dataclasses.fields(lesson.config) if "help" in f.metadata]
        for f in fields:
            assert any(o.startswith("--") for o in flags), f.name


def test_list_names_every_lesson_and_kind():
    result = CliRunner().invoke(cli, ["list", "--json"])
    data = json.loads(result.output)["lessons"]
    assert list(data) == list(LESSONS)
    for name, info in data.items():
        assert list(info["kinds"]) == [k.name for k in get_lesson(name).kinds]
    ja = json.loads(CliRunner().invoke(cli, ["list", "--json", "--lang", "ja"]).output)
    assert ja["lessons"]["mnist"]["description"] != data["mnist"]["description"]


def test_listing_lessons_imports_neither_numpy_nor_matplotlib():
    code = (
        "import sys; from vizlearn.lessons import all_lessons; list(all_lessons()); "
        "from vizlearn.cli import cli; "
        "print(sorted(m for m in ('numpy', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def _animated_kinds():
    for name in LESSONS:
        for kind in get_lesson(name).kinds:
            if kind.animated:
                yield name, kind.name


@pytest.mark.parametrize(("name", "kind"), list(_animated_kinds()))
def test_blitted_frames_equal_full_redraws(name, kind, traces):
    """The fast path (redraw only what moved) paints what a full redraw paints."""
    trace = traces[name]
    source = get_lesson(name).kind(kind).renderer()(trace, style=TINY)
    n = source.n_frames
    picked = sorted({0, n // 2, n - 1})
    fresh = get_lesson(name).kind(kind).renderer()(trace, style=TINY)
    list(fresh.blits([0]))  # the animation's layout, fixed at its first frame
    for blit in source.blits(picked):
        fig = fresh.still(blit.index)  # then every artist drawn at once
        with TINY.context():  # tick labels are formatted at draw time
            fig.canvas.draw()
        expected = np.asarray(fig.canvas.buffer_rgba())
        np.testing.assert_array_equal(blit.pixels, expected, f"frame {blit.index}")


@pytest.mark.parametrize("name", list(LESSONS))
def test_every_lessons_json_summary_is_json(name, traces):
    """The --json summary of each lesson's trace builds and is plain JSON."""
    from vizlearn.cli.kinds import summary_of

    summary = summary_of(get_lesson(name), traces[name], None, files=[Path("a.png")])
    assert summary["lesson"] == name
    assert json.loads(json.dumps(summary)) == summary

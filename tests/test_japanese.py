"""--lang ja: the book's terms everywhere, drawn in IPAexGothic, no global changes.

pytest turns UserWarning into errors (pyproject), so a "Glyph ... missing from
font(s)" warning fails these tests; they also record warnings explicitly, so
they fail the same way when run with other settings.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from vizlearn import api
from vizlearn.export.animation import Animation
from vizlearn.render.activations import plot_activations
from vizlearn.render.regression import frames_regression
from vizlearn.style import LABELS, Style
from vizlearn.trace import load_trace

TRACE = load_trace(Path(__file__).parent / "data" / "sin_small.npz")
JA = Style(lang="ja", width=480, height=360, dpi=60)
_JA_WORDS = {w for _, ja in LABELS.values() for w in ja.split()}  # ReLU, tanh, x
ENGLISH = {en for en, _ in LABELS.values() if en.isascii() and en.isalpha()} - _JA_WORDS


def _figures() -> dict[str, Figure]:
    """Every figure kind of the sin-regression lesson, drawn in Japanese."""
    from vizlearn.lessons.activations import ActivationsConfig, run

    figures = {
        kind: api.plot(TRACE, kind, style=JA)
        for kind in ("regression", "fit", "loss", "params")
    }
    figures["loss-log"] = api.plot(TRACE, "loss", style=JA, log=True)
    figures["activations"] = plot_activations(run(ActivationsConfig()), style=JA)
    return {k: getattr(f, "figure", f) for k, f in figures.items()}


def _texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_every_figure_renders_without_missing_glyphs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fig in _figures().values():
            fig.canvas.draw()
        for _ in frames_regression(TRACE, style=JA).blits():
            pass
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert glyphs == []


@pytest.mark.parametrize("kind", ["regression", "fit", "loss", "params", "activations"])
def test_labels_use_the_books_terms_and_the_japanese_font(kind: str):
    fig = _figures()[kind]
    fig.canvas.draw()
    texts = _texts(fig)
    words = {w for t in texts for w in t.get_text().replace("(", " ").split()}
    assert not words & ENGLISH, words & ENGLISH
    for text in texts:  # Latin, digits, π, minus from DejaVu; kana from IPAexGothic
        assert text.get_fontfamily() == ["DejaVu Sans", "IPAexGothic"], text


def test_pi_and_minus_are_drawn_from_the_latin_font():
    from matplotlib.font_manager import FontProperties, fontManager

    from vizlearn.style import Style

    with Style(lang="ja").context() as style:
        family = mpl.rcParams["font.family"]
        assert mpl.rcParams["axes.unicode_minus"] and style.lang == "ja"
    latin = fontManager.findfont(FontProperties(family=family[0]))
    from matplotlib.ft2font import FT2Font

    face = FT2Font(latin)
    assert face.get_char_index(ord("π")) and face.get_char_index(0x2212)


def test_animation_title_and_loss_panel_in_japanese():
    source = frames_regression(TRACE, style=JA)
    source.update(5)
    fig = source.figure
    all_text = " ".join(t.get_text() for t in _texts(fig))
    for term in ("学習回数", "損失関数", "データ", "予測", "残差", "入力 x", "出力 y"):
        assert term in all_text, term
    title = next(a for a in source.update(5) if isinstance(a, Text))
    assert title.get_text().startswith(f"学習回数 {int(TRACE.steps[5]):,} / ")


def test_japanese_leaves_global_settings_alone(tmp_path: Path):
    before = dict(mpl.rcParams)
    fonts = {f.name for f in mpl.font_manager.fontManager.ttflist}
    for fig in _figures().values():
        fig.canvas.draw()
    Animation(frames_regression(TRACE, style=JA), jobs=1).save(tmp_path / "a.gif")
    assert dict(mpl.rcParams) == before
    # registering IPAexGothic adds a font the user may pick; it changes no default
    added = {f.name for f in mpl.font_manager.fontManager.ttflist} - fonts
    assert added <= {"IPAexGothic"}
    assert mpl.rcParams["font.family"] == before["font.family"]


def test_english_figures_are_unchanged_by_japanese_ones():
    fig_en = api.plot(TRACE, "fit", style=JA.__class__(width=480, height=360, dpi=60))
    fig_en = getattr(fig_en, "figure", fig_en)
    fig_en.canvas.draw()
    first = np.asarray(fig_en.canvas.buffer_rgba()).copy()
    for fig in _figures().values():
        fig.canvas.draw()
    again = api.plot(TRACE, "fit", style=Style(width=480, height=360, dpi=60))
    again = getattr(again, "figure", again)
    again.canvas.draw()
    np.testing.assert_array_equal(np.asarray(again.canvas.buffer_rgba()), first)

"""Caches that let a blitted frame redraw unchanged text without laying it out again.

`vizlearn.render.frames` redraws an animated artist whenever a moving one
touches it; a legend under a moving curve is redrawn every frame. Measured on
the sin-regression animation at 640x480 (``python benchmarks/bench_sin_gif.py
--profile``), text layout and glyph rasterization were about half the frame
time. Both caches reproduce exactly what matplotlib would draw: they store
what a text computed for one state and reuse it only for the same state.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Text

__all__ = ["GlyphCache", "LayoutCache"]


class GlyphCache:
    """Replays the glyph bitmaps of a text drawn before at the same place.

    A legend or label that a moving line passes under is redrawn every frame;
    laying its text out and rasterizing each glyph again took about half the
    frame time at 640x480. Agg draws a text as a series of glyph bitmaps
    (``draw_text_image``) that depend only on the string, the font, the
    position and the angle, so replaying the recorded bitmaps paints the same
    pixels (the colour is applied when they are drawn).
    """

    SIZE = 256  # texts kept (a changing title adds one per frame)

    def __init__(self, renderer: object) -> None:
        self.renderer = renderer
        self.draw_text = renderer.draw_text  # the bound original
        self.entries: dict[tuple, list[tuple]] = {}

    @classmethod
    def install(cls, renderer: object) -> None:
        """Route ``renderer.draw_text`` through a cache (once per renderer)."""
        if not isinstance(getattr(renderer, "draw_text", None), _CachedDrawText):
            renderer.draw_text = _CachedDrawText(cls(renderer))

    def __call__(self, gc, x, y, s, prop, angle, ismath=False, mtext=None) -> None:
        """Draw like ``RendererAgg.draw_text``, from the cache where possible."""
        if ismath or not hasattr(self.renderer, "_renderer"):
            return self.draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        key = (s, prop, x, y, angle, gc.get_antialiased(), *_text_options(mtext))
        glyphs = self.entries.pop(key, None)
        if glyphs is None:
            glyphs = self._record(gc, x, y, s, prop, angle, mtext)
        else:
            for buffer, gx, gy in glyphs:
                self.renderer._renderer.draw_text_image(buffer, gx, gy, 0, gc)
        self.entries[key] = glyphs  # most recent last
        if len(self.entries) > self.SIZE:
            del self.entries[next(iter(self.entries))]
        return None

    def _record(self, gc, x, y, s, prop, angle, mtext) -> list[tuple]:
        """Draw the text for real and keep the glyph bitmaps it painted."""
        real = self.renderer._renderer
        recorder = _GlyphRecorder(real)
        self.renderer._renderer = recorder
        try:
            self.draw_text(gc, x, y, s, prop, angle, False, mtext)
        finally:
            self.renderer._renderer = real
        return recorder.glyphs


class LayoutCache:
    """Remembers a Text's layout (line sizes and offsets) for its last few states.

    ``Text._get_layout`` looks the font up and reads its metric tables on every
    call, twice per redraw (extent and draw): for a legend that is redrawn
    unchanged it was a third of the frame time. The layout does not depend on
    the text's position, so it is kept per text under every property it reads.
    """

    SIZE = 4

    def __init__(self, text: Text) -> None:
        self.text, self.entries = text, {}
        self.compute = text._get_layout  # the class's method, bound

    @classmethod
    def install(cls, fig: Figure) -> list[Text]:
        """Give every text of ``fig`` a cached layout; return the texts."""
        texts = [t for t in fig.findobj(Text) if "_get_layout" not in vars(t)]
        for text in texts:
            text._get_layout = cls(text)
        return texts

    @staticmethod
    def remove(texts: list[Text]) -> None:
        """Give the texts their own layout method back."""
        for text in texts:
            vars(text).pop("_get_layout", None)

    def __call__(self, renderer: object) -> tuple:
        """``Text._get_layout(renderer)``, computed once per state."""
        t = self.text
        if t.get_wrap():  # wrapping depends on the position: never cached
            return self.compute(renderer)
        key = (
            id(renderer),
            t.get_text(),
            t.get_fontproperties(),
            t.get_usetex(),
            t._linespacing,
            t._get_multialignment(),
            t.get_rotation(),
            t.get_rotation_mode(),
            t.get_horizontalalignment(),
            t.get_verticalalignment(),
            t.get_figure(root=True).dpi,
        )
        layout = self.entries.pop(key, None)
        if layout is None:
            layout = self.compute(renderer)
        self.entries[key] = layout
        if len(self.entries) > self.SIZE:
            del self.entries[next(iter(self.entries))]
        return layout


class _CachedDrawText:
    """A callable standing in for ``renderer.draw_text``."""

    def __init__(self, cache: GlyphCache) -> None:
        self.cache = cache

    def __call__(self, *args: object, **kwargs: object) -> None:
        return self.cache(*args, **kwargs)


class _GlyphRecorder:
    """Forwards to Agg's renderer and keeps a copy of each glyph bitmap drawn."""

    def __init__(self, real: object) -> None:
        self.real, self.glyphs = real, []

    def draw_text_image(self, buffer, x, y, angle, gc) -> None:
        self.glyphs.append((np.array(buffer, copy=True), x, y))
        self.real.draw_text_image(buffer, x, y, angle, gc)

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def _text_options(mtext: object) -> tuple:
    """Font features and language of a Text (they change the glyphs)."""
    if mtext is None:
        return (None, None)
    features = getattr(mtext, "get_fontfeatures", lambda: None)()
    language = getattr(mtext, "get_language", lambda: None)()
    return (tuple(features) if features else None, language)

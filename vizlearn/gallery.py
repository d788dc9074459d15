"""The gallery: every lesson's figures in one folder, with an ``index.html``.

Its entries are the lessons' own ``GalleryItem`` records: a lesson adds a
figure to the gallery in its ``LESSON``, nowhere else. Each entry's command is
made from the same record, so running it writes the same file, byte for byte.
``build_gallery(outdir, lang=, quick=)`` draws every entry (runs shared by
several entries are trained once), then writes the page
(``vizlearn.export.html``).
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vizlearn.lessons import all_lessons, did_you_mean
from vizlearn.lessons.record import GalleryItem, Lesson
from vizlearn.style import Style

__all__ = [
    "Entry",
    "entries",
    "build_gallery",
    "GalleryResult",
    "command_for",
    "needs_mnist",
]

PRESET = "blog"


@dataclass(frozen=True)
class Entry:
    """One gallery figure: the lesson it comes from and its record."""

    lesson: Lesson
    item: GalleryItem

    @property
    def name(self) -> str:
        """The file stem (and the entry's name for ``--only``)."""
        return self.item.name


def entries() -> dict[str, Entry]:
    """Every lesson's gallery items, in table order."""
    return {
        item.name: Entry(lesson, item)
        for lesson in all_lessons()
        for item in lesson.gallery
    }


@dataclass(frozen=True)
class GalleryResult:
    """What ``build_gallery`` wrote."""

    index: Path
    files: tuple[Path, ...]
    entries: tuple[str, ...]
    skipped: tuple[str, ...] = ()
    """Entries left out because they read MNIST and no data folder was given."""


def needs_mnist(lesson: Lesson, options: Mapping[str, Any]) -> bool:
    """Whether a run of ``lesson`` with ``options`` reads MNIST."""
    names = {f.name for f in dataclasses.fields(lesson.config)}
    if "data_dir" not in names:
        return False
    try:
        config = lesson.make_config(**_parsed(lesson.config, options))
    except ValueError:
        return True  # e.g. a data folder is required: it reads data
    return lesson.reads_mnist(config)


@dataclass
class _Build:
    """One build: its language and mode, MNIST's folder, the runs trained so far."""

    lang: str
    quick: bool
    mnist: Mapping[str, Any] = field(default_factory=dict)
    traces: dict[tuple, Any] = field(default_factory=dict)

    def options(self, entry: Entry) -> dict[str, Any]:
        item = entry.item
        options = {**item.options, **(item.quick if self.quick else {})}
        if needs_mnist(entry.lesson, options):
            options.update(self.mnist)
        return options

    def trace(self, lesson: Lesson, options: Mapping[str, Any]) -> Any:
        key = (lesson.name, tuple(sorted((k, repr(v)) for k, v in options.items())))
        if key not in self.traces:
            config = lesson.make_config(**_parsed(lesson.config, options))
            self.traces[key] = lesson.run(config)
        return self.traces[key]

    def style(self, item: GalleryItem) -> Style:
        return Style.from_preset(PRESET, **{"lang": self.lang, **item.style})


def _parsed(cls: type, options: Mapping[str, Any]) -> dict[str, Any]:
    """Options as a config takes them (command-line texts parsed)."""
    from vizlearn.config import from_text

    fields = {f.name: f for f in dataclasses.fields(cls)}
    return {
        k: from_text(fields[k], v) if k in fields else v for k, v in options.items()
    }


def _write(entry: Entry, outdir: Path, build: _Build) -> list[Path]:
    """Train (once per build) and draw one entry; return the files written."""
    from vizlearn import api

    item = entry.item
    trace = build.trace(entry.lesson, build.options(entry))
    style = build.style(item)
    if item.animated:
        anim = api.animate(trace, item.kind, style=style, **item.view)
        gif = anim.save(outdir / f"{item.name}.gif")
        webp = anim.save(outdir / f"{item.name}.webp")
        if webp.stat().st_size >= gif.stat().st_size:  # a WebP only where it wins
            webp.unlink()
            return [gif]
        return [gif, webp]
    still = api.plot(trace, item.kind, style=style, **item.view)
    return [still.save(outdir / f"{item.name}.png")]


def command_for(
    entry: Entry, lang: str = "en", mnist: Mapping[str, Any] | None = None
) -> str:
    """The ``vizlearn`` command that writes this entry's first file.

    ``mnist``: the data options the build gave MNIST lessons (their folder is
    shown as ``DIR``).
    """
    lesson, item = entry.lesson, entry.item
    verb = "animate" if item.animated else "plot"
    words = ["vizlearn", verb, lesson.name]
    default = lesson.animation if item.animated else lesson.still
    if default is None or item.kind != default.name:
        words += ["--kind", item.kind]
    fields = {f.name: f for f in dataclasses.fields(lesson.config)}
    view_fields = {f.name: f for f in lesson.kind(item.kind).view_fields()}
    options = dict(item.options)
    if mnist and needs_mnist(lesson, options):
        options.update({k: "DIR" if k == "data_dir" else v for k, v in mnist.items()})
    for name, value in {**options, **item.view}.items():
        f = fields.get(name) or view_fields[name]
        words += _flag_words(f, value)
    words += ["--preset", PRESET]
    for name, value in {"lang": lang, **item.style}.items():
        if value != ("en" if name == "lang" else "light"):
            words += [f"--{name}", str(value)]
    words += ["-o", f"{item.name}.{'gif' if item.animated else 'png'}"]
    return " ".join(words)


def _flag_words(f: dataclasses.Field, value: Any) -> list[str]:
    from vizlearn.config import flag_name

    flag = flag_name(f)
    if isinstance(value, bool):
        on, _, off = flag.partition("/")
        return [on] if value else [off or f"--no-{on[2:]}"]
    if f.metadata.get("multiple"):
        return [w for v in value for w in (flag, shlex.quote(str(v)))]
    if isinstance(value, tuple | list):  # a parsed value: as its text, 1,2 or a,b
        value = ",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return [flag, shlex.quote(text)]


def build_gallery(
    outdir: str | Path,
    *,
    lang: str = "en",
    quick: bool = False,
    names: Sequence[str] | None = None,
    on_entry: Callable[[str], Any] | None = None,
    mnist: Mapping[str, Any] | None = None,
) -> GalleryResult:
    """Write every entry's files into ``outdir`` and an ``index.html`` listing them.

    ``quick`` trains and renders less (for tests); ``names`` picks entries.
    ``mnist`` holds the data options of lessons that read MNIST (``data_dir``,
    ``split_from_test``); without it those entries are left out (``skipped``).
    """
    from vizlearn.export.html import gallery_html
    from vizlearn.files import atomic_path

    build = _Build(lang, quick, dict(mnist or {}))
    chosen, skipped = [], []
    for e in _choose(names):
        offline = mnist or not needs_mnist(e.lesson, build.options(e))
        (chosen if offline else skipped).append(e)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    cards, written = [], []
    for e in chosen:
        if on_entry is not None:
            on_entry(e.name)
        files = _write(e, outdir, build)
        cards.append(_card(e, files, outdir, lang, build.mnist))
        written += files + ([outdir / cards[-1].player] if cards[-1].player else [])
    title = "vizlearn gallery" if lang == "en" else "vizlearn ギャラリー"
    index = outdir / "index.html"
    with atomic_path(index) as tmp:
        tmp.write_text(gallery_html(cards, title=title, lang=lang), encoding="utf-8")
    return GalleryResult(
        index,
        tuple(written),
        tuple(e.name for e in chosen),
        tuple(e.name for e in skipped),
    )


def _choose(names: Sequence[str] | None) -> list[Entry]:
    found = entries()
    if not names:
        return list(found.values())
    unknown = [n for n in names if n not in found]
    if unknown:
        raise ValueError(
            f"unknown gallery entry {unknown[0]!r}"
            f"{did_you_mean(unknown[0], list(found))}; choose from {', '.join(found)}"
        )
    return [found[n] for n in names]


def _card(
    e: Entry, files: list[Path], outdir: Path, lang: str, mnist: Mapping[str, Any]
) -> Any:
    from vizlearn.export.html import HTML, Card, player_html

    i = 1 if lang == "ja" else 0
    item = e.item
    gifs = [f for f in files if f.suffix == ".gif"]
    player = None
    if item.player and gifs:
        # its own page: the GIF is embedded there, and index.html stays small
        fragment = player_html(
            gifs[0], label=item.alt[i], element_id=f"player-{e.name}"
        )
        page = HTML(fragment).save(
            outdir / f"{e.name}-player.html", title=item.caption[i]
        )
        player = page.name
    rel = [f.resolve().relative_to(outdir.resolve()).as_posix() for f in files]
    width, height = _image_size(files[0])
    return Card(
        e.name,
        item.caption[i],
        item.alt[i],
        rel,
        [f.stat().st_size for f in files],
        width,
        height,
        command_for(e, lang, mnist),
        player,
    )


def _image_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:
        return im.size

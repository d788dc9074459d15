"""The one call that writes what a command asked for, all files or none.

``write_animation`` applies `ExportOptions` to an Animation and writes it (or
its filmstrip), its poster and any extra files (a trace); ``write_still``
writes a figure and its extras. Every output goes to a temporary file first
and all are renamed together at the end, so a failure or a signal leaves every
earlier file as it was. ``check_export`` checks the options against the output
and the frame count before any training starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vizlearn.config import check_holds
from vizlearn.export.options import ANIMATIONS, STILLS, ExportOptions

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from vizlearn.export.animation import Animation

__all__ = [
    "Written",
    "check_export",
    "write_animation",
    "write_still",
    "write_text",
    "is_animation",
]

Extra = Callable[[Path], Any]
"""Writes one extra output to the (temporary) path it is given."""


@dataclass(frozen=True)
class Written:
    """What was written: the files, in order, and what ``--max-size`` chose."""

    files: tuple[Path, ...]
    fitted: str | None = None
    warnings: tuple[str, ...] = ()


def is_animation(out: Path, options: ExportOptions | None = None) -> bool:
    """Whether ``out`` is an animation (.png is a still unless ``--filmstrip``)."""
    ext = out.suffix.lower().lstrip(".")
    return ext in ANIMATIONS and ext != "png"


def check_export(options: ExportOptions, out: Path, n_frames: int) -> None:
    """ValueError naming the option if ``options`` cannot apply to ``out``."""
    ext = out.suffix.lower().lstrip(".")
    if ext not in (*STILLS, *ANIMATIONS):
        raise ValueError(
            f"-o: unknown format {out.suffix or '(no extension)'!r}; use one of "
            f".{', .'.join(dict.fromkeys((*STILLS, *ANIMATIONS)))}"
        )
    try:
        check_holds(options.holds, n_frames)
    except ValueError as e:
        raise ValueError(f"--hold: {e}") from None
    if options.filmstrip is not None:
        from vizlearn.export.filmstrip import parse_frames

        if ext != "png":
            raise ValueError("--filmstrip: a filmstrip is a PNG: use -o NAME.png")
        try:
            parse_frames(options.filmstrip, n_frames)
        except ValueError as e:
            raise ValueError(f"--filmstrip: {e}") from None
    if options.poster is not None:
        if Path(options.poster).suffix.lower() != ".png":
            raise ValueError("--poster: the poster is a PNG: use --poster NAME.png")
        if not -n_frames <= options.poster_frame < n_frames:
            raise ValueError(
                f"--poster-frame: frame {options.poster_frame} is out of range; "
                f"frames are 0..{n_frames - 1}"
            )
    if options.colors is not None and ext != "gif":
        raise ValueError(f"--colors sets a GIF palette; .{ext} files keep every colour")
    if options.chroma is not None and ext != "mp4":
        raise ValueError(f"--chroma applies to .mp4 files, not .{ext}")
    if options.max_size is not None and ext == "html":
        raise ValueError("--max-size works for .gif, .webp, .png, .mp4, not .html")
    if ext == "mp4" and options.filmstrip is None:
        from importlib.util import find_spec

        if find_spec("imageio_ffmpeg") is None:
            from vizlearn.export.video import INSTALL_HINT

            raise RuntimeError(INSTALL_HINT)


def _outputs(
    out: Path, options: ExportOptions | None, extras: Mapping[Path, Extra]
) -> list[Path]:
    paths = [out]
    if options is not None and options.poster is not None:
        paths.append(Path(options.poster))
    return paths + [Path(p) for p in extras]


def write_animation(
    anim: Animation,
    out: str | Path,
    options: ExportOptions | None = None,
    *,
    extras: Mapping[Path, Extra] | None = None,
    inputs: Sequence[Path] = (),
    on_frame: Callable[[int], Any] | None = None,
) -> Written:
    """Write ``anim`` to ``out`` as ``options`` say, plus poster and ``extras``.

    ``inputs`` are files the command read: no output may replace one.
    """
    from vizlearn.export.animation import full_provenance
    from vizlearn.export.filmstrip import parse_frames, save_filmstrip, save_poster
    from vizlearn.files import atomic_outputs

    out, options, extras = Path(out), options or ExportOptions(), dict(extras or {})
    check_export(options, out, anim.n_frames)
    _apply(anim, options)
    fitted = None
    with atomic_outputs(_outputs(out, options, extras), inputs=inputs) as tmps:
        if options.filmstrip is not None:
            frames = parse_frames(options.filmstrip, anim.n_frames)
            save_filmstrip(
                anim.source, frames, tmps[0], provenance=full_provenance(anim)
            )
        elif options.max_bytes is not None:
            from vizlearn.export.maxsize import save_within

            fitted = save_within(anim, tmps[0], options.max_bytes, on_frame=on_frame)
            fitted = fitted.describe()
        else:
            anim.save(tmps[0], on_frame=on_frame)
        rest = tmps[1:]
        if options.poster is not None:
            save_poster(
                anim.source,
                rest.pop(0),
                frame=options.poster_frame,
                provenance=full_provenance(anim),
            )
        for tmp, write in zip(rest, extras.values(), strict=True):
            write(tmp)
    files = tuple(_outputs(out, options, extras))
    return Written(files, fitted, tuple(options.warnings()))


def _apply(anim: Animation, options: ExportOptions) -> None:
    """Set the Animation's timing, holds, palette and workers from ``options``."""
    anim.fps, anim.loop = options.fps, options.loop
    anim.hold_first_ms, anim.hold_last_ms = options.hold_first_ms, options.hold_last_ms
    # the user's --hold replaces a lesson's own pause on the same frame
    anim.holds = {**anim.holds, **check_holds(options.holds, anim.n_frames)}
    anim.max_colors = options.colors or anim.max_colors
    anim.jobs = options.jobs
    anim.chroma = options.chroma or anim.chroma


def write_still(
    figure: Figure,
    out: str | Path,
    *,
    provenance: Mapping[str, Any] | None = None,
    extras: Mapping[Path, Extra] | None = None,
    inputs: Sequence[Path] = (),
) -> Written:
    """Write ``figure`` (PNG, SVG or PDF) and ``extras``, all or none."""
    from vizlearn.export.still import save_figure
    from vizlearn.files import atomic_outputs

    out, extras = Path(out), dict(extras or {})
    paths = _outputs(out, None, extras)
    with atomic_outputs(paths, inputs=inputs) as tmps:
        save_figure(figure, tmps[0], provenance=provenance)
        for tmp, write in zip(tmps[1:], extras.values(), strict=True):
            write(tmp)
    return Written(tuple(paths))


def write_text(
    text: str,
    out: str | Path,
    *,
    extras: Mapping[Path, Extra] | None = None,
    inputs: Sequence[Path] = (),
) -> Written:
    """Write ``text`` (UTF-8, e.g. DOT or Mermaid) and ``extras``, all or none."""
    from vizlearn.files import atomic_outputs

    out, extras = Path(out), dict(extras or {})
    paths = _outputs(out, None, extras)
    with atomic_outputs(paths, inputs=inputs) as tmps:
        tmps[0].write_text(text if text.endswith("\n") else text + "\n", "utf-8")
        for tmp, write in zip(tmps[1:], extras.values(), strict=True):
            write(tmp)
    return Written(tuple(paths))

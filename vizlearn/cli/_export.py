"""The export options every animating command shares, and the export they drive.

`animation_params` (timing) and `export_params` (holds, size budget, palette,
filmstrip, poster, jobs) are the click options; `check_export` checks them
before any work; `export_animation` writes what they ask for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from vizlearn.cli._common import parse_duration, progress

__all__ = [
    "EXPORT_KEYS",
    "OUTPUTS",
    "STILLS",
    "animation_params",
    "check_export",
    "drop_export_options",
    "export_animation",
    "export_params",
    "save_animation",
    "save_frames_animation",
]

STILLS = ("png", "svg", "pdf")
# what `animate` and `render` write: .png is APNG (or a PNG filmstrip)
OUTPUTS = ("gif", "webp", "png", "apng", "mp4", "html")


def animation_params() -> list[click.Parameter]:
    return [
        click.Option(
            ["--fps"],
            type=click.FloatRange(0, 100, min_open=True),
            default=10,
            show_default=True,
            help="frames per second",
        ),
        click.Option(
            ["--hold-first"],
            default="0s",
            show_default=True,
            help="extra time on the first frame (e.g. 1s, 500ms)",
        ),
        click.Option(
            ["--hold-last"],
            default="2s",
            show_default=True,
            help="extra time on the last frame",
        ),
        click.Option(
            ["--loop"],
            type=click.IntRange(0, 65535),
            default=0,
            show_default=True,
            help="times to loop; 0 = forever",
        ),
    ]


def export_params() -> list[click.Parameter]:
    """Options of the export: holds, size budget, filmstrip, poster, jobs."""
    return [
        click.Option(
            ["--hold"],
            multiple=True,
            metavar="FRAME=TIME,...",
            help="extra time on chosen frames, e.g. 40=1s,70=500ms",
        ),
        click.Option(
            ["--max-size"],
            metavar="SIZE",
            help="fit the file into SIZE (e.g. 5MB for GitHub, 10MB for "
            "Hatena) by dropping frames, pixels or colours",
        ),
        click.Option(
            ["--colors"],
            type=click.IntRange(2, 255),
            help="GIF palette size: fewer make smaller files, 63 looks "
            "the same on most charts  [default: 255]",
        ),
        click.Option(
            ["--filmstrip"],
            metavar="FRAMES",
            help="write these frames side by side as one PNG instead (e.g. 0,25,50,-1)",
        ),
        click.Option(
            ["--poster"],
            type=click.Path(path_type=Path),
            help="also write one frame as PNG (see --poster-frame)",
        ),
        click.Option(
            ["--poster-frame"],
            type=int,
            default=-1,
            show_default=True,
            help="the frame --poster writes (-1 = the last)",
        ),
        click.Option(
            ["--jobs"],
            type=click.IntRange(1, 256),
            help="processes that render GIF/APNG frames (the file is "
            "the same for any)  [default: number of cores]",
        ),
    ]


def check_export(kw: dict[str, Any], out: Path, n_frames: int) -> None:
    """Parse and check the export options before any work (usage errors, exit 2)."""
    from vizlearn.cli._common import check_output, parse_holds, parse_size

    ext = out.suffix.lower().lstrip(".")
    kw["hold"] = parse_holds(kw["hold"], n_frames)
    kw["max_size"] = parse_size(kw["max_size"]) if kw["max_size"] else None
    if kw["filmstrip"] is not None:
        from vizlearn.export.filmstrip import parse_frames

        if ext != "png":
            raise click.BadParameter(
                "a filmstrip is a PNG: use -o NAME.png", param_hint="'--filmstrip'"
            )
        try:
            kw["filmstrip"] = parse_frames(kw["filmstrip"], n_frames)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="'--filmstrip'") from None
    if kw["poster"] is not None:
        check_output(kw["poster"], ("png",), "'--poster'")
        if not -n_frames <= kw["poster_frame"] < n_frames:
            raise click.BadParameter(
                f"frame {kw['poster_frame']} is out of range; frames are "
                f"0..{n_frames - 1}",
                param_hint="'--poster-frame'",
            )
    if kw["colors"] is not None and ext != "gif":
        raise click.BadParameter(
            f"--colors sets a GIF palette; .{ext} files keep every colour",
            param_hint="'--colors'",
        )
    if kw["max_size"] and ext == "html":
        raise click.BadParameter(
            "--max-size works for .gif, .webp, .png, .mp4", param_hint="'--max-size'"
        )
    if ext == "mp4" and kw["filmstrip"] is None:
        from importlib.util import find_spec

        if find_spec("imageio_ffmpeg") is None:
            from vizlearn.export.video import INSTALL_HINT

            raise click.ClickException(INSTALL_HINT)


def save_animation(trace, out: Path, style, kw: dict[str, Any], quiet: bool) -> dict:
    """Build the Animation from the options in ``kw`` and write what they ask for."""
    from vizlearn import api

    fps = kw.pop("fps")
    if fps > 50:
        click.echo(
            f"warning: --fps {fps:g} is above 50; browsers slow such GIFs down",
            err=True,
        )
    anim = api.animate(
        trace,
        style=style,
        fps=fps,
        loop=kw.pop("loop"),
        hold_first_ms=parse_duration(kw.pop("hold_first")),
        hold_last_ms=parse_duration(kw.pop("hold_last")),
    )
    if anim.remake is None:  # --max-size may redraw it smaller
        anim.remake = lambda smaller: api.frames_for(trace, style=smaller)
    return export_animation(anim, out, kw, quiet)


EXPORT_KEYS = (
    "hold",
    "max_size",
    "colors",
    "filmstrip",
    "poster",
    "poster_frame",
    "jobs",
)


def drop_export_options(kw: dict[str, Any]) -> None:
    """Forget the animation-only options when the output is a still."""
    for key in (*EXPORT_KEYS, "fps", "loop", "hold_first", "hold_last"):
        kw.pop(key, None)


def save_frames_animation(
    make_source, trace, out: Path, style, kw, quiet: bool
) -> dict:
    """Animate with ``make_source(trace, style=...)`` and export as the options ask.

    The lessons' own commands use this, so every animation gets the same
    formats, holds, --max-size, --filmstrip, --poster and --jobs.
    """
    from vizlearn.api import provenance
    from vizlearn.export.animation import Animation

    anim = Animation(
        make_source(trace, style=style),
        fps=kw.pop("fps"),
        loop=kw.pop("loop"),
        hold_first_ms=parse_duration(kw.pop("hold_first", "0s")),
        hold_last_ms=parse_duration(kw.pop("hold_last")),
        provenance=provenance(trace),
    )
    anim.remake = lambda smaller: make_source(trace, style=smaller)
    return export_animation(anim, out, kw, quiet)


def export_animation(anim, out: Path, kw: dict[str, Any], quiet: bool) -> dict:
    """Write ``anim`` (or its filmstrip) and the poster; return summary entries.

    Pops the `export_params` options from ``kw`` (checked by `check_export`).
    """
    from vizlearn.export.animation import full_provenance
    from vizlearn.export.filmstrip import save_filmstrip, save_poster

    anim.holds, anim.jobs = kw.pop("hold") or {}, kw.pop("jobs")
    anim.max_colors = kw.pop("colors") or anim.max_colors
    budget, strip = kw.pop("max_size"), kw.pop("filmstrip")
    poster, poster_frame = kw.pop("poster"), kw.pop("poster_frame")
    extra: dict[str, Any] = {}
    if strip is not None:
        save_filmstrip(anim.source, strip, out, provenance=full_provenance(anim))
    elif budget is not None:
        from vizlearn.export.maxsize import save_within

        with progress("rendering", len(anim.plan()[0]), quiet) as bar:
            fit = save_within(anim, out, budget, on_frame=bar)
        extra["fitted"] = fit.describe()
    else:
        with progress("rendering", len(anim.plan()[0]), quiet) as bar:
            anim.save(out, on_frame=bar)
    files = [out]
    if poster is not None:
        files.append(
            save_poster(
                anim.source,
                poster,
                frame=poster_frame,
                provenance=full_provenance(anim),
            )
        )
    return {"files": [str(f) for f in files], **extra}

"""Stills as PNG, SVG or PDF: byte-identical for equal input, with provenance."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from vizlearn.export.provenance import provenance_text
from vizlearn.files import atomic_path

__all__ = ["STILL_FORMATS", "save_figure", "provenance_text"]

STILL_FORMATS = ("png", "svg", "pdf")


def _metadata(fmt: str, text: str) -> dict[str, Any]:
    # None removes matplotlib's default entries, which carry versions and dates.
    if fmt == "png":
        return {"Software": None, "vizlearn": text}
    if fmt == "svg":
        return {"Date": None, "Creator": "vizlearn", "Description": text}
    return {
        "CreationDate": None,
        "ModDate": None,
        "Producer": None,
        "Creator": "vizlearn",
        "Subject": text,
    }


def save_figure(
    fig: Figure, path: str | Path, *, provenance: Mapping[str, Any] | None = None
) -> Path:
    """Save ``fig`` atomically; the format follows the extension (.png, .svg, .pdf)."""
    import matplotlib as mpl

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in STILL_FORMATS:
        raise ValueError(
            f"a still must be .{', .'.join(STILL_FORMATS)}, not {path.suffix or 'none'}"
        )
    # The SVG writer salts its element ids at save time; fix the salt here.
    with mpl.rc_context({"svg.hashsalt": "vizlearn"}), atomic_path(path) as tmp:
        fig.savefig(
            tmp, format=fmt, metadata=_metadata(fmt, provenance_text(provenance))
        )
    return path

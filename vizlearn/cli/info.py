"""``vizlearn info FILE``: where a figure, animation or trace came from.

Everything printed comes from an untrusted file, so every piece of its text
goes through `vizlearn.files.terminal_safe` (no escape sequences, no carriage
returns or newlines that spoof lines); ``--json`` escapes the same characters
as JSON ``\\uXXXX``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

__all__ = ["info_command"]


@click.command("info")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="print as JSON")
def info_command(file: Path, as_json: bool) -> None:
    """Show the lesson, config, seed and version a vizlearn file was made with."""
    from vizlearn.export.provenance import ProvenanceError, read_provenance
    from vizlearn.files import terminal_safe

    try:
        provenance, facts = read_provenance(file)
    except ProvenanceError as e:
        raise click.ClickException(terminal_safe(e)) from None
    if as_json:
        lines = [_json_line({"file": facts, "provenance": provenance})]
    else:
        lines = [terminal_safe(line) for line in _lines(file, provenance, facts)]
    try:
        for line in lines:
            click.echo(line)
    except OSError as e:  # e.g. > /dev/full
        raise click.ClickException(
            f"cannot write to the output: {e.strerror or e}"
        ) from None


def _lines(file: Path, provenance: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """The human-readable report, one line per field."""
    lines = [f"{'file':<14} {file.name}  {_describe(facts)}"]
    for key in ("lesson", "seed", "vizlearn"):
        if key in provenance:
            lines.append(f"{key:<14} {provenance[key]}")
    if provenance.get("diverged_at") is not None:
        lines.append(f"{'diverged':<14} at iteration {provenance['diverged_at']}")
    for key in ("config", "style"):
        if isinstance(provenance.get(key), dict):
            lines.append(f"{key:<14} {_pairs(provenance[key])}")
    shown = ("lesson", "seed", "vizlearn", "diverged_at", "config", "style")
    for key, value in sorted(provenance.items()):
        if key not in shown:
            lines.append(f"{key[:40]:<14} {value}")
    return lines


def _json_line(value: Any) -> str:
    """One line of JSON with the characters a terminal would act on escaped."""
    from vizlearn.files import terminal_safe

    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    # JSON syntax is ASCII, so what terminal_safe escapes sits inside strings,
    # where \uXXXX means the same character.
    return terminal_safe(text, json_text=True)


def _describe(facts: dict[str, Any]) -> str:
    """'(GIF, 1200x900 px, 100 frames, 11.9 s, loops forever, 612 KB)'."""
    parts = [facts["format"]]
    if "size" in facts:
        parts.append(f"{facts['size'][0]}x{facts['size'][1]} px")
    if facts.get("frames", 1) > 1:
        parts.append(f"{facts['frames']} frames")
    for key in ("records", "iterations"):
        if key in facts:
            parts.append(f"{facts[key]:,} {key}")
    if facts.get("duration_ms"):
        parts.append(f"{facts['duration_ms'] / 1000:.1f} s")
    if "loop" in facts:
        loop = facts["loop"]
        parts.append("loops forever" if loop == 0 else f"plays {loop} time(s)")
    parts.append(f"{facts['bytes'] / 1000:,.0f} KB")
    return "(" + ", ".join(parts) + ")"


def _pairs(values: dict[str, Any]) -> str:
    """{'lr': 0.2, 'iters': 10000} -> 'iters=10000 lr=0.2' (sorted, one line)."""
    return " ".join(f"{k}={v}" for k, v in sorted(values.items()))

"""``vizlearn info FILE``: where a figure or animation came from."""

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

    try:
        provenance, facts = read_provenance(file)
    except ProvenanceError as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        click.echo(
            json.dumps(
                {"file": facts, "provenance": provenance},
                sort_keys=True,
                ensure_ascii=False,
            )
        )
        return
    click.echo(f"{'file':<14} {file.name}  {_describe(facts)}")
    for key in ("lesson", "seed", "vizlearn"):
        if key in provenance:
            click.echo(f"{key:<14} {provenance[key]}")
    if provenance.get("diverged_at") is not None:
        click.echo(f"{'diverged':<14} at iteration {provenance['diverged_at']}")
    for key in ("config", "style"):
        if isinstance(provenance.get(key), dict):
            click.echo(f"{key:<14} {_pairs(provenance[key])}")
    shown = ("lesson", "seed", "vizlearn", "diverged_at", "config", "style")
    for key, value in sorted(provenance.items()):
        if key in shown:
            continue
        click.echo(f"{key:<14} {value}")


def _describe(facts: dict[str, Any]) -> str:
    """'(GIF, 1200x900 px, 100 frames, 11.9 s, loops forever, 612 KB)'."""
    parts = [facts["format"]]
    if "size" in facts:
        parts.append(f"{facts['size'][0]}x{facts['size'][1]} px")
    if facts.get("frames", 1) > 1:
        parts.append(f"{facts['frames']} frames")
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

"""``vizlearn list``: every lesson, its kinds and what they draw."""

from __future__ import annotations

import click

from vizlearn.lessons import all_lessons

__all__ = ["list_command"]


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="print as JSON")
@click.option(
    "--lang", type=click.Choice(["en", "ja"]), default="en", help="descriptions in"
)
def list_command(as_json: bool, lang: str) -> None:
    """List every lesson with its figure kinds."""
    import json

    from vizlearn.lessons.kinds import GENERIC_KINDS

    i = 1 if lang == "ja" else 0
    lessons = list(all_lessons())
    if as_json:
        data = {
            lesson.name: {
                "description": lesson.description[i],
                "source": lesson.source,
                "kinds": {k.name: k.help for k in lesson.kinds},
                "animation": lesson.animation.name if lesson.animation else None,
            }
            for lesson in lessons
        }
        click.echo(json.dumps({"lessons": data}, ensure_ascii=False))
        return
    click.echo("Lessons (vizlearn animate|plot|train LESSON, or vizlearn LESSON):")
    for lesson in lessons:
        click.echo(f"\n  {lesson.name:<20} {lesson.description[i]}")
        for k in lesson.kinds:
            mark = "animated" if k.animated else "still"
            click.echo(f"      --kind {k.name:<14} {mark:<9} {k.help}")
    click.echo("\nAny trace (vizlearn render RUN.npz --kind KIND):")
    for k in GENERIC_KINDS:
        click.echo(f"      --kind {k.name:<14} {'still':<9} {k.help}")

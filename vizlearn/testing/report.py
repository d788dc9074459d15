"""What a session of snapshot tests leaves behind: a failure summary, unused files.

The summary is ``summary.json`` and ``summary.html`` in the failures folder:
one row per failed comparison with the expected, actual and diff images
(linked relative to the page, so the folder can be zipped as a CI artifact),
the RMS difference and the tolerance. The page is one file with inline CSS,
no script and nothing fetched from the network.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["write_summary", "unused_baselines", "BASELINE_SUFFIXES"]

BASELINE_SUFFIXES = (".png", ".json", ".npz")


def write_summary(folder: Path, failures: Sequence[Mapping[str, Any]]) -> Path:
    """Write ``summary.json`` and ``summary.html`` into ``folder``; return the page."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [_relative(f, folder) for f in failures]
    (folder / "summary.json").write_text(
        json.dumps({"failures": rows}, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    page = folder / "summary.html"
    page.write_text(_page(rows), encoding="utf-8")
    return page


def _relative(failure: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    out = dict(failure)
    out["images"] = {
        k: Path(os.path.relpath(v, folder)).as_posix()
        for k, v in failure.get("images", {}).items()
    }
    return out


def _page(rows: Sequence[Mapping[str, Any]]) -> str:
    body = "\n".join(_row(r) for r in rows)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>vizlearn snapshot failures ({len(rows)})</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; margin: 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 1px solid #8884; padding: .4rem; vertical-align: top; }}
th {{ text-align: left; font-weight: normal; }}
img {{ max-width: 32vw; height: auto; image-rendering: pixelated; }}
code {{ overflow-wrap: anywhere; }}
</style></head>
<body>
<h1>vizlearn snapshot failures: {len(rows)}</h1>
<p>Expected (the baseline), actual (this run) and their difference (changed
pixels in red). Update the baselines with <code>pytest --vizlearn-update</code>
once the actual images are right.</p>
<table>
<tr><th>expected</th><th>actual</th><th>diff</th></tr>
{body}
</table>
</body></html>
"""


def _row(row: Mapping[str, Any]) -> str:
    """One failure: a full-width line naming it, then its three images."""
    head = (
        f'<tr><th colspan="3"><code>{html.escape(str(row.get("test", "")))}</code>'
        f" · <code>{html.escape(Path(row['baseline']).name)}</code><br>"
        f"{html.escape(str(row.get('message', '')))}</th></tr>"
    )
    cells = []
    for kind in ("expected", "actual", "diff"):
        src = row.get("images", {}).get(kind)
        cells.append(
            f'<td><a href="{html.escape(src)}"><img src="{html.escape(src)}" '
            f'alt="{kind}"></a></td>'
            if src
            else "<td>-</td>"
        )
    return head + "\n<tr>" + "".join(cells) + "</tr>"


def unused_baselines(
    folders: Iterable[str | Path], used: Iterable[str | Path]
) -> list[Path]:
    """Baseline files directly in ``folders`` that are not in ``used``, sorted.

    Only vizlearn's own kinds of file count (``BASELINE_SUFFIXES``), and
    never subfolders, so other plugins' snapshots in the same tree are left
    alone.
    """
    seen = {Path(p).resolve() for p in used}
    out = []
    for folder in {Path(f).resolve() for f in folders}:
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if (
                path.is_file()
                and path.suffix.lower() in BASELINE_SUFFIXES
                and path.resolve() not in seen
            ):
                out.append(path)
    return sorted(out)

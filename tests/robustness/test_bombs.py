"""Bombs and nonsense, read under a 1 GiB address-space limit.

Every hostile file is made at test time (a few MB on disk at most) and read
in one subprocess limited by ``RLIMIT_AS``: a reader that stopped checking
what a file declares would hit MemoryError (and fail here) instead of
swapping. Each case must be refused with its own one-line message, quickly,
without its peak RSS growing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.robustness import hostile
from tests.robustness.hostile import GiB, MiB

Build = Callable[[Path], list[str]]


def _trace_meta(meta_text: str) -> Build:
    def build(tmp: Path) -> list[str]:
        path = tmp / f"meta-{abs(hash(meta_text)) % 10**8}.npz"
        members = [
            ("loss.npy", hostile.npy_bytes(np.ones(3)), 0),
            ("steps.npy", hostile.npy_bytes(np.arange(3)), 0),
            ("meta.npy", hostile.npy_bytes(np.array(meta_text)), 0),
        ]
        return [str(hostile.write_zip(path, members))]

    return build


def _file(name: str, data: bytes | str) -> Build:
    def build(tmp: Path) -> list[str]:
        path = tmp / name
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return [str(path)]

    return build


def _lying_header(tmp: Path) -> list[str]:
    members = [
        ("loss.npy", hostile.npy_bytes(np.ones(3)), 0),
        ("steps.npy", hostile.npy_bytes(np.arange(3)), 0),
        ("W1.npy", hostile.npy_header((3, 10**9), "<f8"), 1000),
    ]
    return [str(hostile.write_zip(tmp / "lying.npz", members))]


def _fifo(tmp: Path) -> list[str]:
    path = tmp / "fifo"
    os.mkfifo(path)
    return [str(path)]


def _png_text(name: str, kind: bytes, body: bytes) -> Build:
    return lambda tmp: [str(hostile.png_with_text(tmp / name, [(kind, body)]))]


def _itxt_bomb(tmp: Path) -> list[str]:
    deflated = hostile.repeated_deflate(b"", 0x20, GiB)
    adler = hostile.adler32_repeated(0x20, GiB).to_bytes(4, "big")
    body = b"vizlearn\0\1\0\0\0" + b"\x78\xda" + deflated + adler
    return [str(hostile.png_with_text(tmp / "itxt.png", [(b"iTXt", body)]))]


DEEP = "[" * 100_000 + "]" * 100_000
CSV_20MB = "x,y\n0,1\n1,abc\n" + "2,3\n" * 5_000_000
QUOTED = 'x,y\n0,"' + ("1" * 1000 + "\n") * 200 + '"\n'

# name, reader, build(tmp) -> args, error type, message pattern
CASES: list[tuple[str, str, Build, str, str]] = [
    # traces: zip bombs, lying headers, nonsense meta, devices
    (
        "trace-2GiB-declared",
        "load_trace",
        lambda tmp: [str(hostile.trace_bomb(tmp / "bomb.npz", 2 * GiB))],
        "TraceError",
        r"bomb.npz: its arrays declare 2.0 GB, which takes about 5.0 GB of memory "
        r"to load; the limit is 4.0 GB \(--allow-large lifts it\)$",
    ),
    (
        "trace-lying-header",
        "load_trace",
        _lying_header,
        "TraceError",
        r"lying.npz: 'W1' declares 24000000000 bytes of data but holds 1000$",
    ),
    (
        "trace-meta-nested",
        "load_trace",
        _trace_meta(DEEP),
        "TraceError",
        r": 'meta' is JSON nested over 32 levels$",
    ),
    (
        "trace-meta-bigint",
        "load_trace",
        _trace_meta('{"seed": ' + "9" * 5000 + "}"),
        "TraceError",
        r": 'meta' is JSON with a number too large to read$",
    ),
    (
        "trace-diverged-list",
        "load_trace",
        _trace_meta('{"diverged_at": [1, 2]}'),
        "TraceError",
        r"meta 'diverged_at' must be a non-negative integer or null, not \[1, 2\]$",
    ),
    (
        "trace-diverged-huge",
        "load_trace",
        _trace_meta('{"diverged_at": 1' + "0" * 30 + "}"),
        "TraceError",
        r"'meta' is JSON with an integer beyond 64 bits$",
    ),
    (
        "trace-config-string",
        "load_trace",
        _trace_meta('{"config": "iters=10"}'),
        "TraceError",
        r"""meta 'config' must be a JSON object, not "iters=10"$""",
    ),
    (
        "trace-meta-nan",
        "read_trace_meta",
        _trace_meta('{"lesson": "x", "lr": NaN}'),
        "TraceError",
        r"'meta' is JSON with NaN or infinity$",
    ),
    ("trace-dev-zero", "load_trace", lambda tmp: ["/dev/zero"], "TraceError",
     r"^/dev/zero: a character device, not a regular file$"),  # fmt: skip
    ("trace-fifo", "load_trace", _fifo, "TraceError",
     r"fifo: a pipe \(FIFO\), not a regular file$"),  # fmt: skip
    # mnist.npz
    (
        "mnist-1.2GB-declared",
        "load_mnist",
        lambda tmp: [str(hostile.mnist_bomb(tmp / "mnist", 1_500_000).parent)],
        "MnistError",
        r"mnist.npz: x_train declares 1176000000 bytes; MNIST arrays are at most "
        r"67108864 \(refused before inflating\)$",
    ),
    (
        "mnist-garbage",
        "load_mnist",
        lambda tmp: [str(Path(_file("mnist.npz", b"garbage" * 99)(tmp)[0]).parent)],
        "MnistError",
        r"mnist.npz: cannot read \(BadZipFile: File is not a zip file\)$",
    ),
    # CSV
    ("csv-20MB-error-on-line-3", "read_xy_csv", _file("big.csv", CSV_20MB),
     "CsvError", r"big.csv: line 3, column 2 \(y\): 'abc' is not a number$"),
    ("csv-200KB-field", "read_xy_csv", _file("f.csv", "x,y\n0," + "1" * 200_000),
     "CsvError", r"f.csv: line 2 is longer than 65,536 characters$"),
    ("csv-quoted-200KB-field", "read_xy_csv", _file("q.csv", QUOTED),
     "CsvError", r"q.csv: line \d+: field larger than field limit \(131072\)$"),
    ("csv-100k-columns", "read_xy_csv", _file("w.csv", "1," * 30_000 + "1\n"),
     "CsvError", r"w.csv: line 1 has 30,001 columns; at most 1,000 are read$"),
    ("csv-dev-zero", "read_xy_csv", lambda tmp: ["/dev/zero"],
     "CsvError", r"^/dev/zero: line 1 is longer than 65,536 characters$"),
    # media text: decompression bombs, caps, quadratic patterns
    (
        "png-ztxt-1GiB",
        "read_provenance",
        lambda tmp: [str(hostile.ztxt_bomb(tmp / "z.png", GiB))],
        "ProvenanceError",
        r"z.png: damaged file \(a text chunk inflates past 1 MB\)$",
    ),
    ("png-itxt-1GiB", "read_provenance", _itxt_bomb, "ProvenanceError",
     r"itxt.png: damaged file \(a text chunk inflates past 1 MB\)$"),  # fmt: skip
    (
        "png-other-key-1GiB",
        "read_provenance",
        lambda tmp: [str(hostile.ztxt_bomb(tmp / "o.png", GiB, key=b"Other"))],
        "ProvenanceError",
        r"o.png \(PNG\) holds no vizlearn provenance",
    ),
    ("png-nested-json", "read_provenance",
     _png_text("n.png", b"tEXt", b"vizlearn\0" + DEEP.encode()),
     "ProvenanceError", r"n.png: its provenance is JSON nested over 32 levels$"),
    ("png-bigint-json", "read_provenance",
     _png_text("b.png", b"tEXt", b'vizlearn\0{"seed": ' + b"9" * 5000 + b"}"),
     "ProvenanceError", r"b.png: its provenance is JSON with a number too large"),
    (
        "gif-2MB-comment",
        "read_provenance",
        lambda tmp: [str(hostile.gif_with_comment(tmp / "c.gif", b"c" * 2 * MiB))],
        "ProvenanceError",
        r"c.gif: damaged file \(GIF comments longer than 1 MB\)$",
    ),
    (
        "gif-2MB-comment-readback",
        "read_animation_info",
        lambda tmp: [str(hostile.gif_with_comment(tmp / "r.gif", b"c" * 2 * MiB))],
        "ValueError",
        r"^GIF comments longer than 1 MB$",
    ),
    (
        "mp4-2MB-comment",
        "read_provenance",
        lambda tmp: [str(hostile.mp4_with_comment(tmp / "m.mp4", b"c" * 2 * MiB))],
        "ProvenanceError",
        r"m.mp4: damaged file \(an MP4 comment longer than 1 MB\)$",
    ),
    ("svg-quadratic", "read_provenance",
     _file("q.svg", b"<svg>" + b"<dc:description>" * 200_000),
     "ProvenanceError", r"q.svg \(SVG\) holds no vizlearn provenance"),
    ("pdf-quadratic", "read_provenance",
     _file("q.pdf", b"%PDF-1.4\n" + b"/Subject(" * 300_000),
     "ProvenanceError", r"q.pdf \(PDF\) holds no vizlearn provenance"),
    ("provenance-dev-zero", "read_provenance", lambda tmp: ["/dev/zero"],
     "ProvenanceError", r"^/dev/zero: a character device, not a regular file$"),
    ("provenance-fifo", "read_provenance", _fifo,
     "ProvenanceError", r"fifo: a pipe \(FIFO\), not a regular file$"),
    # the command line, in the same limited process
    ("cli-info-dev-zero", "cli", lambda tmp: ["info", "/dev/zero"], "ok",
     r"^\[1, \"Error: /dev/zero: a character device, not a regular file\\n\"\]$"),
    (
        "cli-render-trace-bomb",
        "cli",
        lambda tmp: ["render", str(hostile.trace_bomb(tmp / "r.npz", 2 * GiB)),
                     "--kind", "loss", "-o", str(tmp / "r.png")],  # fmt: skip
        "ok",
        r"^\[1, \"Error: \S+r.npz: its arrays declare 2.0 GB.*--allow-large",
    ),
]  # fmt: skip


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Build every hostile file, read them all in one memory-limited process."""
    tmp = tmp_path_factory.mktemp("hostile")
    folders = {}
    cases = []
    for name, reader, build, _, _ in CASES:
        folders[name] = tmp / name
        folders[name].mkdir()
        cases.append([name, reader, build(folders[name])])
    spec = tmp / "cases.json"
    spec.write_text(json.dumps(cases))
    root = Path(__file__).parents[2]
    proc = hostile.run_limited(["-m", "tests.robustness._worker", str(spec)], cwd=root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    for name, folder in folders.items():  # nothing written next to any input
        found[name]["left"] = sorted(
            p.name for p in folder.iterdir() if p.name.startswith(".")
        )
    return found


@pytest.mark.parametrize(
    ("name", "error", "pattern"), [(c[0], c[3], c[4]) for c in CASES]
)
def test_refused_with_one_line(results, name: str, error: str, pattern: str) -> None:
    case = results[name]
    assert case["error"] == error, case
    assert re.search(pattern, case["message"]), case["message"][:300]
    assert "\n" not in case["message"].replace("\\n", "", 1), case["message"][:300]
    assert "allow_pickle" not in case["message"]
    assert case["seconds"] < 5, case
    assert case["peak_mb"] < 600, case  # the idle process is ~150-300 MB
    assert case["left"] == []

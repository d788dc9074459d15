"""Re-run issue 13's hostile-input classes that the files/readers layer owns.

Each case runs ``python -m vizlearn ...`` (or a library call) in a fresh
folder, with its peak RSS measured (``/usr/bin/time``-style, from
``wait4``), a 90 s timeout, and then checks what the issue asks: the exit
status, one line on stderr and no traceback, no temporary or partial file,
the earlier output untouched, no stray process, RSS under 1.5 GB, escaped
terminal output. It prints one line per failed case and a table of cases
tried / held per class.

    python benchmarks/adversary_io.py [--only CLASS] [--mnist-dir DIR]

Slow (a few minutes on 2 cores): the signal class renders real animations.
"""

# ruff: noqa: E731  (the case tables build their files with short lambdas)

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.robustness import hostile  # noqa: E402
from tests.robustness.hostile import GiB, MiB  # noqa: E402

MAX_RSS_MB = 1536
TIMEOUT = 90
OLD = b"the user's earlier file"


@dataclass
class Run:
    code: int | None
    stdout: str
    stderr: str
    rss_mb: float
    seconds: float
    strays: list[int] = field(default_factory=list)


def run(args: list[str], cwd: Path, *, stdout=None, sig: tuple | None = None) -> Run:
    """Run vizlearn; optionally send sig=(signal, marker) when marker shows."""
    start = time.monotonic()
    out = stdout if stdout is not None else subprocess.PIPE
    proc = subprocess.Popen(
        [sys.executable, "-m", "vizlearn", *args],
        cwd=cwd,
        stdout=out,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "100"},
    )
    workers: list[psutil.Process] = []
    err = b""
    if sig is not None:
        signum, marker = sig
        os.set_blocking(proc.stderr.fileno(), False)
        parent, seen_at = psutil.Process(proc.pid), None
        while proc.poll() is None and time.monotonic() - start < TIMEOUT:
            err += proc.stderr.read() or b""
            if seen_at is None and marker.encode() in err:
                seen_at = time.monotonic()
            # wait for render workers, if there are any (a short render has none)
            waited = seen_at is not None and time.monotonic() - seen_at > 0.5
            if seen_at is not None and (parent.children(recursive=True) or waited):
                time.sleep(0.2)
                workers = parent.children(recursive=True)
                break
            time.sleep(0.02)
        if proc.poll() is None:
            proc.send_signal(signum)
        os.set_blocking(proc.stderr.fileno(), True)
    try:
        o, e = proc.communicate(timeout=max(1, TIMEOUT - (time.monotonic() - start)))
        code = proc.returncode
    except subprocess.TimeoutExpired:
        for kid in psutil.Process(proc.pid).children(recursive=True):
            kid.kill()
        proc.kill()
        o, e = proc.communicate()
        code = None
    usage = _rss_of(proc.pid)
    _, alive = psutil.wait_procs(workers, timeout=3)
    strays = [p.pid for p in alive if p.status() != psutil.STATUS_ZOMBIE]
    for p in alive:
        p.kill()
    return Run(
        code,
        (o or b"").decode(errors="replace"),
        (err + (e or b"")).decode(errors="replace"),
        usage,
        time.monotonic() - start,
        strays,
    )


_RSS: dict[int, float] = {}


def _rss_of(pid: int) -> float:
    return _RSS.pop(pid, 0.0)


def _reap_hook() -> None:
    """Record each child's peak RSS (ru_maxrss) as subprocess reaps it."""
    original = os.waitpid

    def waitpid(pid: int, options: int):  # type: ignore[no-untyped-def]
        got, status, usage = os.wait4(pid, options)
        if got:
            _RSS[got] = usage.ru_maxrss / 1024
        return got, status

    os.waitpid = waitpid  # type: ignore[assignment]
    del original


_reap_hook()


def one_line_error(r: Run, codes=(1, 2)) -> list[str]:
    problems = []
    if r.code not in codes:
        problems.append(f"exit {r.code}, expected {codes}")
    lines = [  # click's usage errors add "Usage: ..." and "Try ..." before "Error:"
        ln
        for ln in r.stderr.splitlines()
        if ln.strip()
        and not ln.startswith(("Usage: ", "Try '"))
        and ln.strip() not in ("training", "rendering")  # progress labels
        and "%|" not in ln
    ]
    if "Traceback" in r.stderr:
        problems.append("traceback")
    elif len(lines) != 1:
        problems.append(f"{len(lines)} stderr lines")
    if "allow_pickle" in r.stderr:
        problems.append("relays numpy's allow_pickle advice")
    return problems


def limits(r: Run) -> list[str]:
    problems = []
    if r.rss_mb > MAX_RSS_MB:
        problems.append(f"RSS {r.rss_mb:.0f} MB")
    if r.code is None:
        problems.append(f"timeout {TIMEOUT} s")
    return problems


def clean_folder(folder: Path, expected: set[str]) -> list[str]:
    names = {p.name for p in folder.iterdir()}
    problems = []
    if names != expected:
        problems.append(f"folder {sorted(names)} != {sorted(expected)}")
    return problems


# ---- the classes ---------------------------------------------------------------

Case = tuple[str, Callable[[Path], list[str]]]


def signal_cases(mnist_dir: Path) -> list[Case]:
    anim = ["animate", "sin-regression", "--iters", "3000", "--jobs", "2"]
    mnist = ["mnist", "--data-dir", str(mnist_dir), "--split-from-test", "8000"]
    commands = {
        "gif": ([*anim, "-o", "out.gif"], "out.gif", "rendering"),
        "mp4": ([*anim, "-o", "out.mp4"], "out.mp4", "rendering"),
        "max-size": (
            [*anim, "--max-size", "300KB", "-o", "out.gif"],
            "out.gif",
            "rendering",
        ),
        "mnist-gif": ([*mnist, "--iters", "3000", "-o", "m.gif"], "m.gif", "rendering"),
        "mnist-train": (
            [*mnist, "--iters", "200000", "-o", "m.png"],
            "m.png",
            "training",
        ),
    }
    cases: list[Case] = []
    for name, (args, out, marker) in commands.items():
        for signum, code in ((signal.SIGTERM, 143), (signal.SIGHUP, 129)):

            def case(
                tmp: Path, args=args, out=out, marker=marker, signum=signum, code=code
            ):
                (tmp / out).write_bytes(OLD)
                r = run(args, tmp, sig=(signum, marker))
                problems = limits(r)
                if r.code != code:
                    problems.append(
                        f"exit {r.code}, expected {code}: {r.stderr[-200:]!r}"
                    )
                if "Traceback" in r.stderr:
                    problems.append("traceback")
                problems += clean_folder(tmp, {out})
                if (tmp / out).read_bytes() != OLD:
                    problems.append("earlier output replaced")
                if r.strays:
                    problems.append(f"stray processes {r.strays}")
                return problems

            cases.append((f"{signal.Signals(signum).name} {name}", case))

        def killed(tmp: Path, args=args, out=out, marker=marker):
            (tmp / out).write_bytes(OLD)
            r = run(args, tmp, sig=(signal.SIGKILL, marker))
            problems = [f"stray processes {r.strays}"] if r.strays else []
            if (tmp / out).read_bytes() != OLD:
                problems.append("earlier output replaced")
            nxt = run(["info", out], tmp)  # a reader: must not sweep or write
            del nxt
            sweep = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys\nfrom vizlearn.files import atomic_path\n"
                    "with atomic_path(sys.argv[1]) as t: t.write_bytes(b'x')",
                    str(tmp / "next.txt"),
                ],
                capture_output=True,
                timeout=30,
            )
            if sweep.returncode != 0:
                problems.append("next write failed")
            problems += clean_folder(tmp, {out, "next.txt"})
            return problems

        cases.append((f"SIGKILL {name} then the next write sweeps", killed))
    return cases


def _error_case(
    args: list[str],
    build: Callable[[Path], None] | None = None,
    expect: str | None = None,
    outputs: set[str] = frozenset(),
):
    def case(tmp: Path) -> list[str]:
        if build is not None:
            build(tmp)
        before = {p.name for p in tmp.iterdir()}
        r = run(args, tmp)
        problems = one_line_error(r) + limits(r)
        if expect is not None and expect not in r.stderr:
            problems.append(f"message {r.stderr.strip()[-160:]!r}")
        problems += clean_folder(tmp, before | set(outputs))
        return problems

    return case


def _trace_meta(meta: str):
    def build(tmp: Path) -> None:
        members = [
            ("loss.npy", hostile.npy_bytes(np.ones(3)), 0),
            ("steps.npy", hostile.npy_bytes(np.arange(3)), 0),
            ("meta.npy", hostile.npy_bytes(np.array(meta)), 0),
        ]
        hostile.write_zip(tmp / "t.npz", members)

    return build


def memory_cases() -> list[Case]:
    fifo = lambda tmp: os.mkfifo(tmp / "fifo")
    big_csv = lambda tmp: (tmp / "big.csv").write_text(
        "x,y\n0,1\n1,abc\n" + "2,3\n" * 5_000_000
    )
    bomb = lambda tmp: hostile.trace_bomb(tmp / "bomb.npz", int(3.9e9))
    mnist_bomb = lambda tmp: hostile.mnist_bomb(tmp / "mn", 2_400_000)
    z = lambda tmp: hostile.ztxt_bomb(tmp / "z.png", GiB)
    comment = lambda tmp: hostile.gif_with_comment(tmp / "c.gif", b"c" * 3 * MiB)
    mp4 = lambda tmp: hostile.mp4_with_comment(tmp / "m.mp4", b"c" * 3 * MiB)
    svg = lambda tmp: (tmp / "q.svg").write_bytes(
        b"<svg>" + b"<dc:description>" * 400_000
    )
    pdf = lambda tmp: (tmp / "q.pdf").write_bytes(
        b"%PDF-1.4\n" + b"/Subject(" * 600_000
    )
    e = _error_case
    return [
        (
            "render trace declaring 3.9 GB (loss)",
            e(
                ["render", "bomb.npz", "--kind", "loss", "-o", "x.png"],
                bomb,
                "--allow-large",
            ),
        ),
        (
            "render trace declaring 3.9 GB (gif)",
            e(["render", "bomb.npz", "-o", "x.gif"], bomb, "--allow-large"),
        ),
        (
            "info trace declaring 3.9 GB",
            lambda tmp: (bomb(tmp), limits(run(["info", "bomb.npz"], tmp)))[1],
        ),
        (
            "mnist.npz declaring 1.9 GB",
            e(
                ["mnist", "--data-dir", "mn", "--iters", "60", "-o", "m.png"],
                mnist_bomb,
                "refused before inflating",
            ),
        ),
        ("info PNG zTXt -> 1 GiB", e(["info", "z.png"], z, "inflates past 1 MB")),
        ("info GIF 3 MB comment", e(["info", "c.gif"], comment, "longer than 1 MB")),
        ("info MP4 3 MB comment", e(["info", "m.mp4"], mp4, "longer than 1 MB")),
        ("info quadratic SVG", e(["info", "q.svg"], svg, "no vizlearn provenance")),
        ("info quadratic PDF", e(["info", "q.pdf"], pdf, "no vizlearn provenance")),
        ("info /dev/zero", e(["info", "/dev/zero"], None, "not a regular file")),
        ("info FIFO", e(["info", "fifo"], fifo, "not a regular file")),
        (
            "render /dev/zero",
            e(["render", "/dev/zero", "-o", "x.png"], None, "not a regular file"),
        ),
        ("import /dev/zero", e(["import", "/dev/zero", "-o", "x.npz"], None)),
        (
            "plot-metrics /dev/zero",
            e(["plot-metrics", "/dev/zero", "-o", "x.png"], None),
        ),
        (
            "train regression --data /dev/zero",
            e(
                ["train", "regression", "--data", "/dev/zero", "-o", "x.npz"],
                None,
                "longer than",
            ),
        ),
        (
            "train regression --data 20 MB CSV",
            e(
                ["train", "regression", "--data", "big.csv", "-o", "x.npz"],
                big_csv,
                "line 3",
            ),
        ),
    ]


def traceback_cases() -> list[Case]:
    field = lambda tmp: (tmp / "f.csv").write_text(
        "x,y\n0," + "1" * 200_000 + "\n1,2\n"
    )
    quoted = lambda tmp: (tmp / "q.csv").write_text(
        'x,y\n0,"' + ("1" * 1000 + "\n") * 200 + '"\n'
    )
    nested = lambda tmp: hostile.png_with_text(
        tmp / "n.png", [(b"tEXt", b"vizlearn\0" + b"[" * 100_000)]
    )
    bigint = lambda tmp: hostile.png_with_text(
        tmp / "b.png", [(b"tEXt", b'vizlearn\0{"seed": ' + b"9" * 5000 + b"}")]
    )
    e = _error_case
    cases: list[Case] = [
        (
            "CSV field of 200 KB",
            e(
                ["train", "regression", "--data", "f.csv", "-o", "x.npz"],
                field,
                "line 2",
            ),
        ),
        (
            "CSV quoted field over 128 KiB",
            e(
                ["train", "regression", "--data", "q.csv", "-o", "x.npz"],
                quoted,
                "field larger",
            ),
        ),
        ("info nested JSON provenance", e(["info", "n.png"], nested, "nested over 32")),
        ("info bigint JSON provenance", e(["info", "b.png"], bigint, "too large")),
    ]
    metas = {
        "diverged_at list": '{"lesson": "sin-regression", "diverged_at": [1, 2]}',
        "diverged_at huge": '{"lesson": "sin-regression", "diverged_at": 1'
        + "0" * 40
        + "}",
        "config string": '{"lesson": "sin-regression", "config": "iters=10"}',
        "nested meta": "[" * 50_000 + "]" * 50_000,
        "bigint meta": '{"seed": ' + "9" * 5000 + "}",
        "NaN in meta": '{"lesson": "sin-regression", "lr": NaN}',
    }
    for name, meta in metas.items():
        cases.append(
            (
                f"render trace with {name}",
                e(
                    ["render", "t.npz", "--kind", "loss", "-o", "x.png"],
                    _trace_meta(meta),
                    "t.npz",
                ),
            )
        )
        cases.append(
            (
                f"info trace with {name}",
                e(["info", "t.npz"], _trace_meta(meta), "t.npz"),
            )
        )

    def full(tmp: Path, json_flag: bool) -> list[str]:
        hostile.png_with_text(tmp / "p.png", [(b"tEXt", b'vizlearn\0{"lesson": "x"}')])
        with open("/dev/full", "wb") as devfull:
            r = run(
                ["info", *(["--json"] if json_flag else []), "p.png"],
                tmp,
                stdout=devfull,
            )
        return one_line_error(r, codes=(1,))

    cases.append(("info --json > /dev/full", lambda tmp: full(tmp, True)))
    cases.append(("info > /dev/full", lambda tmp: full(tmp, False)))
    return cases


EVIL = {
    "lesson": "x\x1b[2J\x1b]0;pwned\x07",
    "note": "a\r\nvizlearn       9.9.9",
    "rtl": "\u202eexe.txt",
    "c1": "\x9b31m",
    "ja": "日本語\u3000テスト",
}


def terminal_cases() -> list[Case]:
    text = json.dumps(EVIL, ensure_ascii=False).encode()
    builds = {
        "PNG": lambda tmp: hostile.png_with_text(
            tmp / "e.png", [(b"iTXt", b"vizlearn\0\0\0\0\0" + text)]
        ),
        "GIF": lambda tmp: hostile.gif_with_comment(tmp / "e.gif", text),
        "MP4": lambda tmp: hostile.mp4_with_comment(tmp / "e.mp4", text),
        "trace": _trace_meta(json.dumps(EVIL)),
    }
    files = {"PNG": "e.png", "GIF": "e.gif", "MP4": "e.mp4", "trace": "t.npz"}
    cases: list[Case] = []
    for kind, build in builds.items():
        for flag in ([], ["--json"]):

            def case(tmp: Path, build=build, name=files[kind], flag=flag) -> list[str]:
                build(tmp)
                r = run(["info", *flag, name], tmp)
                problems = limits(r)
                if r.code != 0:
                    problems.append(f"exit {r.code}: {r.stderr.strip()[-200:]!r}")
                raw = [c for c in r.stdout if not c.isprintable() and c not in "\n "]
                bad = [c for c in raw if c != "\u3000"]
                if bad:
                    problems.append(f"raw {sorted(set(map(repr, bad)))} on stdout")
                if any(
                    ln.startswith("vizlearn       9.9.9")
                    for ln in r.stdout.splitlines()
                ):
                    problems.append("spoofed line")
                if "日本語" not in r.stdout:
                    problems.append("Japanese text lost")
                return problems

            cases.append(
                (f"info {' '.join(flag)} {kind} with ESC/OSC/CR/LF/bidi", case)
            )

    def evil_name(tmp: Path) -> list[str]:
        name = "x\x1b]0;pwned\x07.png"
        hostile.png_with_text(tmp / name, [(b"tEXt", b'vizlearn\0{"lesson": "x"}')])
        r = run(["info", name], tmp)
        return [f"raw ESC in {r.stdout!r}"] if "\x1b" in r.stdout + r.stderr else []

    def evil_error(tmp: Path) -> list[str]:
        name = "y\x1b]0;pwned\x07.npz"
        (tmp / name).write_bytes(b"garbage")
        r = run(["render", name, "-o", "x.png"], tmp)
        return [f"raw ESC in the error {r.stderr!r}"] if "\x1b" in r.stderr else []

    cases.append(("info of a file named with ESC/BEL", evil_name))
    cases.append(("render error naming a file with ESC/BEL", evil_error))
    return cases


def mnist_cases(mnist_dir: Path) -> list[Case]:
    def garbage(tmp: Path) -> None:
        (tmp / "mn").mkdir()
        (tmp / "mn" / "mnist.npz").write_bytes(b"garbage, not an npz" * 100)

    def npy(tmp: Path) -> None:
        (tmp / "mn").mkdir()
        with open(tmp / "mn" / "mnist.npz", "wb") as f:
            np.save(f, np.zeros(3))

    def objects(tmp: Path) -> None:
        (tmp / "mn").mkdir()
        np.savez(tmp / "mn" / "mnist.npz", x_train=np.array([None], dtype=object))

    args = ["mnist", "--data-dir", "mn", "--iters", "60", "-o", "m.png"]
    e = _error_case
    cases: list[Case] = [
        ("garbage mnist.npz", e(args, garbage, "mnist.npz")),
        (".npy named mnist.npz", e(args, npy, "a single .npy array")),
        ("object arrays in mnist.npz", e(args, objects, "Python objects")),
    ]

    def absolute(tmp: Path) -> list[str]:
        r = run(
            [
                "train",
                "mnist",
                "--data-dir",
                str(mnist_dir),
                "--split-from-test",
                "8000",
                "--iters",
                "60",
                "-o",
                "t.npz",
            ],
            tmp,
        )
        if r.code != 0:
            return [f"exit {r.code}: {r.stderr.strip()[-200:]!r}"]
        with np.load(tmp / "t.npz") as npz:
            meta = str(npz["meta"])
        return [f"meta holds {mnist_dir}"] if str(mnist_dir) in meta else []

    cases.append(("trace meta without the absolute --data-dir", absolute))
    return cases


def api_cases() -> list[Case]:
    def call(code: str, expect: str):
        def case(tmp: Path) -> list[str]:
            script = tmp / "case.py"
            script.write_text(f"import os\nos.chdir({str(tmp)!r})\n" + code)
            proc = hostile.run_limited([str(script)], cwd=ROOT)
            out = proc.stdout.strip()
            return (
                []
                if out.startswith(expect)
                else [f"{out[-200:]!r} {proc.stderr[-300:]!r}"]
            )

        return case

    nested = "[" * 100_000 + "]" * 100_000
    prep = (
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "import numpy as np, io, zipfile\n"
        "from tests.robustness import hostile\n"
        "from pathlib import Path\n"
    )
    load = (
        "from vizlearn import load_trace\n"
        "try:\n    load_trace(p)\n"
        "except Exception as e:\n    print(type(e).__name__, e)\n"
    )
    return [
        (
            "load_trace of nested meta (was RecursionError)",
            call(
                prep + "p = Path('t.npz')\nhostile.write_zip(p, ["
                "('loss.npy', hostile.npy_bytes(np.ones(3)), 0),"
                "('steps.npy', hostile.npy_bytes(np.arange(3)), 0),"
                f"('meta.npy', hostile.npy_bytes(np.array({nested!r})), 0)])\n" + load,
                "TraceError",
            ),
        ),
        ("load_trace('/dev/zero')", call("p = '/dev/zero'\n" + load, "TraceError")),
        (
            "load_trace of a 2 GiB-declared bomb",
            call(
                prep + "p = hostile.trace_bomb(Path('b.npz'), 2 * 2**30)\n" + load,
                "TraceError",
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="run only these classes")
    parser.add_argument(
        "--mnist-dir", type=Path, default=ROOT.parent / "shared" / "data" / "mnist"
    )
    opts = parser.parse_args()
    mnist_dir = opts.mnist_dir.resolve()
    classes = {
        "signals": lambda: signal_cases(mnist_dir),
        "bounded reads": memory_cases,
        "tracebacks": traceback_cases,
        "terminal": terminal_cases,
        "mnist.npz": lambda: mnist_cases(mnist_dir),
        "python api": api_cases,
    }
    table = []
    for name, make in classes.items():
        if opts.only and name not in opts.only:
            continue
        tried = held = 0
        for label, case in make():
            tried += 1
            with tempfile.TemporaryDirectory(prefix="adversary-") as tmp:
                try:
                    problems = case(Path(tmp))
                except Exception as e:  # noqa: BLE001 - a harness error is a failure
                    problems = [f"harness: {type(e).__name__}: {e}"]
            if problems:
                print(f"FAIL [{name}] {label}: {'; '.join(problems)}", flush=True)
            else:
                held += 1
        table.append((name, tried, held))
        print(f"{name}: {held}/{tried} held", flush=True)
    print("\nclass            tried  held")
    for name, tried, held in table:
        print(f"{name:<16} {tried:>5} {held:>5}")
    print(
        f"{'total':<16} {sum(t for _, t, _ in table):>5} {sum(h for *_, h in table):>5}"
    )


if __name__ == "__main__":
    main()

"""Run reading cases in one process (started under a memory limit); print JSON.

``python -m tests.robustness._worker CASES.json`` where each case is
``[name, reader, args]``; prints ``{name: {"error", "message", "seconds",
"peak_mb"}}``. ``peak_mb`` is the peak RSS during that case (Linux resets it
through ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

READERS = {
    "load_trace": "vizlearn.trace:load_trace",
    "read_trace_meta": "vizlearn.trace:read_trace_meta",
    "read_provenance": "vizlearn.export.provenance:read_provenance",
    "read_animation_info": "vizlearn.export.readback:read_animation_info",
    "read_xy_csv": "vizlearn.datasets.csv:read_xy_csv",
    "read_idx": "vizlearn.datasets.mnist:read_idx",
}


def _peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _cli(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from vizlearn.cli import cli

    result = CliRunner().invoke(cli, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _mnist(folder: str) -> None:
    from vizlearn.datasets.mnist import load_mnist

    load_mnist(data_dir=Path(folder), verify=False, download=False)


def run(name: str, reader: str, args: list[str]) -> dict[str, object]:
    if reader == "cli":
        fn = _cli
    elif reader == "load_mnist":
        fn = _mnist
    else:
        module, _, attr = READERS[reader].partition(":")
        fn = getattr(importlib.import_module(module), attr)
    _reset_peak()
    start = time.perf_counter()
    try:
        value = fn(*args)
        error, message = "ok", json.dumps(value, default=str)[:2000]
    except BaseException as e:  # noqa: BLE001 - the type is what the test checks
        error, message = type(e).__name__, str(e)
    return {
        "error": error,
        "message": message,
        "seconds": time.perf_counter() - start,
        "peak_mb": _peak_mb(),
    }


def main() -> None:
    cases = json.loads(Path(sys.argv[1]).read_text())
    results = {name: run(name, reader, args) for name, reader, args in cases}
    print(json.dumps(results))


if __name__ == "__main__":
    main()

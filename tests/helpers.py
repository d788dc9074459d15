"""What many test files share: the shared MNIST split and an in-process CLI run."""

from __future__ import annotations

import fcntl
import functools
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

__all__ = [
    "SHARED_MNIST",
    "MNIST_ARGS",
    "MNIST_SPLIT",
    "needs_mnist",
    "invoke",
    "summary",
    "alone",
    "session_dir",
    "locked",
    "HUP_IGNORED",
    "hangup",
]

#: The real MNIST t10k files (``$VIZLEARN_MNIST_DIR`` or ``../shared/data/mnist``).
SHARED_MNIST = Path(
    os.environ.get(
        "VIZLEARN_MNIST_DIR", Path(__file__).resolve().parents[2] / "shared/data/mnist"
    )
)
#: The split tests train on: the first 8 000 t10k images, tested on the last 2 000.
MNIST_ARGS = ["--data-dir", str(SHARED_MNIST), "--split-from-test", "8000"]
MNIST_SPLIT: dict[str, Any] = {"data_dir": str(SHARED_MNIST), "split_from_test": 8000}
needs_mnist = pytest.mark.skipif(
    not SHARED_MNIST.is_dir(), reason=f"no shared MNIST in {SHARED_MNIST}"
)


def invoke(args: list[Any], expected: int = 0, **kwargs: Any) -> Result:
    """Run ``vizlearn ARGS`` in-process; on a wrong exit code show output and error."""
    from vizlearn.cli import cli

    args = [str(a) for a in args]
    result = CliRunner().invoke(cli, args, **kwargs)
    assert result.exit_code == expected, (
        f"vizlearn {' '.join(args)} -> {result.exit_code}\n{result.output}"
        f"\n{result.exception!r}"
    )
    return result


def summary(result: Result) -> dict[str, Any]:
    """The ``--json`` summary: the last line of stdout."""
    return json.loads(result.stdout.strip().splitlines()[-1])


ROOT = Path(__file__).resolve().parents[1]


def alone(test: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``test`` in a pytest process of its own when pytest-xdist runs the suite.

    An xdist worker runs a thread of its own (execnet's), and vizlearn never
    forks a threaded process, so a test of the forked render workers would
    test the fallback there; this reruns it in a fresh single-threaded pytest.
    """

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if "PYTEST_XDIST_WORKER" not in os.environ:
            return test(*args, **kwargs)
        nodeid = os.environ["PYTEST_CURRENT_TEST"].rsplit(" ", 1)[0]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        cmd = [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider"]
        run = subprocess.run(
            [*cmd, "-q", nodeid], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        assert "\n1 passed" in "\n" + run.stdout, run.stdout[-2000:]
        return None

    return wrapper


def session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of this test session that every xdist worker shares."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) across processes."""
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


#: True when this run ignores SIGHUP (started under ``nohup``): so do its children.
HUP_IGNORED = signal.getsignal(signal.SIGHUP) == signal.SIG_IGN


def hangup(*values: Any) -> Any:
    """A parameter set that sends SIGHUP: skipped under ``nohup``, which ignores it."""
    reason = "started under nohup: SIGHUP is ignored here and in every child"
    return pytest.param(*values, marks=pytest.mark.skipif(HUP_IGNORED, reason=reason))

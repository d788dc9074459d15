"""What many test files share: the shared MNIST split and an in-process CLI run."""

from __future__ import annotations

import json
import os
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

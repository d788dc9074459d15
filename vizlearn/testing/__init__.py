"""Image snapshots of figures and animations, and golden traces: a pytest plugin.

Installed with vizlearn (entry point ``pytest11``), and built to sit next to
other snapshot plugins: every flag, fixture and ini option it adds carries a
``vizlearn``/``vl_`` prefix, so it never claims a name that syrupy,
pytest-snapshot, pytest-mpl or pytest-image-snapshot use::

    def test_my_figure(vl_image_snapshot):
        fig = make_my_figure()           # a Figure, an image file, an RGBA array,
        vl_image_snapshot(fig, tol=2)    # or a GIF/WebP/APNG file or Animation

    def test_my_training(vl_trace_snapshot):
        vl_trace_snapshot(train_my_model(), rtol=1e-6)   # losses and parameters

The older names ``image_snapshot`` and ``trace_snapshot`` still work where no
other installed plugin defines them (pytest-image-snapshot has its own
``image_snapshot``: with it installed, only ``vl_image_snapshot`` is vizlearn's).

Baselines: ``snapshots/<test module>/<test name>.png`` beside the test file,
or under the ini option ``vizlearn_snapshot_dir`` (relative to the ini file;
the test file's path below it), or wherever the ``vl_snapshot_dir`` fixture
says. ``pytest --vizlearn-update`` writes missing baselines and rewrites the
ones that no longer match. A failure saves the expected, actual and diff
images (``--vizlearn-failures DIR``, default ``vizlearn-failures`` in pytest's
temporary folder) and, at the end, ``summary.html``/``summary.json`` there.
After a whole run, the baselines that no test used are listed. Works under
pytest-xdist: the workers' notes travel in each report's ``user_properties``.

This module imports only pytest at load time: pytest loads it in every session
of every project that has vizlearn installed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

__all__ = ["ImageSnapshot", "TraceSnapshot", "SnapshotMismatch", "image_rms", "to_rgba"]

_LAZY = {
    "ImageSnapshot": "vizlearn.testing.snapshots",
    "TraceSnapshot": "vizlearn.testing.snapshots",
    "SnapshotMismatch": "vizlearn.testing.snapshots",
    "image_rms": "vizlearn.testing.images",
    "to_rgba": "vizlearn.testing.images",
}
_ALIASES = {
    "image_snapshot": "vl_image_snapshot",
    "trace_snapshot": "vl_trace_snapshot",
}
_NOTE = "vizlearn-snapshot"  # == snapshots.NOTE, kept here so hooks import nothing
_STATE = pytest.StashKey["_Session"]()


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'vizlearn.testing' has no attribute {name!r}")


@dataclass
class _Session:
    """Options, and the notes of every test (gathered where reports arrive)."""

    update: bool
    failures: Path | None
    root: Path | None
    notes: list[dict[str, Any]] = field(default_factory=list)
    modules_skipped: set[str] = field(default_factory=set)
    summary: Path | None = None


# --- options and set-up --------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --vizlearn-update, --vizlearn-failures and the vizlearn_snapshot_dir ini."""
    group = parser.getgroup("vizlearn", "vizlearn image and trace snapshots")
    group.addoption(
        "--vizlearn-update",
        action="store_true",
        default=False,
        help="write missing vizlearn snapshot baselines and rewrite mismatching ones",
    )
    group.addoption(
        "--vizlearn-failures",
        metavar="DIR",
        default=None,
        help="save expected/actual/diff images of failed vizlearn snapshots and "
        "summary.html/summary.json here [default: vizlearn-failures in pytest's "
        "temporary folder]",
    )
    parser.addini(
        "vizlearn_snapshot_dir",
        "folder of vizlearn snapshot baselines, relative to the ini file "
        "[default: snapshots/ beside each test file]",
        default="",
    )


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Read the options; add the unprefixed fixture names nobody else defines."""
    folder = config.getoption("--vizlearn-failures", None)
    root = config.getini("vizlearn_snapshot_dir")
    base = config.inipath.parent if config.inipath else config.rootpath
    config.stash[_STATE] = _Session(
        bool(config.getoption("--vizlearn-update", False)),
        Path(folder).resolve() if folder else None,
        (base / root).resolve() if root else None,
    )
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(_Gatherer(config.stash[_STATE]), "vizlearn-notes")
    free = {k: v for k, v in _ALIASES.items() if not _claimed(config, k)}
    if free:
        config.pluginmanager.register(_aliases(free), "vizlearn-aliases")


def _claimed(config: pytest.Config, name: str) -> bool:
    """Whether a plugin other than this one defines a fixture ``name``."""
    me = config.pluginmanager.get_plugin("vizlearn")
    for plugin in config.pluginmanager.get_plugins():
        try:
            obj = getattr(plugin, name, None)
        except Exception:  # noqa: BLE001 - a plugin object with an odd __getattr__
            continue
        if plugin is me or plugin is _this_module() or obj is None:
            continue
        if type(obj).__name__ == "FixtureFunctionDefinition" or hasattr(
            obj, "_pytestfixturefunction"
        ):
            return True
    return False


def _this_module() -> Any:
    import sys

    return sys.modules[__name__]


def _aliases(names: dict[str, str]) -> Any:
    """A plugin object holding fixtures ``image_snapshot`` -> ``vl_image_snapshot``."""
    import types

    holder = types.ModuleType("vizlearn.testing.aliases")
    for alias, target in names.items():

        def fixture(request: pytest.FixtureRequest, _target: str = target) -> Any:
            return request.getfixturevalue(_target)

        fixture.__doc__ = f"The same as ``{target}`` (vizlearn)."
        setattr(holder, alias, pytest.fixture(name=alias)(fixture))
    return holder


# --- fixtures ------------------------------------------------------------------


@pytest.fixture
def vl_snapshot_dir(request: pytest.FixtureRequest) -> Path:
    """Folder of this test's baselines: ``snapshots/<test module>/`` by default."""
    state = request.config.stash[_STATE]
    test_file = Path(request.path)
    if state.root is None:
        return test_file.parent / "snapshots" / test_file.stem
    try:
        relative = test_file.relative_to(request.config.rootpath)
    except ValueError:
        relative = Path(test_file.name)
    return state.root / relative.with_suffix("")


@pytest.fixture
def vl_image_snapshot(
    request: pytest.FixtureRequest, vl_snapshot_dir: Path, tmp_path_factory: Any
) -> Any:
    """Compare a Figure, image, RGBA array or animation with its baseline."""
    from vizlearn.testing.snapshots import ImageSnapshot

    return ImageSnapshot(**_snapshot_args(request, vl_snapshot_dir, tmp_path_factory))


@pytest.fixture
def vl_trace_snapshot(
    request: pytest.FixtureRequest, vl_snapshot_dir: Path, tmp_path_factory: Any
) -> Any:
    """Compare a Trace's losses and parameters with a golden ``.npz``."""
    from vizlearn.testing.snapshots import TraceSnapshot

    return TraceSnapshot(**_snapshot_args(request, vl_snapshot_dir, tmp_path_factory))


def _snapshot_args(
    request: pytest.FixtureRequest, directory: Path, tmp_path_factory: Any
) -> dict[str, Any]:
    config, node = request.config, request.node
    module, _, name = node.nodeid.partition("::")
    failures = _failures_root(config, tmp_path_factory)
    prefix = Path(*[p for p in Path(module).with_suffix("").parts if p != ".."])

    def note(entry: dict[str, Any]) -> None:
        node.user_properties.append((_NOTE, {**entry, "root": str(failures)}))

    return {
        "directory": directory,
        "test_name": name.replace("::", ".") or node.name,
        "update": config.stash[_STATE].update,
        "failures": failures / prefix,
        "note": note,
        "scratch": lambda: tmp_path_factory.mktemp("vl-animation"),
    }


def _failures_root(config: pytest.Config, tmp_path_factory: Any) -> Path:
    """--vizlearn-failures, or vizlearn-failures in the session's base temp folder.

    A pytest-xdist worker's base temp folder is ``popen-gwN`` inside the main
    process's, so all workers write into the same folder.
    """
    explicit = config.stash[_STATE].failures
    if explicit is not None:
        return explicit
    base = Path(tmp_path_factory.getbasetemp())
    if hasattr(config, "workerinput"):
        base = base.parent
    return base / "vizlearn-failures"


# --- reports: notes arrive here from this process or from xdist workers ---------


class _Gatherer:
    """Gathers the notes of every test where the reports arrive (not in workers)."""

    def __init__(self, state: _Session) -> None:
        self.state = state
        self.partial = False

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep the snapshot notes a test left (once, from its teardown report)."""
        module = report.nodeid.partition("::")[0]
        if report.skipped:
            self.state.modules_skipped.add(module)
        if report.when == "teardown":
            for key, value in report.user_properties:
                if key == _NOTE:
                    self.state.notes.append(
                        {**value, "test": report.nodeid, "module": module}
                    )

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Write summary.html/summary.json when a snapshot failed."""
        self.partial = bool(session.shouldstop or session.shouldfail) or exitstatus > 1
        failures = [n for n in self.state.notes if "failure" in n]
        if failures:
            from vizlearn.testing.report import write_summary

            root = Path(failures[0]["root"])
            self.state.summary = write_summary(root, failures)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """List baselines written, the failure summary, and baselines no test used."""
        state, tr = self.state, terminalreporter
        written = [n for n in state.notes if "written" in n]
        if written:
            tr.section("vizlearn snapshots written")
            for n in written:
                tr.write_line(
                    f"{'updated' if n['updated'] else 'written'}: {n['written']}"
                )
        if state.summary is not None:
            tr.write_line(f"vizlearn snapshot failures: {state.summary}")
        unused = self._unused(tr)
        if unused:
            tr.section("vizlearn baselines no test used")
            for path in unused:
                tr.write_line(str(path))
            tr.write_line(
                f"{len(unused)} file(s): delete them, or run the tests that use them"
            )

    def _unused(self, reporter: Any) -> list[Path]:
        """Unused baselines, only after a run that ran every test of its modules."""
        config = reporter.config
        option = config.option
        if (
            self.partial
            or getattr(option, "keyword", "")
            or getattr(option, "markexpr", "")
            or getattr(option, "deselect", None)
            or getattr(option, "lf", False)
            or any("::" in str(a) for a in config.args)
            or reporter.stats.get("deselected")
            or reporter.stats.get("error")
        ):
            return []
        from vizlearn.testing.report import unused_baselines

        folders: dict[str, set[str]] = {}
        used: set[str] = set()
        for n in self.state.notes:
            if "used" in n:
                folders.setdefault(n["folder"], set()).add(n["module"])
                used.update(n["used"])
        skipped = self.state.modules_skipped
        complete = [f for f, mods in folders.items() if not mods & skipped]
        return unused_baselines(complete, used)

"""Download progress and notes about data, sent to callbacks (the library never prints).

Each loader takes ``progress=`` and ``on_note=`` callbacks. A caller that does
not call the loader itself (the CLI runs a lesson, which loads its data) sets
them for a block instead::

    with reporting(progress=show_bar, note=lambda text: print(text, file=sys.stderr)):
        run_lesson(config)

Without either, a note goes to the ``vizlearn.datasets`` logger (level INFO)
and progress nowhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["Note", "Progress", "note_callback", "progress_callback", "reporting"]

#: ``progress(file_name, bytes_done, bytes_total_or_None)``: called when a
#: download starts (``bytes_done`` is where it resumes), after each block, and
#: once more at the end with ``bytes_done == bytes_total``.
Progress = Callable[[str, int, "int | None"], None]
#: ``note(text)``: one line about the data read (e.g. not the canonical files).
Note = Callable[[str], None]

_progress: ContextVar[Progress | None] = ContextVar("vizlearn_progress", default=None)
_note: ContextVar[Note | None] = ContextVar("vizlearn_note", default=None)
logger = logging.getLogger("vizlearn.datasets")


@contextmanager
def reporting(
    *, progress: Progress | None = None, note: Note | None = None
) -> Iterator[None]:
    """Send download progress and data notes of loaders run in the block to these."""
    tokens = (_progress.set(progress), _note.set(note))
    try:
        yield
    finally:
        _note.reset(tokens[1])
        _progress.reset(tokens[0])


def progress_callback(progress: Progress | None = None) -> Progress | None:
    """``progress`` if given, else the one `reporting` set, else None."""
    return progress if progress is not None else _progress.get()


def note_callback(on_note: Note | None = None) -> Note:
    """``on_note`` if given, else the one `reporting` set, else the logger."""
    if on_note is not None:
        return on_note
    note = _note.get()
    return note if note is not None else logger.info

"""Files, safely: atomic outputs, stale temporaries, signals and bounded reads.

The base layer every other module writes and reads files through (it imports
nothing from vizlearn). Four promises:

- an output appears complete or not at all, and the outputs of one command
  appear together (`atomic_outputs`) or not at all (`vizlearn.files.atomic`);
- a temporary file left by a killed run (``.NAME.PID.RANDOM.tmp...``) is
  removed by the next run that writes into the same folder;
- SIGTERM and SIGHUP stop a command-line run the way Ctrl-C does, so every
  ``with`` block cleans up (`install_signal_handlers`,
  `vizlearn.files.signals`);
- a file is read only if it is a regular file within a byte limit, checked
  before anything is allocated (`open_bounded`, `read_bounded`, `map_file`,
  `npz_members`, `parse_json`), and text read from it is escaped before it
  reaches a terminal (`terminal_safe`) (`vizlearn.files.reading`).
"""

from vizlearn.files.atomic import (
    atomic_outputs,
    atomic_path,
    check_distinct,
    remove_stale_temps,
)
from vizlearn.files.reading import (
    FileRefused,
    NpyMember,
    map_file,
    npz_members,
    open_bounded,
    parse_json,
    read_bounded,
    terminal_safe,
)
from vizlearn.files.signals import (
    STOP_GRACE_SECONDS,
    Terminated,
    check_stop,
    install_signal_handlers,
)

__all__ = [
    "FileRefused",
    "NpyMember",
    "STOP_GRACE_SECONDS",
    "Terminated",
    "atomic_outputs",
    "atomic_path",
    "check_distinct",
    "check_stop",
    "install_signal_handlers",
    "map_file",
    "npz_members",
    "open_bounded",
    "parse_json",
    "read_bounded",
    "remove_stale_temps",
    "terminal_safe",
]

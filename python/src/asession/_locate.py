"""Where the asession binary is: the one a platform wheel installed first."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path
from typing import List, Optional

from ._errors import ExecutableNotFound

#: The environment variable naming the asession binary to run.
EXECUTABLE_ENV = "ASESSION_BIN"

_NAME = "asession" + (".exe" if os.name == "nt" else "")


def _script_dirs() -> List[str]:
    """The folders pip installs a wheel's scripts into, for this Python."""
    dirs = [sysconfig.get_path("scripts")]
    user_scheme = (sysconfig.get_preferred_scheme("user")
                   if hasattr(sysconfig, "get_preferred_scheme") else f"{os.name}_user")
    try:
        dirs.append(sysconfig.get_path("scripts", user_scheme))
    except KeyError:
        pass
    # pip install --target DIR puts the package in DIR and scripts in DIR/bin.
    dirs.append(str(Path(__file__).resolve().parent.parent / "bin"))
    dirs.append(os.path.dirname(sys.executable))
    seen: List[str] = []
    for d in dirs:
        if d and d not in seen:
            seen.append(d)
    return seen


def find_executable(executable: Optional[str] = None) -> str:
    """The path of the asession binary to run.

    In order: executable when given, $ASESSION_BIN, the binary installed by
    this package's platform wheel (the scripts folder of this Python, the
    user's, or ``--target``'s ``bin``), then ``asession`` on PATH.
    """
    searched: List[str] = []
    for given, origin in ((executable, "the executable argument"), (os.environ.get(EXECUTABLE_ENV), "$" + EXECUTABLE_ENV)):
        if given:
            found = shutil.which(given) if os.sep not in given and "/" not in given else given
            if found and os.path.isfile(found) and os.access(found, os.X_OK):
                return found
            raise ExecutableNotFound(f"asession not found: {origin} names {given!r}, which is not an executable file")
    for d in _script_dirs():
        candidate = os.path.join(d, _NAME)
        searched.append(candidate)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    on_path = shutil.which("asession")
    if on_path:
        return on_path
    searched.append("PATH")
    raise ExecutableNotFound(
        "asession not found; looked in " + ", ".join(searched) +
        ". Install a platform wheel (pip install asession), put asession on PATH, "
        f"or name it with ${EXECUTABLE_ENV} or executable=")

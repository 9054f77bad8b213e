"""What the tests share: an ascpsim "server" per test, trees, process checks.

Two modes. From the source tree (make test-python): PYTHONPATH=src, the
asession and ascpsim that make build put in bin/ ($ASESSION_BIN,
$ASCPSIM_BIN). Installed (ASESSION_TEST_INSTALLED=1, make test-packages):
the package and its binary come from a platform wheel installed in a
virtual environment, and the tests check that they do.
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
import unittest
from pathlib import Path
from typing import Dict, List
from unittest import mock

import asession

REPO = Path(__file__).resolve().parents[2]
INSTALLED = os.environ.get("ASESSION_TEST_INSTALLED") == "1"
PASSWORD = "py-test-pw-5150"
WRONG_PASSWORD = "py-wrong-pw-8086"
CANCEL_TIMEOUT = 20.0  # how long a cancelled job may take to end on a loaded machine


def _binary(variable: str, name: str) -> str:
    path = os.environ.get(variable) or str(REPO / "bin" / name)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is not executable: run make build, or set ${variable}")
    return path


ASCPSIM = _binary("ASCPSIM_BIN", "ascpsim")

if INSTALLED:
    # The package and the binary must be the wheel's, not the tree's.
    if os.environ.get("ASESSION_BIN"):
        raise RuntimeError("installed mode: unset ASESSION_BIN, the wheel's binary is under test")
    if not Path(asession.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()):
        raise RuntimeError(f"installed mode: asession comes from {asession.__file__}, not from {sys.prefix}")
else:
    os.environ.setdefault("ASESSION_BIN", _binary("ASESSION_BIN", "asession"))


class ServerTestCase(unittest.TestCase):
    """A test with its own ascpsim docroot (self.server) and scratch folder
    (self.dir); after it, no process started for that docroot is left."""

    def setUp(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="asession-py-"))
        self.addCleanup(shutil.rmtree, self.dir, ignore_errors=True)
        self.server = self.dir / "server"
        self.server.mkdir()
        env = {"ASCPSIM_ROOT": str(self.server), "ASCPSIM_PASSWORD": PASSWORD, "ASESSION_ASCP": ASCPSIM}
        patcher = mock.patch.dict(os.environ, env)
        patcher.start()
        self.addCleanup(patcher.stop)
        for name in ("ASCPSIM_FAIL", "ASCPSIM_FAIL_TIMES", "FASP_HOST", "FASP_PORT", "FASP_USERNAME",
                     "FASP_PASSWORD", "FASP_TOKEN", "ASPERA_SCP_PASS", "ASPERA_SCP_TOKEN"):
            os.environ.pop(name, None)
        # Registered last, so run first: the leftover check sees the
        # processes before the folders go.
        self.addCleanup(self.assertNothingLeft)

    def spec(self, **fields: object) -> Dict[str, object]:
        spec: Dict[str, object] = {"remote_host": "localhost", "remote_user": "demo", "remote_password": PASSWORD,
                                   "create_dir": True}
        spec.update(fields)
        return spec

    def processes(self) -> List[int]:
        """Processes (asession, ascp) started for this test's docroot."""
        return processes_with_env(f"ASCPSIM_ROOT={self.server}")

    def assertNothingLeft(self, within: float = 5.0) -> None:
        deadline = time.monotonic() + within
        while True:
            left = self.processes()
            if not left:
                return
            if time.monotonic() > deadline:
                self.fail(f"processes left running: {left}")
            time.sleep(0.05)


def processes_with_env(entry: str) -> List[int]:
    """The pids whose environment holds entry (NAME=VALUE). Linux only."""
    want = entry.encode() + b"\0"
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                environ = f.read() + b"\0"
            with open(f"/proc/{pid}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if state != b"Z" and (environ.startswith(want) or b"\0" + want in environ):
            found.append(int(pid))
    return found


def make_tree(root: Path, big: int = 2 << 20) -> Dict[str, bytes]:
    """Four files: a name with a space, a non-ASCII name, nested folders and
    one of big bytes. Returns them by relative path."""
    rng = random.Random(7)
    files = {
        "read me.txt": b"hello from the python package\n",
        "nested/\u00fcn\u00efc\u00f6d\u00e9.txt": "\u00fcn\u00efc\u00f6d\u00e9 \u2713\n".encode(),
        "nested/deeper/leaf": b"leaf\n",
        "nested/deeper/big.bin": rng.randbytes(big),
    }
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def tree_files(root: Path) -> Dict[str, bytes]:
    """Every regular file under root by slash-separated relative path
    (ascpsim's own .ascpsim folder left out)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".ascpsim"):
            out[rel] = path.read_bytes()
    return out

"""build_wheels.py (make wheels): versions, tags, contents, checks."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PYTHON_DIR))
import build_wheels  # noqa: E402

VERSION = "v1.2.3-4-gabcdef0"
PY_VERSION = "1.2.3.post4+gabcdef0"


class VersionTest(unittest.TestCase):

    def test_pep440(self):
        cases = {
            "v1.2.3": "1.2.3",
            "1.2.3": "1.2.3",
            "v0.4.0-rc.2": "0.4.0rc2",
            "v0.4.0-beta.1-3-g0123abc": "0.4.0b1.post3+g0123abc",
            "v1.2.3-4-gabcdef0": "1.2.3.post4+gabcdef0",
            "v1.2.3-4-gabcdef0-dirty": "1.2.3.post4+gabcdef0.dirty",
            "v1.2.3-dirty": "1.2.3+dirty",
            "0d1708c": "0.0.0+g0d1708c",
            "0d1708c-dirty": "0.0.0+g0d1708c.dirty",
            "dev": "0.0.0+dev",
        }
        for given, want in cases.items():
            self.assertEqual(build_wheels.pep440(given), want, given)
        with self.assertRaises(SystemExit):
            build_wheels.pep440("release-candidate")


def fake_dist(dist: Path, version: str, binaries: dict) -> None:
    """Archives laid out as make dist lays them, and their SHA256SUMS."""
    dist.mkdir(parents=True)
    sums = []
    for platform, data in binaries.items():
        goos, goarch = platform.split("/")
        folder = f"asession_{version}_{goos}_{goarch}"
        if goos == "windows":
            name = folder + ".zip"
            with zipfile.ZipFile(dist / name, "w") as z:
                z.writestr(zipfile.ZipInfo(f"{folder}/asession.exe", (2026, 1, 2, 3, 4, 6)), data)
                z.writestr(f"{folder}/LICENSE", "license")
        else:
            name = folder + ".tar.gz"
            with tarfile.open(dist / name, "w:gz") as t:
                info = tarfile.TarInfo(f"{folder}/asession")
                info.size, info.mode, info.mtime = len(data), 0o755, 1767323046
                t.addfile(info, io.BytesIO(data))
        sums.append(f"{hashlib.sha256((dist / name).read_bytes()).hexdigest()}  {name}")
    (dist / "SHA256SUMS").write_text("\n".join(sums) + "\n")


class BuildTest(unittest.TestCase):

    def setUp(self):
        self.dir = Path(tempfile.mkdtemp(prefix="asession-wheels-"))
        self.addCleanup(shutil.rmtree, self.dir)
        self.binaries = {"linux/amd64": b"\x7fELF fake linux binary", "windows/amd64": b"MZ fake windows binary"}
        fake_dist(self.dir / "dist", VERSION, self.binaries)

    def build(self, out: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(PYTHON_DIR / "build_wheels.py"), "--version", VERSION,
                               "--dist", str(self.dir / "dist"), "--out", str(out),
                               "--platform", "linux/amd64", "--platform", "windows/amd64"],
                              capture_output=True, text=True)

    def test_wheels_carry_the_binary_under_the_right_tags(self):
        done = self.build(self.dir / "out")
        self.assertEqual(done.returncode, 0, done.stderr)
        names = sorted(p.name for p in (self.dir / "out").iterdir())
        self.assertEqual(names, [
            f"asession-{PY_VERSION}-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.musllinux_1_1_x86_64.whl",
            f"asession-{PY_VERSION}-py3-none-win_amd64.whl",
        ])
        for name, platform, script in ((names[0], "linux/amd64", "asession"), (names[1], "windows/amd64", "asession.exe")):
            with zipfile.ZipFile(self.dir / "out" / name) as z:
                files = set(z.namelist())
                data = f"asession-{PY_VERSION}.data/scripts/{script}"
                info = f"asession-{PY_VERSION}.dist-info"
                self.assertIn(data, files)
                self.assertEqual(z.read(data), self.binaries[platform])
                self.assertEqual((z.getinfo(data).external_attr >> 16) & 0o777, 0o755)
                for module in ("__init__.py", "_transfer.py", "fs.py", "py.typed"):
                    self.assertIn(f"asession/{module}", files)
                self.assertIn(f'__version__ = "{PY_VERSION}"', z.read("asession/__init__.py").decode())
                metadata = z.read(f"{info}/METADATA").decode()
                for line in ("Name: asession", f"Version: {PY_VERSION}", "Requires-Python: >=3.9",
                             "Provides-Extra: fsspec", 'Requires-Dist: fsspec>=2022.1.0 ; extra == "fsspec"'):
                    self.assertIn(line + "\n", metadata)
                self.assertNotIn("Requires-Dist: fsspec>=2022.1.0\n", metadata, "fsspec must stay optional")
                self.assertEqual(z.read(f"{info}/entry_points.txt").decode(),
                                 "[fsspec.specs]\nfasp = asession.fs:FaspFileSystem\n")
                wheel = z.read(f"{info}/WHEEL").decode()
                tags = sorted(l[5:] for l in wheel.splitlines() if l.startswith("Tag: "))
                self.assertEqual(tags, sorted(f"py3-none-{t}" for t in build_wheels.WHEEL_PLATFORMS[platform]))
                # RECORD names every other file with its true digest.
                record = list(csv.reader(io.StringIO(z.read(f"{info}/RECORD").decode())))
                listed = {row[0]: row[1] for row in record}
                self.assertEqual(set(listed), files)
                for path, digest in listed.items():
                    if path.endswith("RECORD"):
                        continue
                    want = base64.urlsafe_b64encode(hashlib.sha256(z.read(path)).digest()).rstrip(b"=").decode()
                    self.assertEqual(digest, f"sha256={want}", path)

    def test_the_same_archives_give_the_same_wheels(self):
        for out in ("a", "b"):
            self.assertEqual(self.build(self.dir / out).returncode, 0)
        for wheel in (self.dir / "a").iterdir():
            self.assertEqual(wheel.read_bytes(), (self.dir / "b" / wheel.name).read_bytes(), wheel.name)

    def test_an_archive_that_does_not_match_its_sum_is_refused(self):
        archive = self.dir / "dist" / f"asession_{VERSION}_linux_amd64.tar.gz"
        archive.write_bytes(archive.read_bytes() + b"\0")
        done = self.build(self.dir / "out")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("does not match its SHA256SUMS line", done.stderr)

    def test_a_missing_archive_names_make_dist(self):
        (self.dir / "dist" / f"asession_{VERSION}_windows_amd64.zip").unlink()
        (self.dir / "dist" / "SHA256SUMS").write_text("")
        done = self.build(self.dir / "out")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("run make dist", done.stderr)


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Build the asession platform wheels from make dist's archives (make wheels).

    python3 build_wheels.py --version VERSION --dist DIST --out OUT [--platform OS/ARCH ...]

Each wheel holds the pure-Python package (src/asession), the platform's
asession binary as a script (pip installs it on PATH: bin/ or Scripts\\),
and metadata from pyproject.toml's [project] table. The binary is taken
from DIST's archive for VERSION, after its SHA256SUMS line is checked;
`python3 -m wheel pack` writes the RECORD and names the wheel from its tags.
Needs Python 3.11+ (tomllib) and the wheel package (Debian: python3-wheel).
"""

from __future__ import annotations

import argparse
import calendar
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Go's platform names (make dist's PLATFORMS) to the wheel platform tags
# their binary runs on. The binaries are static (CGO_ENABLED=0): any glibc
# from manylinux2014's 2.17 and any musl (Alpine) will do. Go 1.24 and
# later need macOS 12.
WHEEL_PLATFORMS = {
    "linux/amd64": ["manylinux_2_17_x86_64", "manylinux2014_x86_64", "musllinux_1_1_x86_64"],
    "linux/arm64": ["manylinux_2_17_aarch64", "manylinux2014_aarch64", "musllinux_1_1_aarch64"],
    "darwin/amd64": ["macosx_12_0_x86_64"],
    "darwin/arm64": ["macosx_12_0_arm64"],
    "windows/amd64": ["win_amd64"],
}

_RELEASE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-(alpha|beta|rc)\.?(\d+))?"
                      r"(?:-(\d+)-g([0-9a-f]+))?(-dirty)?$")
_HASH = re.compile(r"^([0-9a-f]{7,40})(-dirty)?$")
_PRE = {"alpha": "a", "beta": "b", "rc": "rc"}


def pep440(version: str) -> str:
    """The PEP 440 version for make's VERSION (git describe --tags --always
    --dirty): v1.2.3 is 1.2.3, v1.2.3-rc.1 is 1.2.3rc1, 4 commits after it
    is 1.2.3.post4+gHASH, a commit with no tag is 0.0.0+gHASH, and a dirty
    tree adds .dirty to the local part."""
    m = _RELEASE.match(version)
    if m:
        major, minor, patch, pre, pre_n, ahead, commit, dirty = m.groups()
        out = f"{major}.{minor}.{patch}"
        if pre:
            out += f"{_PRE[pre]}{pre_n or 0}"
        local = []
        if ahead:
            out += f".post{ahead}"
            local.append(f"g{commit}")
        if dirty:
            local.append("dirty")
        return out + ("+" + ".".join(local) if local else "")
    m = _HASH.match(version)
    if m:
        return f"0.0.0+g{m.group(1)}" + (".dirty" if m.group(2) else "")
    if version == "dev":
        return "0.0.0+dev"
    raise SystemExit(f"build_wheels: cannot turn VERSION {version!r} into a Python version "
                     "(expected vX.Y.Z[-alpha|beta|rc.N][-N-gHASH][-dirty], a commit hash or dev)")


def project_table() -> dict:
    import tomllib
    with open(HERE / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def metadata(project: dict, version: str) -> str:
    """METADATA (core metadata 2.1) from pyproject.toml's [project]."""
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {version}",
             f"Summary: {project['description']}", f"License: {project['license']['text']}",
             f"Requires-Python: {project['requires-python']}"]
    if project.get("keywords"):
        lines.append("Keywords: " + ",".join(project["keywords"]))
    lines += [f"Classifier: {c}" for c in project.get("classifiers", [])]
    lines += [f"Project-URL: {name}, {url}" for name, url in project.get("urls", {}).items()]
    lines += [f"Requires-Dist: {d}" for d in project.get("dependencies", [])]
    for extra, deps in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [f'Requires-Dist: {d} ; extra == "{extra}"' for d in deps]
    lines.append("Description-Content-Type: text/markdown")
    readme = (HERE / project["readme"]).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n\n" + readme


def entry_points(project: dict) -> str:
    out = []
    for group, entries in project.get("entry-points", {}).items():
        out.append(f"[{group}]")
        out += [f"{name} = {target}" for name, target in entries.items()]
        out.append("")
    return "\n".join(out)


def read_sums(dist: Path) -> dict:
    sums = {}
    for line in (dist / "SHA256SUMS").read_text().splitlines():
        digest, _, name = line.partition("  ")
        sums[name] = digest
    return sums


def binary_from_archive(dist: Path, sums: dict, version: str, platform: str) -> tuple[bytes, int]:
    """The asession binary for platform from make dist's archive, checked
    against SHA256SUMS, and its modification time."""
    goos, goarch = platform.split("/")
    folder = f"asession_{version}_{goos}_{goarch}"
    name = folder + (".zip" if goos == "windows" else ".tar.gz")
    path = dist / name
    if name not in sums:
        raise SystemExit(f"build_wheels: {name} is not in {dist}/SHA256SUMS: run make dist for VERSION={version}")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sums[name]:
        raise SystemExit(f"build_wheels: {path} does not match its SHA256SUMS line")
    if goos == "windows":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            info = z.getinfo(f"{folder}/asession.exe")
            mtime = calendar.timegm(info.date_time + (0, 0, 0))
            return z.read(info), mtime
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
        member = t.getmember(f"{folder}/asession")
        f = t.extractfile(member)
        assert f is not None
        return f.read(), int(member.mtime)


def stage(root: Path, project: dict, version: str, platform: str, binary: bytes, stamp: int) -> Path:
    """The unpacked wheel for platform, ready for wheel pack."""
    name = project["name"]
    top = root / f"{name}-{version}"
    package = top / "asession"
    package.mkdir(parents=True)
    for src in sorted((HERE / "src" / "asession").iterdir()):
        if src.suffix in (".py", ".typed"):
            text = src.read_text(encoding="utf-8")
            if src.name == "__init__.py":
                text, n = re.subn(r'^__version__ = ".*"$', f'__version__ = "{version}"', text, flags=re.M)
                if n != 1:
                    raise SystemExit("build_wheels: no __version__ line in src/asession/__init__.py")
            (package / src.name).write_text(text, encoding="utf-8")
    scripts = top / f"{name}-{version}.data" / "scripts"
    scripts.mkdir(parents=True)
    exe = scripts / ("asession.exe" if platform.startswith("windows/") else "asession")
    exe.write_bytes(binary)
    exe.chmod(0o755)
    info = top / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(metadata(project, version), encoding="utf-8")
    tags = "".join(f"Tag: py3-none-{tag}\n" for tag in WHEEL_PLATFORMS[platform])
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nGenerator: asession build_wheels.py\n"
                                f"Root-Is-Purelib: true\n{tags}", encoding="utf-8")
    (info / "entry_points.txt").write_text(entry_points(project), encoding="utf-8")
    shutil.copyfile(HERE.parent / "LICENSE", info / "LICENSE")
    for p in top.rglob("*"):
        os.utime(p, (stamp, stamp))
    return top


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--version", required=True, help="make's VERSION (the archives' names carry it)")
    ap.add_argument("--dist", required=True, type=Path, help="make dist's folder")
    ap.add_argument("--out", required=True, type=Path, help="where the wheels go")
    ap.add_argument("--platform", action="append", choices=sorted(WHEEL_PLATFORMS),
                    help="one of make dist's platforms (default: all five)")
    args = ap.parse_args(argv)
    project = project_table()
    version = pep440(args.version)
    sums = read_sums(args.dist)
    args.out.mkdir(parents=True, exist_ok=True)
    for platform in args.platform or list(WHEEL_PLATFORMS):
        binary, stamp = binary_from_archive(args.dist, sums, args.version, platform)
        with tempfile.TemporaryDirectory() as tmp:
            top = stage(Path(tmp), project, version, platform, binary, stamp)
            # The same archive gives the same wheel: wheel takes its
            # timestamps from SOURCE_DATE_EPOCH.
            env = {**os.environ, "SOURCE_DATE_EPOCH": str(stamp)}
            subprocess.run([sys.executable, "-m", "wheel", "pack", "--dest-dir", str(args.out), str(top)],
                           check=True, env=env, stdout=subprocess.DEVNULL)
        print(f"== {platform}: " + ", ".join(WHEEL_PLATFORMS[platform]))
    for wheel in sorted(args.out.glob(f"{project['name']}-{version}-*.whl")):
        print(wheel)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

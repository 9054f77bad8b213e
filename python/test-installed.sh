#!/usr/bin/env bash
# make test-packages, Python half: install this machine's platform wheel
# from WHEELS into a fresh virtual environment with pip --no-index (no
# package index is reached), check that it put asession on PATH at the
# wheel's version, and run the package's tests against that install: the
# fasp:// get and put of a folder through ascpsim among them.
#
#   PYTHON=/usr/bin/python3 ASCPSIM_BIN=bin/ascpsim python/test-installed.sh WHEELS VERSION
#
# The environment sees the system's packages (--system-site-packages):
# fsspec comes from Debian's python3-fsspec, as PyPI is out of reach. Its
# own site-packages come first, so asession is the wheel's.
set -euo pipefail
wheels=$1 version=$2
python=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd)
: "${ASCPSIM_BIN:?names the ascpsim binary}"
ASCPSIM_BIN=$(cd "$(dirname "$ASCPSIM_BIN")" && pwd)/$(basename "$ASCPSIM_BIN")
export ASCPSIM_BIN

case $(uname -s)/$(uname -m) in
  Linux/x86_64) pattern='*manylinux_2_17_x86_64*.whl' ;;
  Linux/aarch64) pattern='*manylinux_2_17_aarch64*.whl' ;;
  *) echo "test-installed.sh: no wheel for $(uname -s)/$(uname -m) here" >&2; exit 1 ;;
esac
shopt -s nullglob
found=("$wheels"/asession-*$pattern)
if ((${#found[@]} != 1)); then
  echo "test-installed.sh: want one $pattern in $wheels, found ${#found[@]}" >&2
  exit 1
fi
wheel=${found[0]}
want=$(cd "$here" && "$python" -c 'import sys, build_wheels; print(build_wheels.pep440(sys.argv[1]))' "$version")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== venv and pip install --no-index $(basename "$wheel")[fsspec]"
"$python" -m venv --system-site-packages "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --no-index --disable-pip-version-check "$wheel[fsspec]"

# Only the environment's bin and the system's: asession must come from the wheel.
export PATH="$tmp/venv/bin:/usr/bin:/bin"
unset ASESSION_BIN PYTHONPATH
[[ $(command -v asession) == "$tmp/venv/bin/asession" ]] || { echo "asession on PATH is $(command -v asession)" >&2; exit 1; }
asession version | grep -qF "$version" || { echo "asession version: $(asession version), want $version" >&2; exit 1; }
got=$(cd "$tmp" && python -c 'import asession; print(asession.__version__)')
[[ $got == "$want" ]] || { echo "asession.__version__ is $got, want $want" >&2; exit 1; }
echo "== asession $version on PATH from the wheel; the package is $got"

# From the tests' folder, whose parent's src/ is not on the path.
cd "$here/tests"
ASESSION_TEST_INSTALLED=1 python -m unittest -v test_fs test_run test_session

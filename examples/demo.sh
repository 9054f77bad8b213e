#!/usr/bin/env bash
# The README's first command (make demo): upload a small tree through the
# ascpsim stand-in, download it back, show the events and prove the trees
# are byte-identical. Needs bin/asession and bin/ascpsim (make build).
# The demo's files (about 100 MB) are removed when it ends, however it ends;
# DEMO_KEEP=1 keeps them in ./demo for a look.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/bin
demo=$PWD/demo
rm -rf "$demo"
if [ -z "${DEMO_KEEP:-}" ]; then
  trap 'rm -rf "$demo"' EXIT
fi
mkdir -p "$demo/local/tree/nested/deeper" "$demo/server" "$demo/download"

# The tree: nested folders, spaces and non-ASCII in names, one 32 MB file.
printf 'hello from asession\n' > "$demo/local/tree/read me.txt"
printf 'ünïcödé ✓\n' > "$demo/local/tree/nested/ünïcödé name.txt"
printf 'deep\n' > "$demo/local/tree/nested/deeper/leaf.txt"
head -c 33554432 /dev/urandom > "$demo/local/tree/nested/deeper/big file.bin"

# ascpsim plays the server: ASCPSIM_ROOT is its docroot, ASCPSIM_PASSWORD
# the transfer user's password.
export ASCPSIM_ROOT=$demo/server ASCPSIM_PASSWORD=demo-password
export ASESSION_ASCP=$bin/ascpsim

echo "== upload: $demo/local/tree -> server:/uploads" >&2
"$bin/asession" <<JSON
{"remote_host": "localhost", "remote_user": "demo", "remote_password": "demo-password",
 "direction": "send", "create_dir": true, "target_rate_kbps": 800000,
 "paths": [{"source": "$demo/local/tree"}], "destination_root": "/uploads"}
JSON

echo "== download: server:/uploads/tree -> $demo/download" >&2
"$bin/asession" <<JSON
{"remote_host": "localhost", "remote_user": "demo", "remote_password": "demo-password",
 "direction": "receive", "create_dir": true,
 "paths": [{"source": "/uploads/tree"}], "destination_root": "$demo/download"}
JSON

diff -r "$demo/local/tree" "$demo/download/tree"
echo "== the downloaded tree is byte-identical to the original ($(find "$demo/download/tree" -type f | wc -l) files)" >&2

#!/usr/bin/env bash
# make test-packages, Node half: npm install the main package and this
# machine's platform package from their tarballs in OUT into a new
# project, offline (npm may use its cache only, and has nothing of ours in
# it), then run a script that uploads through ascpsim and reads the
# summary, the asession command the package installs, and the package's
# tests against that install.
#
#   ASCPSIM_BIN=bin/ascpsim npm/test-installed.sh OUT VERSION
set -euo pipefail
out=$(cd "$1" && pwd) version=$2
here=$(cd "$(dirname "$0")" && pwd)
: "${ASCPSIM_BIN:?names the ascpsim binary}"
ascpsim=$(cd "$(dirname "$ASCPSIM_BIN")" && pwd)/$(basename "$ASCPSIM_BIN")

case $(uname -s)/$(uname -m) in
  Linux/x86_64) platform=linux-x64 ;;
  Linux/aarch64) platform=linux-arm64 ;;
  *) echo "test-installed.sh: no package for $(uname -s)/$(uname -m) here" >&2; exit 1 ;;
esac
shopt -s nullglob
main=("$out"/faspkit-asession-[0-9]*.tgz)
native=("$out"/faspkit-asession-$platform-*.tgz)
if ((${#main[@]} != 1 || ${#native[@]} != 1)); then
  echo "test-installed.sh: want one main and one $platform tarball in $out" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
echo '{"name": "asession-install-test", "version": "1.0.0", "private": true}' > package.json
echo "== npm install --offline $(basename "${main[0]}") $(basename "${native[0]}")"
npm install --offline --no-audit --no-fund --loglevel=error "${main[0]}" "${native[0]}"
unset ASESSION_BIN

# An upload through ascpsim that reads the summary.
mkdir -p server src/tree/nested
head -c 3000000 /dev/urandom > src/tree/nested/big.bin
echo hello > "src/tree/read me.txt"
cat > upload.js <<'JS'
const { run, findExecutable } = require('@faspkit/asession');
(async () => {
  const job = run({ remote_host: 'localhost', remote_user: 'demo', remote_password: 'install-pw',
    direction: 'send', create_dir: true, paths: [{ source: `${process.cwd()}/src/tree` }], destination_root: '/up' });
  let last = 0;
  for await (const event of job) if (event.type === 'progress') last = event.percentage;
  const summary = await job.summary;
  console.log(JSON.stringify({ binary: findExecutable(), status: summary.status, exit_code: summary.exit_code,
    files: summary.files.completed, bytes: summary.bytes_written, last_percentage: last }));
  process.exitCode = summary.exit_code;
})();
JS
result=$(ASCPSIM_ROOT=$tmp/server ASCPSIM_PASSWORD=install-pw ASESSION_ASCP=$ascpsim node upload.js)
echo "upload.js: $result"
want="{\"binary\":\"$tmp/node_modules/@faspkit/asession-$platform/bin/asession\",\"status\":\"completed\",\"exit_code\":0,\"files\":2,\"bytes\":3000006,\"last_percentage\":1}"
[[ $result == "$want" ]] || { echo "want $want" >&2; exit 1; }
diff -r src/tree server/up/tree
npx --offline --no asession version | grep -qF "$version" || { echo "the asession command: $(npx --offline --no asession version), want $version" >&2; exit 1; }
echo "== uploaded and identical; the asession command is version $version"

cp "$here/asession/test/run.test.js" .
ASESSION_TEST_INSTALLED=1 ASCPSIM_BIN=$ascpsim node --test run.test.js

# The TypeScript types, as a user's project compiles them. TypeScript comes
# from the npm registry (pinned), the one step here that is not offline.
cp "$here/types-check.ts" .
npx --yes -p typescript@5.6.3 tsc --noEmit --strict --target es2022 --module commonjs --moduleResolution node --lib es2022,dom types-check.ts
echo "== the TypeScript types compile (tsc --strict)"

#!/usr/bin/env node
// The asession command for npm installs (npx asession, or PATH after a
// global install): runs this system's binary with our arguments and
// stdio, and exits as it exits.
'use strict';
const { spawn } = require('node:child_process');
const os = require('node:os');
const { findExecutable } = require('..');

let file;
try {
  file = findExecutable();
} catch (err) {
  console.error(`asession: ${err.message}`);
  process.exit(3);
}
const child = spawn(file, process.argv.slice(2), { stdio: 'inherit' });
// Ctrl-C reaches asession itself (the terminal signals the whole
// foreground group), and a second one passed on from here would make it
// kill ascp at once: SIGINT is only kept from ending this shim. SIGTERM and
// SIGHUP are usually sent to one process, so they are passed on.
process.on('SIGINT', () => {});
for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('error', (err) => {
  console.error(`asession: cannot start ${file}: ${err.message}`);
  process.exit(3);
});
child.on('close', (code, sig) => {
  process.exitCode = code ?? 128 + (os.constants.signals[sig] ?? 0);
});

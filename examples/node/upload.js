#!/usr/bin/env node
// Upload a file or folder with asession and report the outcome.
//
//   DEMO_PASSWORD=... node upload.js ASESSION SOURCE DESTINATION_ROOT
//
// ASESSION is the path of the asession binary, or just "asession" to use
// PATH. Progress goes to stderr, one result line to stdout; the exit status
// is 0 only when the transfer completed. Node 18+, no dependencies.
'use strict';
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const os = require('node:os');

async function main(argv) {
  if (argv.length !== 3) {
    console.error('usage: DEMO_PASSWORD=... node upload.js ASESSION SOURCE DESTINATION_ROOT');
    return 2;
  }
  const [asession, source, destination] = argv;
  const password = process.env.DEMO_PASSWORD;
  if (!password) {
    console.error('DEMO_PASSWORD is not set');
    return 2;
  }
  const spec = {
    remote_host: 'localhost', remote_user: 'demo', remote_password: password,
    direction: 'send', create_dir: true,
    paths: [{ source }], destination_root: destination,
  };

  const child = spawn(asession, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  // Listen before anything can happen: 'close' comes once the process has
  // exited and its stdout is drained; 'error' comes first, with no pid,
  // when it never started.
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => resolve(code ?? 128 + os.constants.signals[signal]));
    child.on('error', (err) => { if (child.pid === undefined) resolve(err); });
  });
  // On Ctrl-C or kill, let asession cancel ascp cleanly and still write its
  // summary, rather than dying first and orphaning the transfer.
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  // EPIPE if asession quits before reading; its exit code and output say why.
  child.stdin.on('error', () => {});
  // The spec goes through stdin, not argv, which other local users can read.
  child.stdin.end(JSON.stringify(spec));

  let summary = null, lastError = null, done = false, badLines = 0;
  let expected = 0, seenProgress = false;
  for await (const line of readline.createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    let event;
    try {
      event = JSON.parse(line);
      if (typeof event?.type !== 'string') throw new Error('no type');
    } catch {
      badLines++;
      console.error(`not a JSON event: ${line.slice(0, 200)}`);
      continue;
    }
    switch (event.type) {
      case 'progress':
        // Derived lines already add up every session and retry: once they
        // appear, the raw STATS below are left alone.
        seenProgress = true;
        show(event.bytes_written ?? 0, event.bytes_expected ?? 0, event.current_file ?? '');
        break;
      case 'NOTIFICATION':
        expected = event.pre_transfer_bytes ?? expected;
        break;
      case 'STATS':
        if (!seenProgress) show(event.transfer_bytes ?? 0, expected, event.file ?? '');
        break;
      case 'error': lastError = event; break;
      case 'DONE': done = true; break;
      case 'summary': summary = event; break;
    }
  }
  const code = await exited;
  if (code instanceof Error) {
    console.log(`FAILED: cannot start ${asession}: ${code.message}`);
    return 3;
  }
  if (shown.printed && process.stderr.isTTY) process.stderr.write('\n');

  // A summary is authoritative; an asession without summary lines (or one
  // that crashed) is trusted only with both DONE and a zero exit code.
  let ok, basis, problem;
  if (summary) {
    ok = summary.status === 'completed' && code === 0;
    basis = `summary: ${summary.status}, exit ${code}`;
    problem = summary.error ?? lastError;
  } else {
    ok = done && code === 0 && !lastError;
    basis = `no summary; ${done ? 'DONE seen, ' : ''}exit ${code}`;
    problem = lastError;
  }
  if (badLines) {
    ok = false;
    problem = { description: `${badLines} stdout line(s) were not JSON events` };
  }
  if (ok) {
    console.log(summary ? `OK: ${uploaded(summary)} [${basis}]` : `OK: transfer done [${basis}]`);
    return 0;
  }
  problem ??= { description: 'no error reported' };
  const detail = problem.code ? ` (code ${problem.code})` : '';
  console.log(`FAILED: ${problem.description}${detail} [${basis}]`);
  return code || 1;
}

// What a completed upload did. Files already at the destination are
// skipped, and counted among the completed ones, their bytes too: a run
// that skipped every file uploaded nothing.
function uploaded(summary) {
  const skipped = summary.files?.skipped ?? 0;
  const sent = (summary.files?.completed ?? 0) - skipped;
  if (sent <= 0) return skipped ? `nothing uploaded: all ${skipped} files already there` : 'nothing to upload';
  const text = `${sent} file${sent === 1 ? '' : 's'} uploaded`;
  return skipped
    ? `${text}, ${skipped} already there; ${summary.bytes_written} bytes in all`
    : `${text}, ${summary.bytes_written} bytes`;
}

// Progress on stderr: in place on a terminal, else once per percent.
const shown = { key: null, printed: false };
function show(written, expected, name) {
  if (typeof written !== 'number' || typeof expected !== 'number') return; // malformed
  if (!written && !expected) return; // nothing known yet
  let key, text;
  if (expected) {
    key = Math.min(100, Math.floor((written * 100) / expected));
    text = `progress ${String(key).padStart(3)}%  ${written}/${expected} bytes  ${name}`;
  } else {
    key = written;
    text = `progress ${written} bytes  ${name}`;
  }
  if (key === shown.key) return;
  shown.key = key;
  shown.printed = true;
  process.stderr.write(text + (process.stderr.isTTY ? '\r' : '\n'));
}

// exitCode rather than process.exit(): pending stdout/stderr writes finish.
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });

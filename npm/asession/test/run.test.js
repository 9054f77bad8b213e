// run() against the ascpsim stand-in: events, the summary promise,
// failures, cancellation and the processes left behind.
//
// From the source tree (make test-node) the binaries are bin/asession and
// bin/ascpsim ($ASESSION_BIN, $ASCPSIM_BIN); with ASESSION_TEST_INSTALLED=1
// the package and its binary must come from an npm install.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const installed = process.env.ASESSION_TEST_INSTALLED === '1';
const asession = require(installed ? '@faspkit/asession' : '..');
const { run, AsessionError, flagArgs, findExecutable, platformPackage } = asession;

const repo = path.resolve(__dirname, '..', '..', '..');
const PASSWORD = 'node-test-pw-6502';
const CANCEL_TIMEOUT = 20_000;
const ascpsim = process.env.ASCPSIM_BIN || path.join(repo, 'bin', 'ascpsim');
if (!installed) process.env.ASESSION_BIN ||= path.join(repo, 'bin', 'asession');

// A docroot of its own for each test, in the environment asession and
// ascpsim inherit; after the test, no process started for it is left.
function server(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asession-node-'));
  const root = path.join(dir, 'server');
  fs.mkdirSync(root);
  t.after(async () => {
    await assertNothingLeft(root);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const env = { ASCPSIM_ROOT: root, ASCPSIM_PASSWORD: PASSWORD, ASESSION_ASCP: ascpsim, ASCPSIM_FAIL: null };
  const spec = (fields) => ({ remote_host: 'localhost', remote_user: 'demo', remote_password: PASSWORD, create_dir: true, ...fields });
  return { dir, root, env, spec };
}

// The pids whose environment holds ASCPSIM_ROOT=root (Linux).
function processesFor(root) {
  const want = Buffer.from(`ASCPSIM_ROOT=${root}\0`);
  const found = [];
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const environ = Buffer.concat([Buffer.from('\0'), fs.readFileSync(`/proc/${pid}/environ`)]);
      const state = fs.readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ').pop().split(' ')[0];
      if (state !== 'Z' && environ.includes(Buffer.concat([Buffer.from('\0'), want]))) found.push(Number(pid));
    } catch { /* gone */ }
  }
  return found;
}

async function assertNothingLeft(root, within = 5000) {
  const deadline = Date.now() + within;
  for (;;) {
    const left = processesFor(root);
    if (!left.length) return;
    if (Date.now() > deadline) assert.fail(`processes left running: ${left}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function writeTree(root) {
  const files = {
    'read me.txt': Buffer.from('hello from the node package\n'),
    'nested/ünïcödé.txt': Buffer.from('ünïcödé ✓\n'),
    'nested/deeper/big.bin': crypto.randomBytes(2 << 20),
  };
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), data);
  }
  return files;
}

async function collect(job) {
  const events = [];
  for await (const event of job) events.push(event);
  return events;
}

test('an upload yields its events, the summary last, and resolves the summary', async (t) => {
  const s = server(t);
  const src = path.join(s.dir, 'tree');
  const files = writeTree(src);
  const job = run(s.spec({ direction: 'send', paths: [{ source: src }], destination_root: '/up' }), { env: s.env });
  const events = await collect(job);
  const summary = await job.summary;
  assert.equal(events.at(-1), summary);
  assert.equal(summary.status, 'completed');
  assert.equal(summary.exit_code, 0);
  assert.equal(await job.exitCode, 0);
  assert.deepEqual(summary.files, { attempted: 3, completed: 3, failed: 0, skipped: 0 });
  const progress = events.filter((e) => e.type === 'progress');
  assert.equal(progress.at(-1).percentage, 1);
  assert.ok(events.some((e) => e.type === 'STOP'));
  for (const [name, data] of Object.entries(files)) {
    assert.deepEqual(fs.readFileSync(path.join(s.root, 'up', 'tree', name)), data, name);
  }
});

test('a failed transfer resolves the summary with its status and exit code', async (t) => {
  const s = server(t);
  const src = path.join(s.dir, 'one.txt');
  fs.writeFileSync(src, 'one\n');
  const job = run(s.spec({ direction: 'send', paths: [{ source: src }], destination_root: '/up', remote_password: 'wrong-pw-4004' }), { env: s.env });
  const summary = await job.summary; // nobody iterates: the events are read all the same
  assert.equal(summary.status, 'failed');
  assert.equal(summary.exit_code, 1);
  assert.equal(summary.error.code, 19);
  assert.equal(await job.exitCode, 1);
  const events = await collect(job);
  assert.ok(events.some((e) => e.type === 'error' && e.code === 19));
  assert.ok(!JSON.stringify(events).includes('wrong-pw-4004'));
});

test('a refused spec rejects the summary with the problems, exit 2', async (t) => {
  const s = server(t);
  const job = run(s.spec({ direction: 'up', paths: [{ source: '/x' }] }), { env: s.env });
  const events = await collect(job);
  assert.deepEqual(events.map((e) => e.type), ['error']);
  await assert.rejects(job.summary, (err) => {
    assert.ok(err instanceof AsessionError);
    assert.equal(err.exitCode, 2);
    assert.deepEqual(err.error.problems.map((p) => p.pointer), ['/direction']);
    return true;
  });
});

test('no asession: the summary rejects, iterating throws, nothing is unhandled', async (t) => {
  const s = server(t);
  let unhandled = null;
  const onUnhandled = (err) => { unhandled = err; };
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));
  assert.throws(() => run(s.spec({}), { executable: path.join(s.dir, 'nowhere', 'asession') }),
    (err) => err instanceof AsessionError && err.code === 'ENOENT' && err.message.includes('nowhere'));
  // asession cannot be started (its cwd is missing): the error comes
  // asynchronously, from iterating and from the summary.
  const job = run(s.spec({}), { cwd: path.join(s.dir, 'no-such-folder') });
  await assert.rejects(collect(job), (err) => err instanceof AsessionError && /cannot start/.test(err.message));
  await assert.rejects(job.summary, (err) => err instanceof AsessionError && err.code === 'ENOENT');
  assert.equal(await job.exitCode, undefined);
  // A program that is not asession and writes nothing: no summary.
  const notAsession = path.join(s.dir, 'not-asession');
  fs.writeFileSync(notAsession, '#!/bin/sh\necho not JSON\nexit 5\n');
  fs.chmodSync(notAsession, 0o755);
  const other = run(s.spec({}), { executable: notAsession });
  assert.deepEqual(await collect(other), []);
  await assert.rejects(other.summary, (err) => err.exitCode === 5 && /not JSON events/.test(err.message));
  // Rejections nobody awaits must not surface as unhandled.
  const ignored = run(s.spec({}), { executable: notAsession });
  await ignored.exitCode;
  run(s.spec({}), { cwd: path.join(s.dir, 'no-such-folder') });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(unhandled, null);
});

function slowUpload(s) {
  const src = path.join(s.dir, 'slow.bin');
  fs.writeFileSync(src, crypto.randomBytes(8 << 20));
  // About 30 s at this rate: always cancelled long before the end.
  return s.spec({ direction: 'send', paths: [{ source: src }], destination_root: '/up', target_rate_kbps: 2000 });
}

test('leaving the loop early cancels the job and leaves no process', async (t) => {
  const s = server(t);
  const job = run(slowUpload(s), { env: s.env });
  for await (const event of job) {
    if (event.type === 'progress' && event.bytes_written > 0) break;
  }
  const summary = await job.summary;
  assert.equal(summary.status, 'cancelled');
  assert.equal(summary.exit_code, 130);
  assert.deepEqual(processesFor(s.root), []);
});

test('an AbortSignal cancels', async (t) => {
  const s = server(t);
  const controller = new AbortController();
  const job = run(slowUpload(s), { env: s.env, signal: controller.signal });
  for await (const event of job) {
    if (event.type === 'progress' && event.bytes_written > 0) controller.abort();
  }
  const summary = await job.summary;
  assert.equal(summary.status, 'cancelled');
  assert.ok(summary.bytes_written < 8 << 20);
  await assertNothingLeft(s.root, CANCEL_TIMEOUT);
});

test('commands on the channel: a keepalive session fed with START and DONE', async (t) => {
  const s = server(t);
  const one = path.join(s.dir, 'one.bin');
  fs.writeFileSync(one, crypto.randomBytes(100_000));
  const job = run(s.spec({ direction: 'send', keepalive: true, destination_root: '/ka' }), { env: s.env, flags: { retries: 0 } });
  job.send({ type: 'START', source: one, destination: '/ka/renamed.bin' });
  job.send({ type: 'DONE' });
  const summary = await job.summary;
  assert.equal(summary.status, 'completed', JSON.stringify(summary));
  assert.deepEqual(fs.readFileSync(path.join(s.root, 'ka', 'renamed.bin')), fs.readFileSync(one));
  assert.throws(() => job.send({ type: 'DONE' }), AsessionError);
});

test('flags are spelled as asession spells them', () => {
  assert.deepEqual(flagArgs({ retries: 0, stallTimeout: '10m', dryRun: true, strict: false, events_file: '/a b', heartbeat: undefined }),
    ['--retries=0', '--stall-timeout=10m', '--dry-run', '--strict=false', '--events-file=/a b']);
  assert.throws(() => flagArgs({ output: 'human' }), TypeError);
  assert.throws(() => flagArgs({ url: 'fasp://h/p?token=secret' }), /fasp_url/);
});

test('the binary run is the install\'s own, or the tree\'s', () => {
  if (installed) {
    assert.ok(!process.env.ASESSION_BIN, 'installed mode tests the package\'s binary: unset ASESSION_BIN');
    const pkg = path.dirname(require.resolve(`${platformPackage()}/package.json`));
    assert.equal(findExecutable(), path.join(pkg, 'bin', 'asession'));
    assert.ok(!require.resolve('@faspkit/asession').startsWith(repo + path.sep), 'the package must be the installed one');
  } else {
    assert.equal(findExecutable(), process.env.ASESSION_BIN);
  }
});

// Run IBM Aspera transfers from Node with asession: the spec in on stdin,
// its JSON lines out as events, the summary line as a promise.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

// The environment variable naming the asession binary to run.
const EXECUTABLE_ENV = 'ASESSION_BIN';

// Flags that would make stdout something other than the job's JSON lines.
const REFUSED_FLAGS = {
  output: 'stdout must be JSON lines', json: 'it belongs to doctor and version',
  version: 'it prints the version instead of running', help: 'it prints the usage', h: 'it prints the usage',
  url: "a link may carry a token and other users can read argv: put it in the spec's fasp_url",
};

// How much of asession's stderr an error keeps (its end).
const STDERR_TAIL = 64 * 1024;

/** asession did not complete the job, or could not be run. */
class AsessionError extends Error {
  constructor(message, { exitCode, summary, error, stderr, code } = {}) {
    super(message);
    this.name = 'AsessionError';
    this.exitCode = exitCode;
    this.summary = summary;
    this.error = error;
    this.stderr = stderr ?? '';
    if (code !== undefined) this.code = code;
  }
}

// The per-platform package that carries the binary for this system, as
// npm picks it among the optionalDependencies by their os and cpu.
function platformPackage(platform = process.platform, arch = process.arch) {
  return `@faspkit/asession-${platform}-${arch}`;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, process.platform === 'win32' ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name) {
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const ext of exts) {
      const file = path.join(dir || '.', name + ext);
      if (dir && isExecutable(file)) return file;
    }
  }
  return null;
}

/**
 * The path of the asession binary to run: executable when given,
 * $ASESSION_BIN, the binary of this system's @faspkit/asession-OS-CPU
 * package, then asession on PATH.
 */
function findExecutable(executable) {
  for (const [given, origin] of [[executable, 'the executable option'], [process.env[EXECUTABLE_ENV], `$${EXECUTABLE_ENV}`]]) {
    if (!given) continue;
    const file = given.includes('/') || given.includes(path.sep) ? given : onPath(given);
    if (file && isExecutable(file)) return file;
    throw new AsessionError(`asession not found: ${origin} names ${JSON.stringify(given)}, which is not an executable file`, { code: 'ENOENT' });
  }
  const searched = [];
  const pkg = platformPackage();
  try {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    const file = path.join(dir, 'bin', process.platform === 'win32' ? 'asession.exe' : 'asession');
    if (isExecutable(file)) return file;
    searched.push(file);
  } catch {
    searched.push(`${pkg} (not installed)`);
  }
  const found = onPath('asession');
  if (found) return found;
  searched.push('PATH');
  throw new AsessionError(`asession not found; looked in ${searched.join(', ')}. Install @faspkit/asession with its optional dependencies, put asession on PATH, or name it with $${EXECUTABLE_ENV} or the executable option`, { code: 'ENOENT' });
}

// asession's flags from an object: {retries: 0, stallTimeout: '10m',
// dryRun: true} is --retries=0 --stall-timeout=10m --dry-run.
function flagArgs(flags = {}) {
  const out = [];
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined || value === null) continue;
    const name = key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()).replace(/_/g, '-');
    if (Object.hasOwn(REFUSED_FLAGS, name)) throw new TypeError(`flag ${JSON.stringify(key)} is not accepted: ${REFUSED_FLAGS[name]}`);
    if (value === true) out.push(`--${name}`);
    else if (value === false) out.push(`--${name}=false`);
    else if (typeof value === 'number' || typeof value === 'string') out.push(`--${name}=${value}`);
    else throw new TypeError(`flag ${JSON.stringify(key)}: expected a string, number or boolean, got ${typeof value}`);
  }
  return out;
}

/**
 * A running asession job: an async iterable of its events (the summary
 * line last) with a summary promise. See run().
 */
class Transfer {
  constructor(spec, options = {}) {
    const { executable, args = [], env, cwd, flags, signal, stderr = 'pipe', cancelTimeout = 30_000 } = options;
    this.cancelTimeout = cancelTimeout;
    this.lastError = null;
    this._queue = [];
    this._waiting = null; // the resolver of a next() waiting for an event
    this._ended = false;
    this._startError = null;
    this._badLines = [];
    this._stderrTail = '';
    this._summaryLine = null;

    const argv = ['--output=json', ...flagArgs(flags), ...args];
    const file = findExecutable(executable);
    const childEnv = { ...process.env };
    for (const [key, value] of Object.entries(env ?? {})) {
      if (value === undefined || value === null) delete childEnv[key];
      else childEnv[key] = String(value);
    }
    // On Unix asession leads its own process group: a Ctrl-C on our
    // terminal is then ours to pass on as one cancellation, not a second
    // signal that makes asession kill ascp at once.
    this._child = spawn(file, argv, {
      cwd, env: childEnv, stdio: ['pipe', 'pipe', stderr],
      detached: process.platform !== 'win32', windowsHide: true,
    });
    const child = this._child;

    let resolveExit;
    /** asession's exit code once it has exited (128 + N when killed by signal N). */
    this.exitCode = new Promise((resolve) => { resolveExit = resolve; });
    this.summary = new Promise((resolve, reject) => {
      this._settle = { resolve, reject };
    });
    // Nobody may ever await them: a rejection with no handler must not
    // end the program.
    this.summary.catch(() => {});
    this.exitCode.catch(() => {});

    child.on('error', (err) => {
      if (child.pid !== undefined) return; // a failed kill or write: the exit says the rest
      this._startError = new AsessionError(`cannot start ${file}: ${err.message}`, { code: err.code });
      resolveExit(undefined);
      this._end();
    });
    if (child.stderr) {
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk) => {
        this._stderrTail = (this._stderrTail + chunk).slice(-STDERR_TAIL);
      });
    }
    const lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    lines.on('line', (line) => this._line(line));
    // The job is over once asession has exited and its last line is read.
    const linesRead = new Promise((resolve) => lines.on('close', resolve));
    child.on('close', (code, sig) => {
      this.code = code ?? 128 + (os.constants.signals[sig] ?? 0);
      linesRead.then(() => {
        resolveExit(this.code);
        this._end();
      });
    });

    // The spec goes through stdin, never argv (other users can read argv).
    // stdin then stays open as the command channel.
    child.stdin.on('error', () => {}); // EPIPE: asession quit; its exit says why
    child.stdin.write((typeof spec === 'string' ? spec : JSON.stringify(spec)) + '\n');

    if (signal) {
      const abort = () => this.cancel();
      if (signal.aborted) abort();
      else {
        signal.addEventListener('abort', abort, { once: true });
        this.exitCode.then(() => signal.removeEventListener('abort', abort));
      }
    }
  }

  /** asession's process id. */
  get pid() { return this._child.pid; }

  /** The end of what asession wrote on stderr (when piped). */
  get stderr() { return this._stderrTail; }

  _line(line) {
    if (!line.trim()) return;
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      event = null;
    }
    if (event === null || typeof event !== 'object' || typeof event.type !== 'string') {
      this._badLines.push(line.slice(0, 200));
      return;
    }
    if (event.type === 'error') this.lastError = event;
    if (event.type === 'summary') this._summaryLine = event;
    this._push({ value: event, done: false });
  }

  _push(item) {
    if (this._waiting) {
      const { resolve } = this._waiting;
      this._waiting = null;
      resolve(item);
    } else {
      this._queue.push(item);
    }
  }

  _end() {
    if (this._ended) return;
    this._ended = true;
    this._child.stdin.destroy();
    if (this._startError) {
      this._settle.reject(this._startError);
      if (this._waiting) {
        const { reject } = this._waiting;
        this._waiting = null;
        reject(this._startError);
      }
      return;
    }
    if (this._summaryLine && !this._badLines.length) {
      this._settle.resolve(this._summaryLine);
    } else {
      const why = this._badLines.length
        ? `asession wrote ${this._badLines.length} line(s) that are not JSON events, first: ${JSON.stringify(this._badLines[0])}`
        : `asession exited ${this.code} without a summary: ${this.lastError?.description ?? (this._stderrTail.trim().split('\n').pop() || 'no error line and nothing on stderr')}`;
      this._settle.reject(new AsessionError(why, { exitCode: this.code, summary: this._summaryLine ?? undefined, error: this.lastError ?? undefined, stderr: this._stderrTail }));
    }
    this._push({ value: undefined, done: true });
  }

  [Symbol.asyncIterator]() {
    return {
      next: () => {
        if (this._queue.length) {
          const item = this._queue[0];
          if (!item.done) this._queue.shift();
          return Promise.resolve(item);
        }
        if (this._startError) return Promise.reject(this._startError);
        if (this._ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => { this._waiting = { resolve, reject }; });
      },
      // Leaving a for await loop early cancels the job, as Python's close().
      return: async () => {
        if (!this._ended) {
          this.cancel();
          await this.exitCode;
        }
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() { return this; },
    };
  }

  /** Write one command (START, DONE, CANCEL, RATE) on the command channel. */
  send(command) {
    if (this._ended || this._child.stdin.destroyed) throw new AsessionError('the command channel is closed: the job has ended', { exitCode: this.code });
    this._child.stdin.write(JSON.stringify(command) + '\n');
  }

  /**
   * Ask asession to cancel, as Ctrl-C does (on Windows, with the CANCEL
   * command); returns at once. The summary then says "cancelled". After
   * cancelTimeout ms asession is killed.
   */
  cancel() {
    if (this._ended || this._child.pid === undefined) return;
    if (process.platform === 'win32') {
      try { this.send({ type: 'CANCEL' }); } catch { /* ended meanwhile */ }
    } else {
      try { process.kill(this._child.pid, 'SIGINT'); } catch { /* exited meanwhile */ }
    }
    if (!this._killTimer) {
      this._killTimer = setTimeout(() => { if (!this._ended) this._child.kill('SIGKILL'); }, this.cancelTimeout);
      this._killTimer.unref();
      this.exitCode.then(() => clearTimeout(this._killTimer));
    }
  }
}

/**
 * Start a transfer described by spec (a transfer spec, aspera-cli's
 * aspera-cli envelope or a Node API response; an object or JSON text).
 *
 *   const job = run(spec, { flags: { retries: 0 } });
 *   for await (const event of job) {
 *     if (event.type === 'progress') console.log(`${Math.round(event.percentage * 100)}%`);
 *   }
 *   const summary = await job.summary; // summary.status, summary.exit_code
 *
 * The summary promise resolves with the summary line once asession has
 * exited, also when the transfer failed (status "failed", exit_code 1...);
 * it rejects only when there is none: asession could not start, refused
 * the job (exit 2: the AsessionError carries the error line and its
 * problems), or ran with --dry-run. Events not yet read are kept until
 * read; leaving a for await loop early cancels the job.
 *
 * Options: executable, args (more arguments), flags (asession's flags as
 * an object), env (variables to set; null unsets), cwd, signal (an
 * AbortSignal that cancels), stderr ('pipe', the default, kept for
 * errors; 'inherit'; 'ignore'), cancelTimeout (ms before a cancelled
 * asession is killed; 30000).
 */
function run(spec, options) {
  return new Transfer(spec, options);
}

module.exports = { run, Transfer, AsessionError, findExecutable, platformPackage, flagArgs, EXECUTABLE_ENV };

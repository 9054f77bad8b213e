// Types for @faspkit/asession. The lines are described in full by
// asession's schema/events.schema.json; these types name what programs
// act on and let every other member through.

/** A transfer spec (IBM's field names), aspera-cli's envelope or a Node API response. */
export type Spec = Record<string, unknown>;

export interface FileCounts {
  attempted: number;
  completed: number;
  failed: number;
  skipped: number;
}

/** The job's aggregate progress, shaped like Connect's TransferInfo. */
export interface ProgressEvent {
  type: 'progress';
  status: 'initiating' | 'running' | 'willretry' | 'completed' | 'failed' | 'cancelled';
  /** 0 to 1; never goes back within a job, 1 at a completed end. */
  percentage: number;
  bytes_written: number;
  bytes_expected: number;
  calculated_rate_kbps: number;
  elapsed_usec: number;
  remaining_usec: number;
  current_file: string;
  file_counts: FileCounts;
  sessions: number;
  [member: string]: unknown;
}

/** One problem with the input, located by a JSON pointer. */
export interface Problem {
  pointer: string;
  expected: string;
  found: string;
}

/** Why the job failed (or, with source "command", a refused command). */
export interface ErrorEvent {
  type: 'error';
  source: string;
  code?: number;
  description: string;
  problems?: Problem[];
  terminal?: string[];
  [member: string]: unknown;
}

export interface SummaryError {
  code?: number;
  mnemonic: string;
  description: string;
  retryable: boolean;
  source: string;
}

/** The last line of every run that got past input parsing. */
export interface Summary {
  type: 'summary';
  job_id: string;
  status: 'completed' | 'failed' | 'cancelled';
  /** asession's exit code for the job (0 only when completed). */
  exit_code: number;
  files: FileCounts;
  bytes_written: number;
  bytes_expected: number;
  elapsed_usec: number;
  sessions: number;
  retries: number;
  ascp_version?: string;
  error?: SummaryError;
  failed_files?: Array<{ file: string; code: number; description: string }>;
  [member: string]: unknown;
}

/** A management message from ascp (INIT, SESSION, START, STATS, STOP, DONE...), in snake_case. */
export interface RawEvent {
  type: string;
  /** The session of a multi-session job. */
  session?: number;
  [member: string]: unknown;
}

export type Event = ProgressEvent | ErrorEvent | Summary | RawEvent;

/** A command for the command channel (stdin after the spec). */
export type Command =
  | { type: 'START'; source: string; destination?: string; file_bytes?: string; [field: string]: unknown }
  | { type: 'DONE'; operation?: 'Linger' }
  | { type: 'CANCEL' }
  | { type: 'RATE'; rate?: number; min_rate?: number; adaptive?: 'Adaptive' | 'Fixed' | 'Trickle' };

export interface RunOptions {
  /** The asession binary; default: $ASESSION_BIN, this system's @faspkit/asession-OS-CPU, then PATH. */
  executable?: string;
  /** More command-line arguments. */
  args?: string[];
  /** asession's flags: { retries: 0, stallTimeout: '10m', events: 'progress', ascp: '/opt/aspera/bin/ascp' }. */
  flags?: Record<string, string | number | boolean | null | undefined>;
  /** Variables to set for asession and ascp; null or undefined unsets one. */
  env?: Record<string, string | null | undefined>;
  cwd?: string;
  /** Cancels the job when aborted. */
  signal?: AbortSignal;
  /** asession's stderr: 'pipe' (kept for errors, the default), 'inherit' or 'ignore'. */
  stderr?: 'pipe' | 'inherit' | 'ignore';
  /** Milliseconds before a cancelled asession is killed (30000). */
  cancelTimeout?: number;
}

export class AsessionError extends Error {
  /** asession's exit code; undefined when it could not be started. */
  exitCode?: number;
  /** The summary line, when there was one. */
  summary?: Summary;
  /** The last error line (exit 2: its problems say what was wrong with the input). */
  error?: ErrorEvent;
  /** The end of asession's stderr. */
  stderr: string;
  /** 'ENOENT' when no asession binary was found. */
  code?: string;
}

/** A running job: iterate it for its events; the summary line comes last. */
export class Transfer implements AsyncIterable<Event> {
  /** Resolves with the summary line once asession has exited; rejects only when there is none. */
  readonly summary: Promise<Summary>;
  /** asession's exit code once it has exited (128 + N when killed by signal N). */
  readonly exitCode: Promise<number | undefined>;
  /** The last error line so far. */
  readonly lastError: ErrorEvent | null;
  readonly pid: number | undefined;
  readonly stderr: string;
  [Symbol.asyncIterator](): AsyncIterator<Event>;
  /** Write a command on the command channel. */
  send(command: Command): void;
  /** Cancel as Ctrl-C does (the CANCEL command on Windows); returns at once. */
  cancel(): void;
}

/** Start a transfer; see the README's Node section. */
export function run(spec: Spec | string, options?: RunOptions): Transfer;

/** The path of the asession binary run() would use. */
export function findExecutable(executable?: string): string;

/** The package carrying the binary for a system: @faspkit/asession-linux-x64... */
export function platformPackage(platform?: string, arch?: string): string;

/** The environment variable naming the asession binary: ASESSION_BIN. */
export const EXECUTABLE_ENV: 'ASESSION_BIN';

/** asession's command-line flags for an object of them: { stallTimeout: '10m' } is ['--stall-timeout=10m']. */
export function flagArgs(flags?: Record<string, string | number | boolean | null | undefined>): string[];

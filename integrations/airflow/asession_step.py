"""Run one asession transfer as a workflow step, standard library only.

run_transfer() starts asession with --retries 0 (the engine owns the
retries), lets its stderr through to the task log with a progress line at
each 10 % (--progress), and returns the summary, asession's last stdout
line, as a dict. stdout is read as it comes and only its last line kept:
a long transfer writes a line per file and progress step, which a task
has no use for in memory. A failure raises TransferFailed with
the exit code, the summary and whether retrying may help, read from
asession's exit-code table (README "Exit codes"; RETRY_MAY_HELP is tested
against it).

Run as a script it does the same for one job file and prints the summary
(or the failure) as JSON, exiting with asession's code:
    python3 asession_step.py job.json [path/of/asession]
"""

import json
import signal
import subprocess
import sys

# Exit codes after which another attempt may succeed: 4 (a retryable error
# outlived asession's own retries) and 75 (a retryable error, retries left
# to the caller).
RETRY_MAY_HELP = frozenset({4, 75})


class TransferFailed(Exception):
    def __init__(self, exit_code, summary):
        self.exit_code = exit_code
        self.summary = summary
        self.retry_may_help = exit_code in RETRY_MAY_HELP
        error = (summary or {}).get("error") or {}
        super().__init__(
            "asession exited %d: %s" % (exit_code, error.get("description", "no summary"))
        )


def last_summary(stdout):
    """The summary: asession's last stdout line, read as a stream of lines
    of which only the last non-empty one is kept; None if it is none."""
    last = ""
    for line in stdout:
        if line.strip():
            last = line
    try:
        summary = json.loads(last)
    except ValueError:
        return None
    if isinstance(summary, dict) and summary.get("type") == "summary":
        return summary
    return None


def run_transfer(job_path, asession="asession", extra_args=(), env=None):
    """Run one job; return its summary or raise TransferFailed.

    env is the environment (None: this process's); put secrets there, such
    as ASPERA_SCP_PASS, which ascp reads, never in arguments.
    """
    # --events progress: stdout needs no raw ascp events, only progress
    # lines and the summary, which ends it whatever happens.
    proc = subprocess.Popen(
        [asession, "--retries", "0", "--events", "progress", "--progress", *extra_args, job_path],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    # An engine stops a task with SIGTERM: pass it on so that asession
    # cancels ascp and still writes its summary.
    previous = signal.signal(signal.SIGTERM, lambda *_: proc.send_signal(signal.SIGTERM))
    try:
        with proc.stdout:
            summary = last_summary(proc.stdout)
        proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
    if proc.returncode != 0:
        raise TransferFailed(proc.returncode, summary)
    return summary


if __name__ == "__main__":
    try:
        print(json.dumps(run_transfer(sys.argv[1], *sys.argv[2:3])))
    except TransferFailed as e:
        print(json.dumps({"exit_code": e.exit_code, "retry_may_help": e.retry_may_help, "summary": e.summary}))
        sys.exit(e.exit_code)

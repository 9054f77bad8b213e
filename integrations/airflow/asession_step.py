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

ena_md5_list() turns ENA's file report into the md5sum lines that
asession --checksums takes, so that each read is checked as it arrives.

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


def ena_md5_list(report_tsv):
    """md5sum lines for asession --checksums from ENA's file report.

    report_tsv is the text of
    https://www.ebi.ac.uk/ena/portal/api/filereport?accession=RUN&result=read_run&fields=fastq_aspera,fastq_md5
    (tab-separated, columns found by name). A run's files, two or three
    for paired reads, are ';'-separated in both columns, in the same
    order; each is listed by its name, which is where it lands in
    destination_root.
    """
    lines = report_tsv.splitlines()
    header = lines[0].split("\t") if lines else []
    if "fastq_aspera" not in header or "fastq_md5" not in header:
        raise ValueError("the report has no fastq_aspera or fastq_md5 column")
    paths_at, sums_at = header.index("fastq_aspera"), header.index("fastq_md5")
    out = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) <= max(paths_at, sums_at) or not fields[paths_at]:
            continue
        paths, sums = fields[paths_at].split(";"), fields[sums_at].split(";")
        if len(paths) != len(sums):
            raise ValueError("line %d: not one fastq_md5 per file of fastq_aspera" % number)
        out += ["%s  %s\n" % (md5, path.rsplit("/", 1)[-1]) for path, md5 in zip(paths, sums)]
    if not out:
        raise ValueError("the report lists no FASTQ file")
    return "".join(out)


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

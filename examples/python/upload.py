#!/usr/bin/env python3
"""Upload a file or folder with asession and report the outcome.

    DEMO_PASSWORD=... python3 upload.py ASESSION SOURCE DESTINATION_ROOT

ASESSION is the path of the asession binary, or just "asession" to use PATH.
Progress goes to stderr, one result line to stdout; the exit status is 0
only when the transfer completed. Standard library only.
"""
import json
import os
import signal
import subprocess
import sys


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    asession, source, destination = argv[1:]
    password = os.environ.get("DEMO_PASSWORD")
    if not password:
        print("DEMO_PASSWORD is not set", file=sys.stderr)
        return 2
    spec = {"remote_host": "localhost", "remote_user": "demo", "remote_password": password,
            "direction": "send", "create_dir": True,
            "paths": [{"source": source}], "destination_root": destination}

    try:
        proc = subprocess.Popen([asession], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                encoding="utf-8", errors="replace")
    except OSError as e:
        print(f"FAILED: cannot start {asession}: {e}")
        return 3
    # On Ctrl-C or kill, let asession cancel ascp cleanly and still write its
    # summary, rather than dying first and orphaning the transfer.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, _frame: proc.send_signal(signum))
    # The spec goes through stdin, not argv, which other local users can read.
    try:
        with proc.stdin:
            proc.stdin.write(json.dumps(spec))
    except BrokenPipeError:
        pass  # asession quit before reading; its exit code and output say why

    summary, last_error, done, bad_lines = None, None, False, 0
    expected, seen_progress, progress = 0, False, Progress()
    for line in proc.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            event = None
        kind = event.get("type") if isinstance(event, dict) else None
        if not isinstance(kind, str):
            bad_lines += 1
            print(f"not a JSON event: {line.strip()[:200]}", file=sys.stderr)
            continue
        if kind == "progress":
            # Derived lines already add up every session and retry: once
            # they appear, the raw STATS below are left alone.
            seen_progress = True
            progress.show(event.get("bytes_written", 0), event.get("bytes_expected", 0),
                          event.get("current_file", ""))
        elif kind == "NOTIFICATION" and "pre_transfer_bytes" in event:
            expected = event["pre_transfer_bytes"]
        elif kind == "STATS" and not seen_progress:
            progress.show(event.get("transfer_bytes", 0), expected, event.get("file", ""))
        elif kind == "error":
            last_error = event
        elif kind == "DONE":
            done = True
        elif kind == "summary":
            summary = event
    code = proc.wait()
    if code < 0:  # killed by a signal: report it the way a shell would
        code = 128 - code
    progress.end()

    # A summary is authoritative; an asession without summary lines (or one
    # that crashed) is trusted only with both DONE and a zero exit code.
    if summary is not None:
        ok = summary.get("status") == "completed" and code == 0
        basis = f"summary: {summary.get('status')}, exit {code}"
        problem = summary.get("error") or last_error
    else:
        ok = done and code == 0 and last_error is None
        basis = f"no summary; {'DONE seen, ' if done else ''}exit {code}"
        problem = last_error
    if bad_lines:
        ok, problem = False, {"description": f"{bad_lines} stdout line(s) were not JSON events"}
    if ok:
        if summary is not None:
            print(f"OK: {uploaded(summary)} [{basis}]")
        else:
            print(f"OK: transfer done [{basis}]")
        return 0
    problem = problem or {"description": "no error reported"}
    detail = f" (code {problem['code']})" if problem.get("code") else ""
    print(f"FAILED: {problem.get('description')}{detail} [{basis}]")
    return code or 1


def uploaded(summary):
    """What a completed upload did. Files already at the destination are
    skipped, and counted among the completed ones, their bytes too: a run
    that skipped every file uploaded nothing."""
    files = summary.get("files") or {}
    skipped = files.get("skipped") or 0
    sent = (files.get("completed") or 0) - skipped
    if sent <= 0:
        return f"nothing uploaded: all {skipped} files already there" if skipped else "nothing to upload"
    text = f"{sent} file{'s' if sent != 1 else ''} uploaded"
    if skipped:
        return f"{text}, {skipped} already there; {summary.get('bytes_written')} bytes in all"
    return f"{text}, {summary.get('bytes_written')} bytes"


class Progress:
    """Progress on stderr: in place on a terminal, else once per percent."""

    def __init__(self):
        self.key, self.tty = None, sys.stderr.isatty()

    def show(self, written, expected, name):
        if not all(isinstance(n, (int, float)) for n in (written, expected)):
            return  # a malformed count is not worth a traceback
        if not written and not expected:
            return  # nothing known yet
        if expected:
            key = min(100, written * 100 // expected)
            text = f"progress {key:3d}%  {written}/{expected} bytes  {name}"
        else:
            key, text = written, f"progress {written} bytes  {name}"
        if key != self.key:
            self.key = key
            print(text, file=sys.stderr, end="\r" if self.tty else "\n", flush=True)

    def end(self):
        if self.key is not None and self.tty:
            print(file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

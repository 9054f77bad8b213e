"""One asession process: the spec in, JSON lines out, commands and cancellation."""

from __future__ import annotations

import datetime
import json
import os
import queue
import signal
import subprocess
import threading
import time
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union

from ._errors import AsessionError, error_for
from ._locate import find_executable
from ._summary import Summary

Spec = Union[Mapping[str, Any], str, bytes]

# Flags that would make stdout something other than JSON lines of the job.
_REFUSED_FLAGS = {"output": "stdout must be JSON lines", "json": "it belongs to doctor and version",
                  "version": "it prints the version instead of running", "help": "it prints the usage",
                  "h": "it prints the usage",
                  "url": "a link may carry a token and other users can read argv: put it in the spec's fasp_url"}

# How much of asession's stderr an exception keeps (its end).
_STDERR_TAIL = 64 * 1024

_EOF = object()


def _flag_args(flags: Mapping[str, Any]) -> List[str]:
    """asession's command-line flags from keyword options: retries=0 is
    --retries=0, stall_timeout=timedelta(minutes=10) is --stall-timeout=600s,
    dry_run=True is --dry-run."""
    out = []
    for key, value in flags.items():
        if value is None:
            continue
        name = key.replace("_", "-")
        if key in _REFUSED_FLAGS or name in _REFUSED_FLAGS:
            raise TypeError(f"option {key!r} is not accepted: {_REFUSED_FLAGS.get(key) or _REFUSED_FLAGS[name]}")
        if isinstance(value, bool):
            out.append(f"--{name}" if value else f"--{name}=false")
        elif isinstance(value, datetime.timedelta):
            out.append(f"--{name}={value.total_seconds():g}s")
        elif isinstance(value, (int, float, str)):
            out.append(f"--{name}={value}")
        else:
            raise TypeError(f"option {key!r}: expected a string, number, boolean or timedelta, got {type(value).__name__}")
    return out


def _spec_bytes(spec: Spec) -> bytes:
    if isinstance(spec, bytes):
        return spec
    if isinstance(spec, str):
        return spec.encode("utf-8")
    return json.dumps(dict(spec), ensure_ascii=False).encode("utf-8")


def _read_events(stdout: Any, events: "queue.Queue[Any]", bad_lines: List[str]) -> None:
    """Parse asession's stdout into events until it closes."""
    try:
        _parse_events(stdout, events, bad_lines)
    except (OSError, ValueError):
        pass  # closed under us by close(): the job is over
    events.put(_EOF)


def _parse_events(stdout: Any, events: "queue.Queue[Any]", bad_lines: List[str]) -> None:
    for raw in stdout:
        line = raw.decode("utf-8", errors="replace").strip()
        if not line:
            continue
        try:
            event = json.loads(line)
        except ValueError:
            event = None
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            bad_lines.append(line[:200])
            continue
        if event["type"] == "summary":
            event = Summary(event)
        events.put(event)


def _read_tail(stderr: Any, tail: bytearray) -> None:
    """Keep the last _STDERR_TAIL bytes of asession's stderr."""
    try:
        for chunk in iter(lambda: stderr.read1(8192), b""):
            tail += chunk
            del tail[:-_STDERR_TAIL]
    except (OSError, ValueError):
        pass  # closed under us by close()


class Transfer(Iterator[Dict[str, Any]]):
    """A running asession job; iterate it for its events.

    Each event is a dict (a JSON line: raw ascp events such as ``STOP``,
    ``progress``, ``error``); the last one is the :class:`Summary`. When
    the job did not complete and check is true (the default), the iteration
    then raises a :class:`TransferError` (:class:`TransferCancelled`,
    :class:`SourceNotFound`) carrying the summary and exit code, or an
    :class:`InputError` when asession refused the job before starting it.

    The process starts when the Transfer is made. Leaving it early —
    ``close()``, the end of a ``with`` block, a ``break`` out of a loop over
    ``run(...)`` that keeps no other reference, or Ctrl-C
    (KeyboardInterrupt) while waiting for an event — cancels the transfer
    the way Ctrl-C cancels asession (CANCEL to ascp, then a kill after its
    grace period) and waits until asession and ascp have exited;
    KeyboardInterrupt is raised again once they have, with :attr:`summary`
    set. Events not yet read are kept until read.
    """

    def __init__(self, spec: Spec, *, executable: Optional[str] = None, args: Sequence[str] = (),
                 env: Optional[Mapping[str, Optional[str]]] = None, cwd: Optional[str] = None,
                 check: bool = True, capture_stderr: bool = True, cancel_timeout: float = 30.0,
                 **flags: Any) -> None:
        self.check = check
        self.cancel_timeout = cancel_timeout
        #: The summary line, once read.
        self.summary: Optional[Summary] = None
        #: asession's exit status, once it has exited (128 + N when killed by signal N).
        self.exit_code: Optional[int] = None
        #: The last ``error`` line, if any.
        self.last_error: Optional[Dict[str, Any]] = None
        self._events: "queue.Queue[Any]" = queue.Queue()
        self._finished = False
        self._bad_lines: List[str] = []
        self._stderr_tail = bytearray()
        self._lock = threading.Lock()
        argv = [find_executable(executable), "--output=json", *_flag_args(flags), *args]
        child_env = dict(os.environ)
        for key, value in (env or {}).items():
            if value is None:
                child_env.pop(key, None)
            else:
                child_env[key] = value
        popen_kw: Dict[str, Any] = {}
        if os.name == "nt":
            # Its own process group, so that CTRL_BREAK_EVENT reaches
            # asession alone (it cancels on it, as on Ctrl-C).
            popen_kw["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        else:
            # Its own session: a Ctrl-C on our terminal is ours to turn into
            # one cancellation, not a second signal that kills ascp at once.
            popen_kw["start_new_session"] = True
        try:
            self._proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE if capture_stderr else None,
                env=child_env, cwd=cwd, **popen_kw)
        except OSError as e:
            raise AsessionError(f"cannot start {argv[0]}: {e}") from e
        # The readers hold the pipes, never the Transfer: a Transfer nobody
        # references is freed, and its __del__ then cancels the job.
        threading.Thread(target=_read_events, args=(self._proc.stdout, self._events, self._bad_lines),
                         name="asession-stdout", daemon=True).start()
        self._stderr_reader = None
        if capture_stderr:
            self._stderr_reader = threading.Thread(target=_read_tail, args=(self._proc.stderr, self._stderr_tail),
                                                   name="asession-stderr", daemon=True)
            self._stderr_reader.start()
        # The spec goes through stdin, never argv (other users can read argv).
        # stdin then stays open as the command channel; its end only means
        # "no more commands" to asession.
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(_spec_bytes(spec) + b"\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # asession quit before reading; its output and exit code say why

    # -- reading ---------------------------------------------------------

    @property
    def stderr(self) -> str:
        """The end of what asession wrote on stderr (when captured)."""
        return bytes(self._stderr_tail).decode("utf-8", errors="replace")

    @property
    def pid(self) -> int:
        return self._proc.pid

    def __iter__(self) -> "Transfer":
        return self

    def __next__(self) -> Dict[str, Any]:
        if self._finished:
            raise StopIteration
        try:
            item = self._next_item(None)
        except KeyboardInterrupt:
            self._stop()
            raise
        if item is _EOF:
            self._finish()
            raise StopIteration
        return item

    def _next_item(self, deadline: Optional[float]) -> Any:
        # A bounded wait in a loop, so that Ctrl-C is seen on every platform.
        while True:
            timeout = 0.25 if deadline is None else min(0.25, max(0.0, deadline - time.monotonic()))
            try:
                item = self._events.get(timeout=timeout)
            except queue.Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise TimeoutError from None
                continue
            if isinstance(item, dict) and item.get("type") == "error":
                self.last_error = item
            if isinstance(item, Summary):
                self.summary = item
            return item

    def _finish(self) -> None:
        """asession closed stdout: collect its exit status and judge the run."""
        self._finished = True
        code = self._proc.wait()
        if self._stderr_reader is not None:
            # Bounded: a process asession started could hold the pipe open.
            self._stderr_reader.join(timeout=5)
        self.exit_code = 128 - code if code < 0 else code
        self._close_pipes()
        if not self.check:
            return
        if self._bad_lines:
            raise AsessionError(f"asession wrote {len(self._bad_lines)} line(s) that are not JSON events, "
                                f"first: {self._bad_lines[0]!r}", exit_code=self.exit_code,
                                summary=self.summary, error=self.last_error, stderr=self.stderr)
        if self.exit_code == 0 and (self.summary is None or self.summary.ok):
            return  # a summary-less success is a dry run
        raise error_for(self.summary, self.exit_code, self.last_error, self.stderr)

    def wait(self) -> Optional[Summary]:
        """Read the remaining events and return the summary (None for a dry
        run); raises as iterating does."""
        for _ in self:
            pass
        return self.summary

    # -- commands and cancellation -------------------------------------

    def send(self, command: Mapping[str, Any]) -> None:
        """Write one command (START, DONE, CANCEL, RATE) on the command channel."""
        line = json.dumps(dict(command), ensure_ascii=False).encode("utf-8") + b"\n"
        with self._lock:
            if self._proc.stdin is None or self._proc.stdin.closed:
                raise AsessionError("the command channel is closed: the job has ended",
                                    exit_code=self.exit_code, summary=self.summary)
            try:
                self._proc.stdin.write(line)
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                raise AsessionError(f"the command channel is closed: {e}", exit_code=self.exit_code,
                                    summary=self.summary) from e

    def cancel(self) -> None:
        """Ask asession to cancel, as Ctrl-C does; returns at once. The
        summary then says ``cancelled`` (exit 130)."""
        if self._proc.poll() is not None:
            return
        try:
            if os.name == "nt":
                self._proc.send_signal(signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
            else:
                self._proc.send_signal(signal.SIGINT)
        except (ProcessLookupError, OSError):
            pass

    def close(self) -> None:
        """Cancel the job if it is still running and wait until asession
        (and so ascp) has exited. Raises nothing about the job itself."""
        if self._finished and self._proc.poll() is not None:
            return
        self._stop()

    def _stop(self) -> None:
        """Cancel, then read until asession exits, keeping the summary. A
        further Ctrl-C meanwhile is passed on: asession takes a second
        signal as "stop ascp now". After cancel_timeout asession is killed."""
        self.cancel()
        deadline = time.monotonic() + self.cancel_timeout
        while not self._finished:
            try:
                item = self._next_item(deadline)
            except KeyboardInterrupt:
                self.cancel()
                continue
            except TimeoutError:
                self._proc.kill()
                deadline = time.monotonic() + self.cancel_timeout
                continue
            if item is _EOF:
                check, self.check = self.check, False
                try:
                    self._finish()
                finally:
                    self.check = check

    def _close_pipes(self) -> None:
        with self._lock:
            for pipe in (self._proc.stdin, self._proc.stdout, self._proc.stderr):
                if pipe is not None and not pipe.closed:
                    try:
                        pipe.close()
                    except OSError:
                        pass

    def __enter__(self) -> "Transfer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is not None and proc.poll() is None:
            try:
                self.close()
            except Exception:
                pass


def run(spec: Spec, **options: Any) -> Transfer:
    """Start a transfer described by spec (a transfer spec, aspera-cli's
    aspera-cli envelope or a Node API response; a dict or JSON text) and return
    it to iterate for its events; the last event is the :class:`Summary`.

    Options: executable (the asession binary; default: the one this
    package installed, then $ASESSION_BIN... see :func:`find_executable`),
    args (more command-line arguments), env (variables to set, or unset
    with None, for asession and ascp), cwd, check (raise when the job does
    not complete; default true), capture_stderr (keep asession's stderr for
    exceptions; default true), cancel_timeout (seconds to wait after
    cancelling before killing asession; default 30). Any other keyword is an
    asession flag: retries=0, stall_timeout="10m", events="progress",
    ascp="/opt/aspera/bin/ascp", summary_file=...

    >>> for event in asession.run(spec):
    ...     if event["type"] == "progress":
    ...         print(f"{event['percentage']:.0%}")
    """
    return Transfer(spec, **options)


class Session(Transfer):
    """A persistent session (``keepalive``): files are added with
    :meth:`start` while it runs, and it ends after :meth:`done` once its
    queue is empty.

    >>> with asession.Session({"remote_host": ..., "direction": "send",
    ...                        "destination_root": "/up"}) as s:
    ...     s.start("/data/a.bin")
    ...     s.start("/data/b.bin", "/up/renamed.bin")
    ...     s.done()
    ...     summary = s.wait()

    The spec's ``keepalive`` is set to true; options are those of
    :func:`run`. Iterate the session (from any one thread) for its events.
    """

    def __init__(self, spec: Mapping[str, Any], **options: Any) -> None:
        super().__init__({**dict(spec), "keepalive": True}, **options)

    def start(self, source: str, destination: Optional[str] = None, **fields: Any) -> None:
        """Queue one file or folder. destination defaults to the spec's
        destination_root; fields are other management fields in snake_case
        (file_bytes="0:1048576", priority=1...)."""
        command: Dict[str, Any] = {"type": "START", "source": source}
        if destination is not None:
            command["destination"] = destination
        command.update(fields)
        self.send(command)

    def done(self, *, linger: bool = False) -> None:
        """No more files: the session ends once its queue is sent. With
        linger, ascp keeps the session open but takes no more files."""
        self.send({"type": "DONE", "operation": "Linger"} if linger else {"type": "DONE"})

    def rate(self, target_kbps: Optional[int] = None, min_kbps: Optional[int] = None,
             adaptive: Optional[str] = None) -> None:
        """Change the rate while the session runs; adaptive is "Adaptive",
        "Fixed" or "Trickle"."""
        command: Dict[str, Any] = {"type": "RATE"}
        if target_kbps is not None:
            command["rate"] = target_kbps
        if min_kbps is not None:
            command["min_rate"] = min_kbps
        if adaptive is not None:
            command["adaptive"] = adaptive
        self.send(command)

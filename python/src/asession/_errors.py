"""The exceptions a run raises, each carrying what asession said."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ._summary import Summary

# IBM's code for a source that does not exist (ERR_NO_SUCH_FILE).
_NO_SUCH_FILE = 4


class AsessionError(Exception):
    """asession did not complete the job.

    exit_code is asession's exit status (see the README's exit-code table;
    a process killed by a signal gets 128 + the signal's number, as a shell
    shows it), summary the summary line when asession wrote one, error the
    last ``error`` line, and stderr the end of what asession wrote there
    (when it was captured).
    """

    def __init__(self, message: str, *, exit_code: Optional[int] = None,
                 summary: Optional[Summary] = None, error: Optional[Dict[str, Any]] = None,
                 stderr: str = "") -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.summary = summary
        self.error = error
        self.stderr = stderr

    @property
    def retryable(self) -> bool:
        """Whether running the same job again may succeed (exit 4 or 75)."""
        return self.summary is not None and self.summary.retryable


class ExecutableNotFound(AsessionError, FileNotFoundError):
    """No asession binary was found; the message says where it looked."""


class InputError(AsessionError, ValueError):
    """asession refused the spec or the options (exit 2): nothing started.

    problems lists each problem as asession located it: ``pointer`` (a JSON
    pointer into the spec), ``expected`` and ``found``.
    """

    @property
    def problems(self) -> List[Dict[str, Any]]:
        return list((self.error or {}).get("problems") or [])


class TransferError(AsessionError, OSError):
    """The transfer ran and failed; summary says how far it got and why."""


class TransferCancelled(TransferError):
    """The transfer was cancelled (cancel(), close(), Ctrl-C or a CANCEL command)."""


class SourceNotFound(TransferError, FileNotFoundError):
    """ascp reported that a source does not exist (IBM's code 4)."""


def error_for(summary: Optional[Summary], exit_code: int, error: Optional[Dict[str, Any]],
              stderr: str) -> AsessionError:
    """The exception for a run that ended with exit_code."""
    if summary is not None:
        status, err = summary.status, summary.error or {}
        text = err.get("description") or (error or {}).get("description") or "no error reported"
        if err.get("mnemonic"):
            text += f" ({err['mnemonic']}"
            text += f", code {err['code']})" if err.get("code") else ")"
        message = f"transfer {status}: {text} [exit {exit_code}]"
        cls = TransferError
        if status == "cancelled":
            cls = TransferCancelled
        elif err.get("code") == _NO_SUCH_FILE and err.get("source") == "ascp_error":
            cls = SourceNotFound
        return cls(message, exit_code=exit_code, summary=summary, error=error, stderr=stderr)
    text = (error or {}).get("description")
    if not text:
        tail = stderr.strip().splitlines()
        text = tail[-1] if tail else "no error line and nothing on stderr"
    if exit_code == 2:
        return InputError(f"asession refused the job: {text} [exit 2]", exit_code=exit_code,
                          error=error, stderr=stderr)
    return AsessionError(f"asession exited {exit_code} without a summary: {text}",
                         exit_code=exit_code, error=error, stderr=stderr)

"""The summary line, with typed access to the members scripts use most."""

from __future__ import annotations

from typing import Any, Dict, List, Optional


class Summary(Dict[str, Any]):
    """asession's summary line: a dict of every member, as JSON gave it.

    The properties read the members most programs act on; see the README's
    Output section for the rest (times, rates, ascp session ids...).
    """

    @property
    def status(self) -> str:
        """completed, failed or cancelled."""
        return str(self.get("status", ""))

    @property
    def exit_code(self) -> int:
        """The exit code asession reported for the job."""
        return int(self.get("exit_code", -1))

    @property
    def ok(self) -> bool:
        """The job completed: every file was delivered or skipped."""
        return self.status == "completed" and self.exit_code == 0

    @property
    def files(self) -> Dict[str, int]:
        """attempted, completed, failed and skipped file counts."""
        return dict(self.get("files") or {})

    @property
    def bytes_written(self) -> int:
        return int(self.get("bytes_written", 0))

    @property
    def bytes_expected(self) -> int:
        return int(self.get("bytes_expected", 0))

    @property
    def error(self) -> Optional[Dict[str, Any]]:
        """Why the job failed: code, mnemonic, description, retryable, source."""
        return self.get("error")

    @property
    def retryable(self) -> bool:
        """Whether a later run of the same job may succeed."""
        return bool((self.error or {}).get("retryable"))

    @property
    def failed_files(self) -> List[Dict[str, Any]]:
        return list(self.get("failed_files") or [])

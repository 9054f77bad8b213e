"""asession.run against ascpsim: events, summaries, errors, cancellation."""

from __future__ import annotations

import gc
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import textwrap
import time
import unittest
from pathlib import Path

import asession
from support import CANCEL_TIMEOUT, INSTALLED, PASSWORD, WRONG_PASSWORD, ServerTestCase, make_tree, tree_files

# A rate that keeps an 8 MiB file in flight for about 30 s: long enough to
# cancel it midway on any machine, never waited for in full.
SLOW_KBPS = 2000
SLOW_BYTES = 8 << 20


class RunTest(ServerTestCase):

    def upload_spec(self, src: Path, **fields: object) -> dict:
        return self.spec(direction="send", paths=[{"source": str(src)}], destination_root="/uploads", **fields)

    def slow_upload(self) -> dict:
        src = self.dir / "slow.bin"
        src.write_bytes(os.urandom(SLOW_BYTES))
        return self.upload_spec(src, target_rate_kbps=SLOW_KBPS)

    def test_upload_yields_events_then_the_summary(self):
        src = self.dir / "local" / "tree"
        files = make_tree(src)
        job = asession.run(self.upload_spec(src))
        events = list(job)
        self.assertEqual(tree_files(self.server / "uploads" / "tree"), files)
        summary = events[-1]
        self.assertIsInstance(summary, asession.Summary)
        self.assertIs(job.summary, summary)
        self.assertTrue(summary.ok)
        self.assertEqual((summary.status, summary.exit_code, job.exit_code), ("completed", 0, 0))
        self.assertEqual(summary.files, {"attempted": 4, "completed": 4, "failed": 0, "skipped": 0})
        self.assertEqual(summary.bytes_written, sum(len(d) for d in files.values()))
        types = [e["type"] for e in events]
        self.assertEqual(types.count("summary"), 1)
        self.assertIn("STOP", types)
        progress = [e for e in events if e["type"] == "progress"]
        self.assertEqual(progress[-1]["status"], "completed")
        self.assertEqual(progress[-1]["percentage"], 1)
        self.assertTrue(all(isinstance(e, dict) for e in events))

    def test_spec_may_be_json_text(self):
        src = self.dir / "one.txt"
        src.write_bytes(b"one\n")
        summary = asession.run(json.dumps(self.upload_spec(src))).wait()
        self.assertTrue(summary.ok)
        self.assertEqual((self.server / "uploads" / "one.txt").read_bytes(), b"one\n")

    def test_wrong_password_raises_with_summary_and_exit_code(self):
        src = self.dir / "one.txt"
        src.write_bytes(b"one\n")
        seen = []
        with self.assertRaises(asession.TransferError) as cm:
            for event in asession.run(self.upload_spec(src, remote_password=WRONG_PASSWORD)):
                seen.append(event)
        err = cm.exception
        self.assertEqual(err.exit_code, 1)
        self.assertEqual(err.summary.status, "failed")
        self.assertEqual(err.summary.error["code"], 19)
        self.assertFalse(err.retryable)
        self.assertIs(seen[-1], err.summary, "the summary is yielded before the exception")
        self.assertIn("code 19", str(err))
        self.assertIn("exit 1", str(err))
        self.assertNotIn(WRONG_PASSWORD, str(err) + err.stderr + json.dumps(seen))
        self.assertFalse((self.server / "uploads").exists())

    def test_check_false_returns_the_failed_summary(self):
        src = self.dir / "one.txt"
        src.write_bytes(b"one\n")
        job = asession.run(self.upload_spec(src, remote_password=WRONG_PASSWORD), check=False)
        summary = job.wait()
        self.assertEqual((summary.status, summary.exit_code, job.exit_code), ("failed", 1, 1))

    def test_missing_source_is_a_file_not_found_error(self):
        spec = self.spec(direction="receive", paths=[{"source": "/no/such/file"}],
                         destination_root=str(self.dir / "down"))
        with self.assertRaises(FileNotFoundError) as cm:
            asession.run(spec).wait()
        self.assertIsInstance(cm.exception, asession.SourceNotFound)
        self.assertEqual(cm.exception.exit_code, 1)
        self.assertEqual(cm.exception.summary.failed_files[0]["file"], "/no/such/file")

    def test_retryable_failure_exits_75_with_retries_0(self):
        src = self.dir / "big.bin"
        src.write_bytes(os.urandom(1 << 20))
        job = asession.run(self.upload_spec(src), retries=0, env={"ASCPSIM_FAIL": "lost:100000"})
        with self.assertRaises(asession.TransferError) as cm:
            job.wait()
        self.assertEqual(cm.exception.exit_code, 75)
        self.assertTrue(cm.exception.retryable)
        self.assertTrue(cm.exception.summary.retryable)

    def test_invalid_spec_is_an_input_error_naming_the_field(self):
        job = asession.run(self.spec(direction="up", paths=[{"source": "/x"}], target_rate_kbps=-5))
        with self.assertRaises(asession.InputError) as cm:
            list(job)
        err = cm.exception
        self.assertIsInstance(err, ValueError)
        self.assertEqual(err.exit_code, 2)
        self.assertIsNone(err.summary)
        self.assertEqual(sorted(p["pointer"] for p in err.problems), ["/direction", "/target_rate_kbps"])
        self.assertIn("exit 2", str(err))

    def test_options_are_flags_and_bad_ones_are_input_errors(self):
        src = self.dir / "one.txt"
        src.write_bytes(b"one\n")
        with self.assertRaises(asession.InputError) as cm:
            asession.run(self.upload_spec(src), retries="many").wait()
        self.assertIn("retries", str(cm.exception))
        with self.assertRaises(TypeError):
            asession.run(self.upload_spec(src), output="human")
        with self.assertRaisesRegex(TypeError, "fasp_url"):
            asession.run(self.upload_spec(src), url="fasp://demo@localhost/?token=secret")
        with self.assertRaises(TypeError):
            asession.run(self.upload_spec(src), events_file=object())

    def test_dry_run_yields_its_line_and_no_summary(self):
        src = self.dir / "one.txt"
        src.write_bytes(b"one\n")
        job = asession.run(self.upload_spec(src), dry_run=True)
        events = list(job)
        self.assertEqual([e["type"] for e in events], ["dry_run"])
        self.assertIsNone(job.summary)
        self.assertEqual(job.exit_code, 0)
        self.assertNotIn(PASSWORD, json.dumps(events))

    def test_missing_executable(self):
        with self.assertRaises(FileNotFoundError) as cm:
            asession.run(self.spec(), executable=str(self.dir / "nowhere" / "asession"))
        self.assertIsInstance(cm.exception, asession.ExecutableNotFound)
        self.assertIn("nowhere", str(cm.exception))

    def test_close_cancels_and_leaves_no_process(self):
        job = asession.run(self.slow_upload())
        for event in job:
            if event["type"] == "progress" and event["bytes_written"] > 0:
                break
        self.assertTrue(self.processes(), "asession and ascp should be running mid-transfer")
        started = time.monotonic()
        job.close()
        self.assertLess(time.monotonic() - started, CANCEL_TIMEOUT)
        self.assertEqual(self.processes(), [])
        self.assertEqual(job.summary.status, "cancelled")
        self.assertEqual(job.exit_code, 130)
        self.assertLess(job.summary.bytes_written, SLOW_BYTES)

    def test_cancel_then_iterate_raises_transfer_cancelled(self):
        job = asession.run(self.slow_upload())
        with self.assertRaises(asession.TransferCancelled) as cm:
            for event in job:
                if event["type"] == "progress" and event["bytes_written"] > 0:
                    job.cancel()
        self.assertEqual(cm.exception.exit_code, 130)
        self.assertEqual(cm.exception.summary.status, "cancelled")

    def test_with_block_cancels_on_exception(self):
        with self.assertRaises(RuntimeError):
            with asession.run(self.slow_upload()) as job:
                for event in job:
                    if event["type"] == "progress" and event["bytes_written"] > 0:
                        raise RuntimeError("the caller gave up")
        self.assertEqual(self.processes(), [])
        self.assertEqual(job.summary.status, "cancelled")

    def test_leaving_the_loop_cancels(self):
        for event in asession.run(self.slow_upload()):
            if event["type"] == "progress" and event["bytes_written"] > 0:
                break
        gc.collect()  # the loop held the only reference; CPython frees it at once
        self.assertNothingLeft(within=CANCEL_TIMEOUT)
        delivered = self.server / "uploads" / "slow.bin"
        self.assertFalse(delivered.exists() and delivered.stat().st_size == SLOW_BYTES)

    def test_keyboard_interrupt_cancels_and_leaves_no_process(self):
        # A real Ctrl-C: SIGINT to a Python program iterating the events.
        script = textwrap.dedent("""
            import json, sys
            import asession
            job = asession.run(json.loads(sys.argv[1]))
            try:
                told = False
                for event in job:
                    if not told and event["type"] == "progress" and event["bytes_written"] > 0:
                        print("transferring", flush=True)
                        told = True
            except KeyboardInterrupt:
                # The summary is there: the interrupt reached the wait for an
                # event, which cancelled the job and read it to its end.
                print(json.dumps({"summary": job.summary, "exit_code": job.exit_code}), flush=True)
                sys.exit(99)
            sys.exit(0)
        """)
        child = subprocess.Popen([sys.executable, "-c", script, json.dumps(self.slow_upload())],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertEqual(child.stdout.readline().strip(), "transferring")
            child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=CANCEL_TIMEOUT + 10)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        self.assertEqual(child.returncode, 99, f"stdout {out!r} stderr {err!r}")
        result = json.loads(out)
        self.assertEqual(result["summary"]["status"], "cancelled")
        self.assertEqual(result["exit_code"], 130)
        self.assertEqual(self.processes(), [])


class LocateTest(unittest.TestCase):

    def test_the_binary_run_is_the_wheels_or_the_trees(self):
        if INSTALLED:
            self.assertNotIn("ASESSION_BIN", os.environ)
            want = os.path.join(sysconfig.get_path("scripts"), "asession")
            self.assertEqual(asession.find_executable(), want)
            self.assertEqual(shutil.which("asession"), want, "the wheel put asession on PATH")
        else:
            self.assertEqual(asession.find_executable(), os.environ["ASESSION_BIN"])


class FlagTest(unittest.TestCase):

    def test_flag_spelling(self):
        import datetime
        from asession._transfer import _flag_args
        self.assertEqual(_flag_args({"retries": 0, "stall_timeout": datetime.timedelta(minutes=10),
                                     "dry_run": True, "strict": False, "ascp": "/a b/ascp", "heartbeat": None}),
                         ["--retries=0", "--stall-timeout=600s", "--dry-run", "--strict=false", "--ascp=/a b/ascp"])


if __name__ == "__main__":
    unittest.main()

"""asession.Session against ascpsim: files added while the session runs."""

from __future__ import annotations

import os
import threading
import unittest

import asession
from support import CANCEL_TIMEOUT, ServerTestCase


class SessionTest(ServerTestCase):

    def session_spec(self, **fields: object) -> dict:
        return self.spec(direction="send", destination_root="/queue", **fields)

    def test_start_rate_done_wait(self):
        one, two = self.dir / "one.bin", self.dir / "two.bin"
        one.write_bytes(os.urandom(300_000))
        two.write_bytes(os.urandom(200_000))
        with asession.Session(self.session_spec()) as session:
            session.start(str(one))
            session.rate(target_kbps=50000, min_kbps=0, adaptive="Fixed")
            session.start(str(two), "/queue/renamed.bin")
            session.done()
            events = []
            for event in session:
                events.append(event)
        summary = session.summary
        self.assertTrue(summary.ok, summary)
        self.assertEqual(summary.files["completed"], 2)
        self.assertEqual((self.server / "queue" / "one.bin").read_bytes(), one.read_bytes())
        self.assertEqual((self.server / "queue" / "renamed.bin").read_bytes(), two.read_bytes())
        rates = [e for e in events if e["type"] == "NOTIFICATION" and e.get("rate") == 50000]
        self.assertTrue(rates, "ascp acknowledged no rate change")
        with self.assertRaises(asession.AsessionError):
            session.start(str(one))

    def test_events_read_by_another_thread(self):
        one = self.dir / "one.bin"
        one.write_bytes(b"x" * 1000)
        session = asession.Session(self.session_spec())
        seen = []
        reader = threading.Thread(target=lambda: seen.extend(session))
        reader.start()
        session.start(str(one))
        session.done()
        reader.join(timeout=60)
        self.assertFalse(reader.is_alive())
        self.assertTrue(seen[-1].ok)
        self.assertEqual((self.server / "queue" / "one.bin").read_bytes(), one.read_bytes())

    def test_bad_command_is_reported_and_the_session_goes_on(self):
        one = self.dir / "one.bin"
        one.write_bytes(b"y" * 1000)
        session = asession.Session(self.session_spec())
        session.rate(adaptive="Sometimes")
        session.start(str(one))
        session.done()
        events = list(session)
        errors = [e for e in events if e["type"] == "error"]
        self.assertEqual([e["source"] for e in errors], ["command"])
        self.assertIn("adaptive", errors[0]["description"])
        self.assertTrue(session.summary.ok)

    def test_cancel_ends_the_session_and_its_processes(self):
        big = self.dir / "big.bin"
        big.write_bytes(os.urandom(8 << 20))
        session = asession.Session(self.session_spec(target_rate_kbps=2000))
        session.start(str(big))
        with self.assertRaises(asession.TransferCancelled) as cm:
            for event in session:
                if event["type"] == "progress" and event["bytes_written"] > 0:
                    session.cancel()
        self.assertEqual(cm.exception.exit_code, 130)
        self.assertNothingLeft(within=CANCEL_TIMEOUT)


if __name__ == "__main__":
    unittest.main()

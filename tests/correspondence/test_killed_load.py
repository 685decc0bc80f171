"""A load killed while it sends: the next load sends what was left, and nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.correspondence.conftest import environment, officers
from tests.correspondence.smtp_server import SmtpServer
from tests.e2e.conftest import ROOT, TUPHAP, tuphap

# Its own warehouse and loads: a group apart, for the other worker (tests/conftest.py).
pytestmark = pytest.mark.xdist_group("correspondence_killed")


def test_a_load_killed_mid_sending_sends_nothing_twice(tmp_path: Path) -> None:
    with SmtpServer() as smtp:
        smtp.handler.hold_after = 3  # three messages go out, the fourth is held
        env = environment(tmp_path, smtp)
        assert tuphap(["sample", "--out", str(tmp_path / "inbox")], env).returncode == 0
        load = subprocess.Popen([*TUPHAP, "load"], cwd=ROOT, env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert smtp.handler.held.wait(timeout=900), "the load never reached its fourth mail"
        finally:
            os.killpg(load.pid, signal.SIGKILL)
            load.wait(timeout=60)
        assert len(smtp.mails) == 3
        smtp.handler.hold_after = None
        smtp.handler.release.set()
        again = tuphap(["load"], env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "Units: 11 message(s) sent to 11 unit(s)" in again.stdout
        people = officers()
        units = Counter(people[m.rcpt_to[0]] for m in smtp.mails)
        ids = Counter(m.message["Message-ID"] for m in smtp.mails)
        assert len(units) == 14 and set(units.values()) == {1}
        assert set(ids.values()) == {1}

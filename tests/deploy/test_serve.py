"""The supervisor of `make serve` (deploy/serve.py) with stand-in services: real processes that
record the signals they get, so each behaviour is checked in a second or two. The real
webserver and daemon under it: tests/deploy/test_service.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from deploy.serve import service_commands
from tests.deploy.service import ROOT, wait_until

# A stand-in service: says it is up, writes each signal it gets, ends on SIGINT (exit 0) unless
# told to ignore it, or ends by itself (exit 3) when told to, once the test says so (a ".go"
# file beside its record): never before the other service is up.
SERVICE = r"""
import signal, sys, time
from pathlib import Path
record, mode = Path(sys.argv[1]), sys.argv[2]
def got(signum, frame):
    with record.open("a") as out:
        out.write(signal.Signals(signum).name + "\n")
    if mode != "stubborn":
        sys.exit(0)
signal.signal(signal.SIGINT, got)
signal.signal(signal.SIGTERM, got)
record.with_suffix(".up").touch()
if mode == "short":
    while not record.with_suffix(".go").exists():
        time.sleep(0.05)
else:
    time.sleep(600)
sys.exit(3)
"""
# Only so that a broken supervisor fails instead of hanging the run: never reached when it works.
CEILING_SECONDS = 300.0
# The supervisor, with its wait for a service to stop cut to argv[2] seconds: 2 where a service
# ignores the signal, CEILING_SECONDS where none should be killed (on a busy machine a calm
# stand-in may take a moment to run its handler).
DRIVER = r"""
import json, os, sys
import deploy.serve as serve
serve.STOP_TIMEOUT_SECONDS = float(sys.argv[2])
commands = json.loads(sys.argv[1])
sys.exit(serve.Supervisor(commands, dict(os.environ), serve.Path.cwd()).run())
"""


def _supervise(tmp_path: Path, modes: dict[str, str]) -> tuple[subprocess.Popen[str], dict]:
    records = {name: tmp_path / f"{name}.signals" for name in modes}
    commands = {name: [sys.executable, "-c", SERVICE, str(records[name]), mode]
                for name, mode in modes.items()}
    stop_timeout = 2.0 if "stubborn" in modes.values() else CEILING_SECONDS
    # In a process group of its own, as `make serve` is in the terminal's foreground group.
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, json.dumps(commands),
                               str(stop_timeout)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    wait_until(lambda: all(r.with_suffix(".up").exists() for r in records.values()),
               "stand-in services up", CEILING_SECONDS)
    return driver, records


def _signals(record: Path) -> list[str]:
    return record.read_text().split() if record.exists() else []


def test_ctrl_c_reaches_each_service_once_and_waits_for_them(tmp_path: Path) -> None:
    driver, records = _supervise(tmp_path, {"web": "calm", "daemon": "calm"})
    # A terminal's Ctrl-C goes to the whole foreground group; the services are in groups of
    # their own, so they hear it once, from the supervisor.
    os.killpg(driver.pid, signal.SIGINT)
    out, _ = driver.communicate(timeout=CEILING_SECONDS)
    assert driver.returncode == 0, out
    assert {name: _signals(r) for name, r in records.items()} == {"web": ["SIGINT"],
                                                                  "daemon": ["SIGINT"]}
    assert "serve: stopped" in out


def test_sigterm_stops_them_the_same_way(tmp_path: Path) -> None:
    driver, records = _supervise(tmp_path, {"web": "calm", "daemon": "calm"})
    driver.send_signal(signal.SIGTERM)
    out, _ = driver.communicate(timeout=CEILING_SECONDS)
    assert driver.returncode == 0, out
    assert all(_signals(r) == ["SIGINT"] for r in records.values())


def test_when_one_service_ends_the_other_is_stopped_and_the_exit_status_says_so(
        tmp_path: Path) -> None:
    driver, records = _supervise(tmp_path, {"web": "calm", "daemon": "short"})
    records["daemon"].with_suffix(".go").touch()
    out, _ = driver.communicate(timeout=CEILING_SECONDS)
    assert driver.returncode == 1
    assert "daemon ended by itself (exit status 3)" in out
    assert _signals(records["web"]) == ["SIGINT"]


def test_a_service_that_does_not_stop_is_killed(tmp_path: Path) -> None:
    driver, records = _supervise(tmp_path, {"web": "stubborn", "daemon": "calm"})
    driver.send_signal(signal.SIGINT)
    # Killed: the stubborn service would sleep on for 600 s (CEILING_SECONDS is shorter).
    out, _ = driver.communicate(timeout=CEILING_SECONDS)
    assert driver.returncode == 0, out
    assert "web did not stop in 2 s; killing it" in out
    assert _signals(records["web"]) == ["SIGINT"]


def test_the_services_are_the_dagster_webserver_and_daemon_of_this_environment() -> None:
    commands = service_commands("127.0.0.1", 3000)
    assert commands["dagster-webserver"][1:] == ["--host", "127.0.0.1", "--port", "3000"]
    assert commands["dagster-daemon"][1:] == ["run"]
    for command in commands.values():
        assert Path(command[0]).is_file() and os.access(command[0], os.X_OK)

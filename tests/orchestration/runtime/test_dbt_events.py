"""dbt drops an event no logger writes before making its message and formatting it
(orchestration/runtime/dbt_events.py): real dbt, in a new process, run on the same saved parse
before and after."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from orchestration import settings
from orchestration.runtime.dbt_events import drop_unwanted_events_early
from tests.orchestration.runtime.conftest import load_env

# Each run: `dbt parse` with JSON log lines (as dagster-dbt has them) into a captured stream,
# no file log (as a load's build: orchestration/dbt/invocation.py); the events formatted
# (create_line of dbt's JSON logger) and the messages made for the loggers
# (msg_from_base_event) counted. The first run saves the parse the others start from; the
# third and the last with a caller's callback; the patch before the fourth.
PROBE = """
import dataclasses, io, json, sys
from dbt.cli.main import dbtRunner
from dbt_common.events import logger as dbt_logger
from orchestration.runtime.dbt_events import drop_unwanted_events_early
from dbt_common.events import event_manager
formatted, made = [], []
create_line = dbt_logger._JsonLogger.create_line
def counted(self, msg):
    formatted.append(msg.info.name)
    return create_line(self, msg)
dbt_logger._JsonLogger.create_line = counted
make_message = event_manager.msg_from_base_event
def counted_message(*args, **kwargs):
    made.append(1)
    return make_message(*args, **kwargs)
event_manager.msg_from_base_event = counted_message
@dataclasses.dataclass
class Heard:  # a callback as a caller may pass one: unhashable
    names: list
    def __call__(self, msg):
        self.names.append(msg.info.name)
target, runs = sys.argv[1], []
for patched, heard in ((False, None), (False, None), (False, Heard([])), (True, None),
                       (True, Heard([]))):
    if patched:
        assert drop_unwanted_events_early() and drop_unwanted_events_early()  # idempotent
    formatted.clear(), made.clear()
    out, sys.stdout = sys.stdout, io.StringIO()
    try:
        done = dbtRunner(callbacks=[heard] if heard else None).invoke(
            ["parse", "--target-path", target, "--log-format", "json", "--log-level-file",
             "none", "--no-write-json"])
    finally:
        printed, sys.stdout = sys.stdout.getvalue(), out
    assert done.success, done.exception
    runs.append({"formatted": len(formatted), "made": len(made),
                 "printed": printed.splitlines(), "heard": heard.names if heard else None})
print(json.dumps(runs[1:]))
"""


def _event(line: str) -> tuple[str, str, str]:
    """A printed line without what differs from run to run (time, invocation, timings)."""
    info = json.loads(line)["info"]
    return info["name"], info["level"], info["msg"].split(" in ")[0]


def test_the_same_lines_are_printed_and_only_those_made_and_formatted(tmp_path: Path) -> None:
    env = load_env(tmp_path / "w" / "warehouse.duckdb", tmp_path / "target")
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "target")], env=env,
                          cwd=settings.DBT_PROJECT_DIR, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    before, heard_before, after, heard_after = json.loads(done.stdout.splitlines()[-1])
    assert [_event(line) for line in after["printed"]] == \
        [_event(line) for line in before["printed"]]
    assert "ParsePerfInfoPath" in {_event(line)[0] for line in after["printed"]}
    # Before, dbt made a message of every event and formatted it, its debug ones too; after,
    # only of what it printed.
    assert before["made"] == before["formatted"] > 2 * len(before["printed"]), before
    assert after["made"] == after["formatted"] == len(after["printed"]), after
    # A caller's callback hears every event, as before: nothing is skipped for it.
    assert heard_after["heard"] == heard_before["heard"] and \
        len(heard_after["heard"]) == before["made"], (heard_before, heard_after)


def test_a_dbt_logger_of_another_shape_is_left_alone(monkeypatch) -> None:  # noqa: ANN001
    from dbt_common.events import logger as dbt_logger

    monkeypatch.delattr(dbt_logger, "_is_print_event")
    monkeypatch.delattr(dbt_logger._Logger, "_tuphap_drops_before_formatting",  # noqa: SLF001
                        raising=False)
    write_line = dbt_logger._Logger.write_line  # noqa: SLF001
    assert drop_unwanted_events_early() is False
    assert dbt_logger._Logger.write_line is write_line  # noqa: SLF001

"""tuphap-warehouse as a service, for real: the Dagster instance in PostgreSQL
(deploy/dagster.yaml), `tuphap load` recording into it, then `python -m deploy.serve` (what
`make serve` runs: dagster-webserver and dagster-daemon) loading what lands in the inbox.

One story, in order, sharing one service (starting it and each load cost seconds):
1. `tuphap load` of a small inbox records a successful run in PostgreSQL (table `runs`); a
   second `tuphap load` is killed with -9 and leaves its run STARTED: the service's first
   sensor tick fails it, saying why, so the queue is free for the next step's runs at once
   (run monitoring alone would hold it for 30 minutes);
2. with the service running, a corrected report lands in the inbox; the sensor's run is killed
   (SIGKILL of its run worker, once it has its build of the warehouse): the warehouse is as it
   was and the run ends failed; the next tick loads the file again: it is archived, loaded,
   checked, alerted (one webhook message) and published, and the run shows in the webserver
   with its materialisations and checks; a load launched in the UI meanwhile waits in the
   queue (the run is held just before its publish while the queue is watched:
   tests/reliability/hold_at_publish/); the yearly report of 2023 follows in a run of its own;
3. the ticks after it start no run;
4. Ctrl-C (SIGINT) stops the webserver and the daemon.
The warehouse is a DuckDB file; the sensor looks every 5 s (TUPHAP_SENSOR_INTERVAL_SECONDS=1;
the daemon's own loop is 5 s).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg
import pytest

from ingest.sample import write_sample
from tests.deploy.service import (
    DEPLOY_YAML,
    ROOT,
    RUN_TIMEOUT,
    TUPHAP,
    RunningService,
    instance_database,
    processes_with,
    service_env,
    step_started,
    tags_of,
    wait_until,
    worker_pid,
)
from tests.postgres_server import PostgresServer
from tests.quality.http_sink import WebhookSink
from tests.reliability.conftest import held_at_publish

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("service")]

FIRST_INBOX = ("2022_STP-20_Lang-Son.xlsx", "2022_THADS-20_Lang-Son.xlsx",
               "2023_THADS-20_Lang-Son.xlsx")
# A later correction of THADS-20's 2023 report whose total is not the sum of its rows: it
# replaces the figures, and its new issues make one alert.
CORRECTION = "LOI_2023_THADS-20_dinh-chinh_tong-lech.xlsx"
ENDED = ("SUCCESS", "FAILURE", "CANCELED")
QUEUE_LOOKS = 3  # the daemon's looks at the queue a run launched in the UI must wait through


@dataclass
class Deployment:
    base: Path
    env: dict[str, str]
    database: str  # the instance's database, the superuser's URL
    samples: Path

    @property
    def inbox(self) -> Path:
        return Path(self.env["TUPHAP_INBOX"])

    @property
    def warehouse(self) -> Path:
        return Path(self.env["TUPHAP_WAREHOUSE"])

    @property
    def home(self) -> Path:
        return Path(self.env["DAGSTER_HOME"])

    def drop(self, name: str) -> None:
        """A file lands in the inbox: written under another name, then renamed (as a careful
        copy does; the sensor never sees half of it)."""
        partial = self.inbox / f".{name}.part"
        shutil.copyfile(self.samples / name, partial)
        partial.rename(self.inbox / name)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def enforcement_source(warehouse: Path) -> str | None:
    """The file the published warehouse takes Lạng Sơn's 2023 enforcement figures from."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("select cases_source_file from fct_enforcement"
                          " where province_code = '20' and year = 2023").fetchone()
    return row[0] if row else None


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory,
               postgres_server: PostgresServer) -> Deployment:
    base = tmp_path_factory.mktemp("service")
    samples = base / "samples"
    write_sample(samples, years=[2022, 2023])
    database, instance = instance_database(postgres_server, "dagster_service")
    env = service_env(base, instance)
    (base / "inbox").mkdir()
    for name in FIRST_INBOX:
        shutil.copyfile(samples / name, base / "inbox" / name)
    return Deployment(base, env, database, samples)


@pytest.fixture(scope="module")
def cli_load(deployment: Deployment) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TUPHAP, "load"], cwd=ROOT, env=deployment.env, capture_output=True,
                          text=True, timeout=600)


@dataclass
class KilledCliLoad:
    run_id: str
    pid: int
    status_after_kill: str


def _instance_rows(deployment: Deployment, query: str,
                   parameters: list[str] | None = None) -> list[tuple]:
    with psycopg.connect(deployment.database) as con:
        return list(con.execute(query, parameters).fetchall())


@pytest.fixture(scope="module")
def killed_cli_load(deployment: Deployment,
                    cli_load: subprocess.CompletedProcess[str]) -> KilledCliLoad:
    """A `tuphap load` killed with -9 once its run has named its process: the run stays
    STARTED in the instance, holding the warehouse's place in the queue."""
    assert cli_load.returncode == 0, cli_load.stdout + cli_load.stderr[-3000:]
    before = {row[0] for row in _instance_rows(deployment, "select run_id from runs")}
    load = subprocess.Popen([*TUPHAP, "load"], cwd=ROOT, env=deployment.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def named() -> list[tuple]:
            rows = _instance_rows(
                deployment, "select run_id from run_tags where key = 'tuphap/process'")
            return [row for row in rows if row[0] not in before]

        [(run_id,)] = wait_until(named, "the run of the second load", RUN_TIMEOUT)
    finally:
        load.kill()
        load.wait()
    [(status,)] = _instance_rows(deployment, "select status from runs where run_id = %s",
                                 [run_id])
    return KilledCliLoad(run_id, load.pid, status)


@pytest.fixture(scope="module")
def webhook() -> Iterator[WebhookSink]:
    with WebhookSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def service(deployment: Deployment, cli_load: subprocess.CompletedProcess[str],
            killed_cli_load: KilledCliLoad, webhook: WebhookSink) -> Iterator[RunningService]:
    assert cli_load.returncode == 0, cli_load.stdout + cli_load.stderr[-3000:]
    env = {**held_at_publish(deployment.env, deployment.base / "held-at-publish",
                             release=deployment.base / "release-publish"),
           "TUPHAP_ALERT_WEBHOOK_URL": webhook.url(), "TUPHAP_SENSOR_INTERVAL_SECONDS": "1"}
    running = RunningService.start_ready(env, deployment.base / "serve.log")
    try:
        yield running
    finally:
        running.stop()


@dataclass
class KilledThenLoaded:
    published_before: str  # sha256 of the published warehouse before the file landed
    published_after_kill: str
    killed: dict  # the killed run, as the webserver shows it once it ended
    retry: dict  # the run of the next tick, once it ended
    # A run launched in the UI while the retry held the warehouse: its status at each look
    # while the daemon's queue looked at it QUEUE_LOOKS times (queue_looks), then at the end
    # (cancelled from the UI while it waited).
    launched_while_retry_ran: list[str]
    queue_looks: int
    launched: dict
    reports: dict  # the yearly reports' run the retry's success started


@pytest.fixture(scope="module")
def killed_then_loaded(deployment: Deployment, service: RunningService) -> KilledThenLoaded:
    """The correction lands; its run is killed once it has its build of the warehouse (its
    first step began); the next tick loads the file again while a person launches the same
    job in the UI, which waits in the queue (and is cancelled there, to save a load)."""
    published = sha256(deployment.warehouse)
    deployment.drop(CORRECTION)

    def loading() -> dict | None:
        runs = service.runs({"tuphap/trigger": "sensor"})
        run = service.run(runs[0]["runId"], events=False) if runs else None
        return run if run and step_started(run, "raw_reports") else None

    run = service.wait_until(loading, "sensor run loading the file")
    pid = worker_pid(service.run(run["runId"]))
    assert pid is not None, run
    subprocess.run(["kill", "-9", str(pid)], check=True)
    after_kill = sha256(deployment.warehouse)
    service.wait_until(lambda: service.run(run["runId"], events=False)["status"] in ENDED,
                       "the end of the killed run")
    held = deployment.base / "held-at-publish"
    held.unlink(missing_ok=True)  # had the killed run got that far, its mark is not the next's
    inbox_tag = tags_of(run)["tuphap/inbox"]
    [retry] = service.wait_until(
        lambda: [r for r in service.runs({"tuphap/inbox": inbox_tag})
                 if r["runId"] != run["runId"] and r["status"] == "STARTED"],
        "the next run of the same file")
    # Meanwhile a person launches a load of the same warehouse in the UI: it waits. The next
    # run is held just before its publish (it holds the warehouse) until the daemon's queue
    # has looked at the waiting run QUEUE_LOOKS times: as many chances to start it.
    service.wait_until(held.exists, "the next run at its publish")
    launched = service.launch({"dagster/asset_partition_range_start": "2023",
                               "dagster/asset_partition_range_end": "2023",
                               "tuphap/trigger": "ui"})
    looks_before = service.queue_looks()
    seen: list[str] = []

    def looked_at_enough() -> bool:
        seen.append(service.run(launched, events=False)["status"])
        return service.queue_looks() - looks_before >= QUEUE_LOOKS

    service.wait_until(looked_at_enough, f"{QUEUE_LOOKS} looks of the queue at the UI's run")
    seen.append(service.run(launched, events=False)["status"])
    looks = service.queue_looks() - looks_before
    retry_during = service.run(retry["runId"], events=False)["status"]
    service.terminate(launched)
    (deployment.base / "release-publish").touch()
    service.wait_until(lambda: service.run(retry["runId"], events=False)["status"] in ENDED,
                       "the end of the next run")
    assert retry_during == "STARTED", retry_during
    # The yearly reports of the years it brought follow in a run of their own.
    [reports] = service.wait_until(
        lambda: [r for r in service.runs({"tuphap/after-load": retry["runId"]})
                 if r["status"] in ENDED], "the reports run after the load")
    return KilledThenLoaded(published, after_kill, service.run(run["runId"]),
                            service.run(retry["runId"]), seen, looks,
                            service.run(launched, events=False), service.run(reports["runId"]))


def test_tuphap_load_records_its_run_in_postgresql(
        deployment: Deployment, cli_load: subprocess.CompletedProcess[str]) -> None:
    assert cli_load.returncode == 0, cli_load.stdout + cli_load.stderr[-3000:]
    with psycopg.connect(deployment.database) as con:
        # The first run (a second load is killed later in the story).
        runs = con.execute("select run_id, status from runs order by id limit 1").fetchall()
        assert [status for _, status in runs] == ["SUCCESS"]
        tags = dict(con.execute("select key, value from run_tags where run_id = %s",
                                [runs[0][0]]).fetchall())
    assert tags["tuphap/trigger"] == "cli"
    assert tags["tuphap/warehouse"] == str(deployment.warehouse)
    # The instance is exactly deploy/dagster.yaml: no SQLite storage beside it.
    assert (deployment.home / "dagster.yaml").read_text() == DEPLOY_YAML.read_text()
    assert not (deployment.home / "history").exists()
    assert enforcement_source(deployment.warehouse) == "2023_THADS-20_Lang-Son.xlsx"


def test_the_sensor_fails_the_run_of_a_killed_tuphap_load_so_the_queue_moves_on(
        deployment: Deployment, service: RunningService, killed_cli_load: KilledCliLoad,
        killed_then_loaded: KilledThenLoaded) -> None:
    killed = killed_cli_load
    assert killed.status_after_kill == "STARTED"  # nothing of the killed process could end it
    run = service.run(killed.run_id)
    assert run["status"] == "FAILURE"
    messages = " ".join(e.get("message") or "" for e in run["eventConnection"]["events"])
    assert (f"Marked failed by the inbox sensor's tick: this run's process (pid {killed.pid} "
            in messages), messages[-2000:]
    # Failed by a tick before the correction landed: the sensor's runs of it were never
    # queued behind it (they started; run monitoring alone would have waited 30 minutes).
    first_sensor_run = min(service.runs({"tuphap/trigger": "sensor"}),
                           key=lambda r: r["creationTime"])
    assert run["endTime"] <= first_sensor_run["creationTime"], (run, first_sensor_run)
    assert killed_then_loaded.retry["status"] == "SUCCESS"


def test_a_killed_run_worker_leaves_the_warehouse_and_the_run_failed(
        killed_then_loaded: KilledThenLoaded) -> None:
    story = killed_then_loaded
    assert story.published_after_kill == story.published_before
    assert story.killed["status"] == "FAILURE"
    messages = " ".join(e.get("message") or "" for e in
                        story.killed["eventConnection"]["events"])
    assert "was terminated by signal 9" in messages, messages[-2000:]


def test_the_next_tick_publishes_the_file_with_one_alert(
        deployment: Deployment, killed_then_loaded: KilledThenLoaded,
        webhook: WebhookSink) -> None:
    run = killed_then_loaded.retry
    assert run["status"] == "SUCCESS"
    tags = tags_of(run)
    assert tags["dagster/run_key"].endswith("-attempt-2")
    assert tags["tuphap/warehouse"] == str(deployment.warehouse)
    assert enforcement_source(deployment.warehouse) == CORRECTION
    # The killed run died before its alerts: the file's new issues were sent once.
    assert len(webhook.requests) == 1, webhook.requests
    assert "THADS-20" in webhook.requests[0]["json"]["text"]
    # What the webserver shows of the run: its materialisations and its checks.
    materialized = {"/".join(m["assetKey"]["path"]) for m in run["assetMaterializations"]}
    assert {"raw/received_files", "dq_issues", "quality_alerts",
            "published_warehouse"} <= materialized
    kinds = [e["__typename"] for e in run["eventConnection"]["events"]]
    assert kinds.count("AssetCheckEvaluationEvent") > 0
    # Its Great Expectations worker came warm from make serve's preload server.
    said = [e.get("message") or "" for e in run["eventConnection"]["events"]
            if (e.get("message") or "").startswith("row rules' Great Expectations worker: ")]
    assert len(said) == 1 and "forked by the preload server (pid " in said[0], said


def test_the_reports_of_the_loaded_year_follow_the_publish_in_their_own_run(
        deployment: Deployment, killed_then_loaded: KilledThenLoaded) -> None:
    run = killed_then_loaded.reports
    assert run["status"] == "SUCCESS"
    tags = tags_of(run)
    assert tags["tuphap/report-years"] == "2023" and tags["tuphap/trigger"] == "after-load"
    assert tags["tuphap/reports"] == str(deployment.warehouse)
    assert "tuphap/warehouse" not in tags  # never in the way of the next load
    materialized = {"/".join(m["assetKey"]["path"]) for m in run["assetMaterializations"]}
    assert materialized == {"yearly_reports"}
    # Not part of the load's run: it ended at its publish.
    load = {"/".join(m["assetKey"]["path"]) for m in
            killed_then_loaded.retry["assetMaterializations"]}
    assert "yearly_reports" not in load and "published_warehouse" in load
    pdf = deployment.warehouse.parent / "reports" / "so-lieu-tu-phap-2023-khu-vuc.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_run_launched_in_the_ui_waits_for_the_load_of_the_same_warehouse(
        killed_then_loaded: KilledThenLoaded) -> None:
    seen = killed_then_loaded.launched_while_retry_ran
    assert killed_then_loaded.queue_looks >= QUEUE_LOOKS
    assert len(seen) >= 2 and set(seen) == {"QUEUED"}, seen
    assert killed_then_loaded.launched["status"] == "CANCELED"
    assert killed_then_loaded.launched["stepStats"] == []  # nothing of it ever ran


def test_ticks_with_no_new_file_start_no_run(service: RunningService,
                                             killed_then_loaded: KilledThenLoaded) -> None:
    runs = service.runs()
    ended = max(r["endTime"] or r["creationTime"] for r in runs)

    def two_ticks_after() -> list[dict]:
        ticks = [t for t in service.ticks()
                 if t["timestamp"] > ended and t["status"] != "STARTED"]
        return ticks if len(ticks) >= 2 else []

    later = service.wait_until(two_ticks_after, "two ticks after the last run")
    assert {t["status"] for t in later} == {"SKIPPED"}
    assert all(not t["runIds"] for t in later)
    assert len(service.runs()) == len(runs)


def test_ctrl_c_stops_the_webserver_and_the_daemon(deployment: Deployment,
                                                  service: RunningService) -> None:
    assert service.stop() == 0, service.log_tail()
    assert not service.answers()
    assert "serve: stopped" in service.log_tail()
    # Nothing of the service is left: no process runs with its DAGSTER_HOME (the webserver,
    # the daemon, their code servers, a run worker).
    home = f"DAGSTER_HOME={deployment.home}".encode()
    wait_until(lambda: not processes_with(home), "end of every process of the service",
               RUN_TIMEOUT, lambda: str(processes_with(home)))

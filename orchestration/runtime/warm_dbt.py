"""dbt, made ready before it is needed: a single-use dbt process per load.

A `dbt build` pays ~4 s to import dbt and 1-7 s to parse the project (a full parse when no saved
parse fits: runtime/dbt_env.py) before its first model runs. A load knows at its start which
warehouse and scope dbt will build, so it starts one *warm* dbt process right away: it imports
dbt and parses the project with exactly the environment the build will have, on the machine's
other core, while the load ingests, then compiles the macros' templates the build would compile
on its path, until the build asks. When dagster-dbt then runs dbt, the command it starts is
`tuphap-dbt` (runtime/dbt_shim.py), a small shim that hands its argv, environment and standard
streams to the warm process, which runs the build with the manifest it already parsed and
reports dbt's exit code back.

dagster-dbt is unchanged: it starts a process, reads dbt's JSON log lines from its stdout,
signals it to cancel. Anything unexpected falls back to plain dbt: no warm process (a load
started without one, a second dbt call), one that died or is not answering (the shim runs the
real `dbt`), or a request whose parse-relevant environment or arguments differ from the warm
parse's (the warm process parses again). It runs one command and exits. It exits as soon as
the process that started it dies, whatever it is doing, so a killed load leaves no dbt behind;
orchestration/runtime/processes.py finds one that did all the same, by the build's folder in
its environment, as it would a plain dbt.

Where a preload server runs (runtime/preload.py: the service, the test suite), the warm
process is forked from it with dbt imported and what dbt does once per process done
(runtime/dbt_warm_up.py: ~3 s of CPU less a load); a preload server has parsed nothing
(forking a process that has parsed deadlocks dbt's native parser). A forked one shows the
server's environment, not the build's, so it leaves a note in the build's target folder for
processes.py while it builds (`FORKED_NOTE`).

Only the standard library is imported at module level.
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from orchestration import settings
from orchestration.runtime.dbt_env import build_environment, keep_parse, parse_cache_file, parse_key
from orchestration.runtime.dbt_shim import SHIM_NAME, SOCKET_ENV, WORKDIR_ENV
from orchestration.runtime.messages import receive, send
from orchestration.runtime.preload_client import (
    PRELOAD_ENV,
    READY,
    ForkedWorker,
    PreloadUnavailable,
    fork_helper,
    server_socket,
)
from orchestration.runtime.proc import start_time
from orchestration.runtime.workers import exit_when_orphaned

WARM_MODULE = "orchestration.runtime.warm_dbt"  # its `python -m` name: runtime/processes.py
# Where the load's warm process came from (WarmDbt.origin), for the run's log, when `tuphap
# load` started it before the run (beside SOCKET_ENV).
ORIGIN_ENV = "TUPHAP_DBT_WARM_ORIGIN"
# Variables that say where dbt runs, writes logs and artifacts, or how it selects: a parse does not
# depend on them. Every other DBT_* and TUPHAP_* variable must match for the warm parse to serve.
PARSE_NEUTRAL_ENV = frozenset({
    "DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_LOG_FORMAT", "DBT_LOG_FORMAT_FILE", "DBT_LOG_LEVEL",
    "DBT_LOG_LEVEL_FILE", "DBT_QUIET", "DBT_PRINTER_WIDTH", "DBT_USE_COLORS",
    "DBT_USE_COLORS_FILE", "DBT_INDIRECT_SELECTION", "DBT_SEND_ANONYMOUS_USAGE_STATS",
    SOCKET_ENV, ORIGIN_ENV, WORKDIR_ENV, PRELOAD_ENV,  # runtime/preload.py: where helpers come from
})
# Commands that run models against a parsed project, and options that change what is parsed.
WARM_COMMANDS = frozenset({"build", "run", "test", "seed", "compile"})
PARSE_OPTIONS = ("--vars", "--profile", "--target", "--project-dir", "--profiles-dir",
                 "--no-partial-parse", "--partial-parse")
IDLE_TIMEOUT_SECONDS = 6 * 3600.0  # an unclaimed warm process gives up after this
STOP_GRACE_SECONDS = 5.0
# A forked warm process's note in the build's target folder while it builds: its pid in the
# name, the boot and its start time inside (`note_content`; runtime/processes.py).
FORKED_NOTE = ".forked-dbt-"

def parse_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The part of an environment a dbt parse of this project can depend on."""
    return {
        key: value for key, value in env.items()
        if key.startswith(("DBT_", "TUPHAP_")) and key not in PARSE_NEUTRAL_ENV
    }


def can_use_warm_parse(argv: Sequence[str], request_env: Mapping[str, str],
                       parse_env: Mapping[str, str]) -> bool:
    """Whether a command may run on the manifest the warm process parsed under `parse_env`."""
    if not argv or argv[0] not in WARM_COMMANDS:
        return False
    if any(arg.split("=", 1)[0] in PARSE_OPTIONS for arg in argv[1:]):
        return False
    return parse_environment(request_env) == parse_environment(parse_env)


def exit_code(success: bool, exception: BaseException | None) -> int:
    """dbt's exit codes: 0 success, 1 a node failed, 2 dbt itself failed."""
    if success:
        return 0
    return 2 if exception is not None else 1


@dataclass
class WarmDbt:
    """A started warm dbt process: where to reach it, and how to stop it."""

    process: subprocess.Popen[bytes] | ForkedWorker
    socket_path: Path
    folder: Path
    origin: str  # where the process came from, as its log says

    @classmethod
    def start(cls, *, env: Mapping[str, str], project_dir: Path, profiles_dir: Path,
              log_path: Path | None = None) -> WarmDbt:
        """Start a warm dbt process that parses `project_dir` under `env` and then waits:
        forked by the preload server if one is set and forks it, else a new process.

        `env` must be the environment the build will run with (without dagster-dbt's
        output-only variables); its output goes to `log_path` (default: nowhere).
        """
        folder = Path(tempfile.mkdtemp(prefix="tuphap-dbt-"))  # short: socket paths are limited
        socket_path = folder / "dbt.sock"
        # Listening before the process starts: a client may connect at once (and waits for the
        # parse); the socket closes with the process, so a client never waits on a dead one.
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(socket_path))
        server.listen(1)
        env = {**env, "PYTHONUNBUFFERED": "1"}
        try:
            with open(log_path or os.devnull, "ab") as log:
                process, origin = _fork(server, log.fileno(), env, project_dir, profiles_dir)
                if process is None:
                    process = subprocess.Popen(
                        [sys.executable, "-m", WARM_MODULE, "--socket-fd",
                         str(server.fileno()), "--project-dir", str(project_dir),
                         "--profiles-dir", str(profiles_dir), "--parent", str(os.getpid())],
                        env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                        cwd=project_dir, pass_fds=(server.fileno(),),
                    )
                    origin = f"a new process (pid {process.pid}){origin}"
                log.write(f"warm dbt process: {origin}\n".encode())
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            server.close()
        return cls(process=process, socket_path=socket_path, folder=folder, origin=origin)

    def ended(self, timeout: float | None = 0) -> bool:
        """Whether the process has ended, waiting up to `timeout` seconds (None: for ever)."""
        if isinstance(self.process, ForkedWorker):
            self.process.join(timeout)
            return not self.process.is_alive()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> None:
        """Stop the process if it is still there (unused, or the load failed) and clean up."""
        if isinstance(self.process, ForkedWorker):
            self.process.stop(STOP_GRACE_SECONDS)
        elif self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _fork(server: socket.socket, log: int, env: Mapping[str, str], project_dir: Path,
          profiles_dir: Path) -> tuple[ForkedWorker | None, str]:
    """A warm process forked by the preload server, serving on `server`; else None and why
    not ("" when no server is set)."""
    path = server_socket()
    if path is None:
        return None, ""
    try:
        control, process = fork_helper(
            path, serve_forked, {"project_dir": str(project_dir),
                                 "profiles_dir": str(profiles_dir)},
            env=env, cwd=project_dir, stdout=log, stderr=log, fds=[server.fileno()])
    except PreloadUnavailable as error:
        return None, f"; the preload server did not fork it: {error}"
    control.close()  # the shim talks to it on `server`
    return process, f"forked by the preload server (pid {process.pid})"


def start_for_load(*, target: Mapping[str, str], scope: str, logs_dir: Path,
                   project_dir: Path = settings.DBT_PROJECT_DIR,
                   profiles_dir: Path = settings.DBT_PROJECT_DIR) -> WarmDbt:
    """Start the warm dbt process of a load in `scope` into the warehouse build whose profile
    values are `target` (`WarehouseEngine.dbt_environment`); its log goes to `logs_dir`."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    env = build_environment(target=target, scope=scope, project_dir=project_dir,
                            profiles_dir=profiles_dir)
    return WarmDbt.start(env=env, project_dir=project_dir, profiles_dir=profiles_dir,
                         log_path=logs_dir / "dbt-warm.log")


def shim_path() -> Path:
    """The `tuphap-dbt` command of this environment (installed by pyproject's scripts)."""
    return Path(sys.executable).parent / SHIM_NAME


def _request_waiting(server: socket.socket) -> bool:
    return bool(select.select([server], [], [], 0)[0])


def _wait_for_request(server: socket.socket) -> socket.socket | None:
    ready, _, _ = select.select([server], [], [], IDLE_TIMEOUT_SECONDS)
    if not ready:
        return None
    conn, _ = server.accept()
    return conn


def _take_streams(fds: Sequence[int]) -> None:
    """Make the client's stdin, stdout and stderr this process's own."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    for target, fd in enumerate(fds[:3]):
        os.dup2(fd, target)
        os.close(fd)


def serve(server: socket.socket, workdir: Path, project_dir: Path, profiles_dir: Path, *,
          forked: bool = False) -> int:
    """Import dbt, parse the project, then run the one command a client hands over; a
    `forked` process leaves its note in the build's target folder while it builds."""
    from dbt.cli.main import dbtRunner

    from orchestration.runtime.dbt_events import drop_unwanted_events_early
    from orchestration.runtime.dbt_warm_up import compile_macro_templates

    drop_unwanted_events_early()  # ~1,5 s of a full build's CPU (runtime/dbt_events.py)
    parse_env = dict(os.environ)
    parse_target = workdir / "target"
    parse_target.mkdir(exist_ok=True)
    cache = parse_cache_file(project_dir, parse_key(parse_env))
    if cache.exists():  # this warehouse's last parse: dbt re-parses only what changed
        shutil.copyfile(cache, parse_target / "partial_parse.msgpack")
    # --no-write-json: the manifest stays in memory (writing manifest.json costs ~1 s); dbt
    # still saves its partial parse for the next load.
    parsed = dbtRunner().invoke(["parse", "--project-dir", str(project_dir),
                                 "--profiles-dir", str(profiles_dir),
                                 "--target-path", str(parse_target), "--no-write-json"])
    manifest = parsed.result if parsed.success else None
    if manifest is not None:
        keep_parse(parse_target / "partial_parse.msgpack", cache, prune=True)
    print(f"warm parse {'done' if manifest is not None else 'failed'}; waiting", flush=True)
    if manifest is not None:  # while the load ingests: what the build would do on its path
        compiled, ready = compile_macro_templates(manifest.macros.values(),
                                                  asked=lambda: _request_waiting(server))
        print(f"macro templates compiled while waiting: {compiled} ({ready} ready)", flush=True)

    conn = _wait_for_request(server)
    server.close()
    if conn is None:
        return 0
    with conn:
        request, fds = receive(conn, max_fds=3)
        argv, env = list(request["argv"]), dict(request["env"])
        warm = manifest is not None and can_use_warm_parse(argv, env, parse_env)
        print(f"running `dbt {' '.join(argv)}` "
              f"{'on the warm parse' if warm else 'with a new parse'}", flush=True)
        if warm and env.get("DBT_TARGET_PATH"):
            # The build does not parse: its target must hold this parse, not the copy of
            # another warehouse's that dagster-dbt seeds it with (the load keeps it).
            target = Path(request["cwd"], env["DBT_TARGET_PATH"])
            target.mkdir(parents=True, exist_ok=True)
            keep_parse(parse_target / "partial_parse.msgpack", target / "partial_parse.msgpack")
        target_path = env.get("DBT_TARGET_PATH")
        note = _leave_note(Path(request["cwd"], target_path)) if forked and target_path else None
        send(conn, {"pid": os.getpid(), "warm": warm})
        _take_streams(fds)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(env)
        try:
            result = dbtRunner(manifest=manifest if warm else None).invoke(argv)
        finally:
            if note is not None:
                note.unlink(missing_ok=True)
        code = exit_code(result.success, result.exception)
        sys.stdout.flush()
        sys.stderr.flush()
        send(conn, {"exit_code": code})
    return code


def _leave_note(target: Path) -> Path | None:
    """This process's note in the build's target folder (`FORKED_NOTE`): its start time and
    the boot it started in (`note_content`)."""
    started = start_time(os.getpid())
    if started is None:
        return None
    target.mkdir(parents=True, exist_ok=True)
    note = target / f"{FORKED_NOTE}{os.getpid()}"
    note.write_text(note_content(started))
    print(f"building; noted for the next load in {note}", flush=True)
    return note


def note_content(started: int) -> str:
    """A note's text: the process's start time, which a pid reused later does not share, and
    the machine's boot, after which pids and start times begin again."""
    return f"{boot_id()} {started}"


def boot_id() -> str:
    """This boot of the machine (Linux), "" where unknown."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def serve_forked(conn: Connection, fds: Sequence[int], *, project_dir: str,
                 profiles_dir: str) -> int:
    """The warm process's entry in the preload server (runtime/preload.py): `fds[0]` is the
    listening socket the load made; READY at once (dbt is imported), then `serve`."""
    from orchestration.runtime.preload import when_load_ends

    server = socket.socket(fileno=fds[0])
    workdir = Path(server.getsockname()).parent
    when_load_ends(lambda: shutil.rmtree(workdir, ignore_errors=True))
    conn.send(READY)
    conn.close()
    try:
        return serve(server, workdir, Path(project_dir), Path(profiles_dir), forked=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A warm dbt process (see the module docstring)")
    parser.add_argument("--socket-fd", required=True, type=int,
                        help="a listening Unix socket, inherited from the owner")
    parser.add_argument("--project-dir", required=True, type=Path)
    parser.add_argument("--profiles-dir", required=True, type=Path)
    parser.add_argument("--parent", required=True, type=int)
    args = parser.parse_args(argv)
    server = socket.socket(fileno=args.socket_fd)
    workdir = Path(server.getsockname()).parent
    exit_when_orphaned(args.parent, cleanup=lambda: shutil.rmtree(workdir, ignore_errors=True))
    try:
        return serve(server, workdir, args.project_dir, args.profiles_dir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

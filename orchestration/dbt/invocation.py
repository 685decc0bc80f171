"""One load's `dbt build`: its arguments, its events, and the models it left as they were.

The `warehouse_models` asset wires the run's resources to these functions. A partial build
(orchestration/dbt/selection.py) rebuilds only some models; the others stand as they were and
are part of the warehouse this run publishes, so each is reported too (`report_unchanged`),
else Dagster would skip the quality and publish steps that depend on them. Each node dbt starts
and finishes is reported as the load's progress (`report_nodes`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import dagster as dg

from orchestration.dbt.selection import BuildPlan, ancestors_in_order, in_dependency_order
from orchestration.progress import report as report_progress
from orchestration.runtime.dbt_env import keep_parse, parse_cache_file, parse_key
from orchestration.runtime.vendor import tap_raw_events

K = TypeVar("K", bound=Hashable)
# dbt's events for a node that starts, and for one that finished (dagster-dbt's result events)
NODE_STARTED = "LogStartLine"
NODE_FINISHED = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult",
                           "LogTestResult"})
NodeProgress = Callable[[int, int, str], None]  # index, total, node name


def dbt_build_args(*, full_refresh: bool = False, unit_tests: bool = False,
                   selection: Sequence[str] = ()) -> list[str]:
    """The dbt command of a load. Pure, so the arguments are unit-tested.

    dbt unit tests check model logic on fixed inputs: CI runs them, a production load need not.
    Nothing run-specific goes into `--vars`: changed vars force dbt to re-parse the project.
    No dbt file log (dbt-target/dbt.log): dbt's lines reach the load's log (logs/loads.log)
    through dagster-dbt, and formatting each event a second time for the file cost ~7% of
    the build's CPU (~0,7 s for the demo inbox; at debug level, ~1,5 s more).
    """
    args = ["build", "--log-level-file", "none"]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    return [*args, *selection]


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of one dbt invocation (a subprocess)."""
    previous = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def dbt_test_outcomes(run_results: Mapping[str, Any]) -> dict[str, int]:
    """How many dbt tests ended in each status (pass, warn, ...), from run_results.json."""
    outcomes: dict[str, int] = {}
    for result in run_results.get("results", []):
        if str(result.get("unique_id", "")).startswith("test."):
            outcomes[result["status"]] = outcomes.get(result["status"], 0) + 1
    return outcomes


def node_progress(raw_event: Mapping[str, Any]) -> tuple[int, int, str] | None:
    """(index, total, node name) of a dbt event that starts or finishes a node ("3 of 104"
    in dbt's log), counting finished nodes; None for any other event. Pure."""
    name = raw_event.get("info", {}).get("name")
    if name != NODE_STARTED and name not in NODE_FINISHED:
        return None
    data = raw_event.get("data", {})
    index, total = data.get("index"), data.get("total") or data.get("num_models")
    if not isinstance(index, int) or not isinstance(total, int):
        return None
    node = data.get("node_info", {}).get("node_name", "")
    return (index - 1 if name == NODE_STARTED else index), total, node


def report_nodes(invocation: Any, on_node: NodeProgress) -> None:
    """Call `on_node` for each node dbt starts or finishes in the invocation, as dagster-dbt
    reads its events."""

    def on_event(raw_event: Mapping[str, Any]) -> None:
        node = node_progress(raw_event)
        if node is not None:
            on_node(*node)

    tap_raw_events(invocation, on_event)


def report_node(index: int, total: int, node: str) -> None:
    report_progress("dbt", index, total, node)


def stream_build(invocation: Any, log: Callable[[str], None]) -> Iterator[Any]:
    """The events of a started `dbt build` (dagster-dbt's DbtCliInvocation), then a log line
    counting its tests by outcome.

    A test result arrives as an observation of each model it reads: ~70 events a load in the
    event log, dropped here. A failing test fails the build; the counts are logged."""
    for event in invocation.stream():
        if not isinstance(event, dg.AssetObservation):
            yield event
    tests = dbt_test_outcomes(invocation.get_artifact("run_results.json"))
    log("dbt tests: " + (", ".join(f"{n} {s}" for s, n in sorted(tests.items())) or "none run"))


def run_build(dbt: Any, context: dg.AssetExecutionContext, *, plan: BuildPlan,
              env: Mapping[str, str], folder: Path, project: Any) -> Iterator[Any]:
    """Run this load's `dbt build` with the resource `dbt` (nothing for a "none" plan) in the
    build's environment `env`, and yield its events. dbt's run artifacts go to `folder` (the
    build's), and its parse is kept for the next load."""
    if plan.kind == "none":
        return
    target = folder / "dbt-target"
    with environment({**env, **dbt.warm_socket_environment()}):
        invocation = dbt.cli(dbt_build_args(selection=plan.dbt_args), context=context,
                             target_path=target)
        report_nodes(invocation, report_node)
        yield from stream_build(invocation, context.log.info)
    keep_partial_parse(target, project.project_dir, project.project_dir / project.target_path,
                       env)


def report_unchanged(events: Iterable[Any], *, selected: AbstractSet[K],
                     dependencies: Mapping[K, AbstractSet[K]],
                     key_for_output: Callable[[str], K],
                     left_as_is: Callable[[K], Any]) -> Iterator[Any]:
    """`events`, with `left_as_is(key)` for every selected model dbt did not rebuild.

    Dagster wants a multi-asset's outputs in dependency order: each model left as it was is
    reported before the first rebuilt model that reads it (dbt itself builds in dependency
    order), and the rest at the end.
    """
    unchanged = set(selected)
    reported: set[K] = set()
    for event in events:
        if isinstance(event, dg.Output):
            key = key_for_output(event.output_name)
            unchanged.discard(key)
            for ancestor in ancestors_in_order(key, dependencies, unchanged - reported):
                reported.add(ancestor)
                yield left_as_is(ancestor)
        yield event
    for key in in_dependency_order(unchanged - reported, dependencies):
        yield left_as_is(key)


def keep_partial_parse(target: Path, project_dir: Path, project_target: Path,
                       env: Mapping[str, str]) -> None:
    """Keep the parse a plain dbt run made (no warm process) for this warehouse's next load
    (env.parse_cache_file); dagster-dbt also seeds the next plain run with it
    (`project_target`, the project's target folder)."""
    produced = target / "partial_parse.msgpack"
    keep_parse(produced, parse_cache_file(project_dir, parse_key(env)), prune=True)
    keep_parse(produced, project_target / "partial_parse.msgpack")

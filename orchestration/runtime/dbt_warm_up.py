"""The preload server's warm-up for warm dbt processes (runtime/preload.py, runtime/warm_dbt.py):
the work every dbt process does once, done once in the server so that each process it forks
starts with it done.

What a forked process would otherwise pay at its start, measured (CPU, per process):
- importing dbt, the two adapters, the parser and the build task: ~2 s;
- the JSON schemas dbt checks a project, a profile and a test result against (made once per
  class in a process): ~0,3 s;
- the deserializers and serializers of the manifest's classes: dbt's dataclasses generate them
  on first use (mashumaro's lazy compilation), and reading a saved parse uses nearly all of
  them: ~0,5 s;
- the Jinja templates of the macros a build calls, compiled on each one's first call: ~0,45 s
  for a build of the sample (140 macros; all ~570 of the project take ~1,8 s, once, here);
- inspect's map of loaded files to modules, which dbt's adapters build on their first look at
  the stack (their behaviour flags): it touches every module, and so imports any module
  imported lazily, such as the `scipy.stats` the Great Expectations warm-up defers
  (expectations/suites.py): ~1 s and 55 MiB in each forked dbt process, once in the server
  instead. Run this warm-up after the others (deploy/serve.py: `preload_warm_ups`).

It never parses (forking a process that has parsed deadlocks dbt's native parser) and starts no
thread: it reads the project's saved parse as data, to make the generated code and compile its
macros, and drops it.
Only the standard library is imported at module level.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from orchestration import settings
from orchestration.runtime.dbt_env import kept_parses, parse_cache_dir

# dbt checks these dataclasses of a project, profile and test result against a JSON schema it
# makes the first time in a process (cached per class); a parse and a build on a saved parse
# check exactly these (both engines' credentials listed).
CHECKED_ON_A_SAVED_PARSE = (
    "dbt.contracts.project:Project", "dbt.contracts.project:ProjectFlags",
    "dbt.contracts.project:ProfileConfig", "dbt.contracts.project:PackageConfig",
    "dbt.contracts.project:Configuration", "dbt.contracts.selection:SelectorFile",
    "dbt.adapters.duckdb.credentials:DuckDBCredentials",
    "dbt.adapters.postgres.connections:PostgresCredentials",
    "dbt.task.test:TestResultData",
    "dbt_common.contracts.constraints:ColumnLevelConstraint",
    "dbt_common.contracts.constraints:ModelLevelConstraint",
)


def warm_up() -> None:
    """Import dbt, make the JSON schemas (`CHECKED_ON_A_SAVED_PARSE`) and the manifest's
    generated code (`read_a_saved_parse`), and build inspect's module map.

    The one process it starts is multiprocessing's resource tracker, which dbt's parse would
    otherwise start in each forked process with the build's environment (runtime/processes.py
    would take it for a killed load's); the forked processes share the server's."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    import dbt.adapters.duckdb
    import dbt.adapters.postgres
    import dbt.cli.main
    import dbt.parser.manifest
    import dbt.task.build  # noqa: F401

    for name in CHECKED_ON_A_SAVED_PARSE:
        module, _, cls = name.partition(":")
        getattr(importlib.import_module(module), cls).json_schema()
    read = read_a_saved_parse(settings.DBT_PROJECT_DIR)
    print(f"dbt warm-up: {read}", flush=True)  # the server's log
    inspect.stack()  # its first call maps every loaded module's file: after all imports


def saved_parse(project_dir: Path) -> Path | None:
    """A parse of the project dbt saved: the one `tuphap prepare` leaves, else the newest a
    load kept (runtime/dbt_env.py); None when there is none yet."""
    prepared = project_dir / "target" / "partial_parse.msgpack"
    if prepared.exists():
        return prepared
    return next(iter(kept_parses(parse_cache_dir(project_dir))), None)


def read_a_saved_parse(project_dir: Path) -> str:
    """Read a saved parse of the project (`saved_parse`) as a parse and a build on it do
    (deserialize it as dbt does, compile its macros' templates, flatten the graph, serialize
    each node as manifest.json has it), so that the code dbt generates for that is made, and
    drop it. What it read, or why not: none yet, or one it cannot read (another dbt version, a
    file being written), only leaves that work to each forked process."""
    try:
        path = saved_parse(project_dir)
        if path is None:
            return "no saved parse of the project yet: each dbt process generates its own code"
        compiled = _read_and_serialize(path)
    except Exception as error:  # noqa: BLE001 - a speed-up only: the forked processes still work
        return f"the saved parse was not read ({type(error).__name__}: {error})"[:300]
    # The manifest and its lock (a named semaphore) are gone: freed on return, or by the
    # server's collection before it forks (runtime/preload.py).
    return f"read the saved parse {path} ({compiled} macro templates compiled)"


def compile_macro_templates(macros: Iterable[Any], *,
                            asked: Callable[[], bool] = lambda: False) -> tuple[int, int]:
    """Compile each macro's Jinja template into dbt's template cache (dbt_common's
    `template_cache`, keyed by the macro's text), as a build does on a macro's first call
    (~3 ms each; a build of the sample calls 140 of the project's ~570), until `asked` says
    stop. The likeliest first, for a build that asks early: the project's own macros (a build
    of the sample calls 45 of 60), then the adapters' (27 of 88), then dbt's (68 of 423), each
    with its materializations first. Returns how many were compiled now and how many were
    there already. A macro that does not compile is left to dbt, which says why when a build
    calls it."""
    from dbt_common.clients.jinja import template_cache

    compiled = ready = 0
    for macro in sorted(macros, key=_likeliest_first):
        if macro.macro_sql in template_cache.file_cache:
            ready += 1
            continue
        if asked():
            break
        try:
            template_cache.get_node_template(macro)
        except Exception:  # noqa: BLE001, S112 - dbt reports it at the macro's call
            continue
        compiled += 1
    return compiled, ready


def _likeliest_first(macro: Any) -> tuple[bool, bool, bool]:
    package = macro.package_name
    return (package == "dbt", package.startswith("dbt_"),
            not macro.name.startswith("materialization_"))


def _read_and_serialize(path: Path) -> int:
    from dbt.contracts.graph.manifest import Manifest
    from dbt.parser.manifest import extended_mashumuro_decoder

    manifest = Manifest.from_msgpack(path.read_bytes(), decoder=extended_mashumuro_decoder)
    compiled, _ = compile_macro_templates(manifest.macros.values())
    manifest.build_flat_graph()
    # Each node as the build writes it to manifest.json (Manifest.writable_manifest, which
    # needs dbt's flags set: they are not, in the server).
    for nodes in (manifest.nodes, manifest.sources, manifest.macros, manifest.docs,
                  manifest.exposures, manifest.functions, manifest.metrics, manifest.groups,
                  manifest.semantic_models, manifest.unit_tests, manifest.saved_queries):
        for node in nodes.values():
            node.to_resource().to_dict(omit_none=False, context={"artifact": True})
    return compiled

"""The preload server's dbt warm-up: what a parse and a build on a saved parse do once per
process is done before the fork. Real dbt on a real DuckDB build, in a new process as the
server is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

from orchestration import settings
from orchestration.runtime.dbt_warm_up import (
    compile_macro_templates,
    read_a_saved_parse,
    saved_parse,
)
from tests.orchestration.runtime.conftest import load_env, provinces_built

# After the warm-up (which reads the project's own saved parse), a parse and a build of a new
# warehouse on its saved parse make no JSON schema of their own (the count of dbt's schema
# cache misses does not move), generate no code for the manifest's nodes and files (mashumaro's
# builder, counted by class), compile no macro template (dbt's template cache does not grow),
# and inspect knows dbt's modules by file.
PROBE = """
import inspect, json, os
from dbt_common.dataclass_schema import dbtClassMixin
from orchestration.runtime.dbt_warm_up import warm_up
warm_up()
import dbt.adapters.duckdb.impl
from mashumaro.core.meta.code.builder import CodeBuilder
generated = []
for name in ("add_unpack_method", "add_pack_method"):
    def counted(self, _made=getattr(CodeBuilder, name)):
        generated.append(f"{self.cls.__module__}.{self.cls.__qualname__}")
        return _made(self)
    setattr(CodeBuilder, name, counted)
from dbt.cli.main import dbtRunner
from dbt.contracts.graph.manifest import Manifest
from dbt.parser.manifest import extended_mashumuro_decoder
from dbt_common.clients.jinja import template_cache
from orchestration import settings
from orchestration.runtime.dbt_warm_up import saved_parse
mapped = inspect.getabsfile(dbt.adapters.duckdb.impl) in inspect.modulesbyfile
made = dbtClassMixin.json_schema.cache_info().misses
templates = set(template_cache.file_cache)
read = Manifest.from_msgpack(saved_parse(settings.DBT_PROJECT_DIR).read_bytes(),
                             decoder=extended_mashumuro_decoder)  # what the warm-up read
in_read = {macro.macro_sql for macro in read.macros.values()}
os.chdir(os.environ["TUPHAP_DBT_WORKDIR"])  # where the shim runs dbt
assert dbtRunner().invoke(["parse"]).success
assert dbtRunner().invoke(["build", "--select", "ref_provinces"]).success
print(json.dumps({"schemas": dbtClassMixin.json_schema.cache_info().misses - made,
                  "generated": sorted(set(generated)), "mapped": mapped,
                  "templates": len(templates), "in_read": len(in_read),
                  "compiled": len(set(template_cache.file_cache) - templates),
                  "compiled_of_read": len(set(template_cache.file_cache) - templates & in_read)}))
"""
MANIFEST_MODULES = ("dbt.contracts.graph.", "dbt.artifacts.resources.", "dbt.contracts.files")


def test_a_build_on_a_saved_parse_finds_dbts_once_per_process_work_done(tmp_path: Path) -> None:
    published = tmp_path / "w" / "warehouse.duckdb"
    env = load_env(published, tmp_path / "target")
    workdir = Path(env["TUPHAP_DBT_WORKDIR"])
    # A saved parse first, by plain dbt, as an earlier load leaves one.
    subprocess.run([str(settings.PROJECT_ROOT / ".venv" / "bin" / "dbt"), "parse"], env=env,
                   cwd=workdir, check=True, capture_output=True, timeout=600)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=settings.PROJECT_ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert "dbt warm-up: read the saved parse " in done.stdout, done.stdout[-3000:]
    assert found["schemas"] == 0
    assert [name for name in found["generated"] if name.startswith(MANIFEST_MODULES)] == []
    assert found["mapped"]
    # Every macro of the saved parse the warm-up read compiled before the fork: the build
    # compiled none of those. (That parse may be of either engine: the project's saved parse
    # is the last `dbt parse` there, and the PostgreSQL one lacks DuckDB's few own macros,
    # which the build then compiles itself.)
    assert found["templates"] == found["in_read"] > 500, found
    assert found["compiled_of_read"] == 0 and found["compiled"] < 20, found
    assert f"({found['templates']} macro templates compiled)" in done.stdout
    assert provinces_built(published) > 60  # the build ran


def test_the_saved_parse_read_is_tuphap_prepares_else_the_newest_kept(tmp_path: Path) -> None:
    assert saved_parse(tmp_path) is None
    kept = tmp_path / "target" / "partial_parse"
    kept.mkdir(parents=True)
    for name, mtime in (("old.msgpack", 1_000), ("new.msgpack", 2_000)):
        (kept / name).write_bytes(b"")
        os.utime(kept / name, (mtime, mtime))
    assert saved_parse(tmp_path) == kept / "new.msgpack"
    (tmp_path / "target" / "partial_parse.msgpack").write_bytes(b"")
    assert saved_parse(tmp_path) == tmp_path / "target" / "partial_parse.msgpack"


def test_a_saved_parse_dbt_cannot_read_leaves_the_work_to_each_process(tmp_path: Path) -> None:
    assert read_a_saved_parse(tmp_path).startswith("no saved parse of the project yet")
    unreadable = tmp_path / "target" / "partial_parse.msgpack"
    unreadable.parent.mkdir()
    unreadable.write_bytes(b"\xc1 not msgpack")  # e.g. cut short, or another format
    said = read_a_saved_parse(tmp_path)
    assert said.startswith("the saved parse was not read (FormatError"), said


# The server's warm-ups, in the service's order: afterwards no module is left to be imported on
# first use (importlib's lazy modules), which a forked dbt process's first look at the stack
# (dbt's behaviour flags) would import, ~1 s and 55 MiB in each.
WARMED_SERVER = """
import sys, importlib.util
from deploy.serve import preload_warm_ups
from orchestration.runtime.preload_client import resolve
for name in preload_warm_ups():
    resolve(name)()
print("lazy:", sorted(name for name, module in list(sys.modules.items())
                       if isinstance(module, importlib.util._LazyModule)))
"""


def test_the_warmed_server_leaves_no_module_to_import_on_first_use() -> None:
    done = subprocess.run([sys.executable, "-c", WARMED_SERVER], cwd=settings.PROJECT_ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines()[-1] == "lazy: []", done.stdout[-3000:]


def _macro(name: str, body: str = "1", package: str = "tuphap") -> SimpleNamespace:
    """A macro as the manifest has it, named anew each run: dbt's template cache is
    process-wide."""
    name = f"{name}_{uuid.uuid4().hex}"
    return SimpleNamespace(name=name, package_name=package, unique_id=f"macro.{package}.{name}",
                           macro_sql=f"{{% macro {name}() %}}{body}{{% endmacro %}}")


def test_macro_templates_compile_until_asked_to_stop_and_a_bad_one_is_left_to_dbt() -> None:
    from dbt_common.clients.jinja import template_cache

    first, bad, second, third = (_macro("tuphap_a"), _macro("tuphap_b", "{% if %}"),
                                 _macro("tuphap_c"), _macro("tuphap_d"))
    looks = []

    def asked() -> bool:  # the build asks once two macros were looked at
        looks.append(1)
        return len(looks) > 2

    assert compile_macro_templates([first, bad, second, third], asked=asked) == (1, 0)
    assert first.macro_sql in template_cache.file_cache
    assert bad.macro_sql not in template_cache.file_cache  # dbt says why when it is called
    assert second.macro_sql not in template_cache.file_cache  # asked before it: left
    assert compile_macro_templates([first, second, third]) == (2, 1)
    assert third.macro_sql in template_cache.file_cache


def test_the_projects_macros_compile_first_then_the_adapters_then_dbts() -> None:
    from dbt_common.clients.jinja import template_cache

    core, adapter, materialization, own = (
        _macro("tuphap_order_core", package="dbt"),
        _macro("tuphap_order_adapter", package="dbt_duckdb"),
        _macro("materialization_tuphap_order", package="dbt"), _macro("tuphap_order_own"))
    order = [core, adapter, materialization, own]
    asked_after = iter([False, False, True])
    assert compile_macro_templates(order, asked=lambda: next(asked_after)) == (2, 0)
    assert [m.macro_sql in template_cache.file_cache for m in order] == [False, True, False, True]
    assert compile_macro_templates(order) == (2, 2)

"""The code location (orchestration/definitions.py): importing it does nothing; Dagster's
loader still finds `defs`, built on first access."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import dagster as dg
from dagster._core.workspace.autodiscovery import loadable_targets_from_loaded_module

from orchestration import settings

# Runs in a fresh interpreter, in a copy of the checkout: records every process started, file
# opened for writing, folder made, file renamed or removed and environment change from the
# moment the audit hook is installed, then imports the code location.
PROBE = r"""
import json, os, sys
events = []
WATCHED = {"subprocess.Popen", "os.posix_spawn", "os.fork", "os.forkpty", "os.exec",
           "os.spawn", "os.system", "os.putenv", "os.unsetenv", "os.mkdir", "os.rename",
           "os.replace", "os.remove", "os.rmdir", "os.truncate", "shutil.copyfile",
           "shutil.rmtree", "os.symlink", "os.link"}

def hook(event, args):
    if event in WATCHED:
        events.append([event, repr(args)[:300]])
    elif event == "open":
        path, mode, flags = args
        writing = (any(c in mode for c in "wax+") if isinstance(mode, str)
                   else bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC)))
        if writing:
            events.append([event, repr(args)[:300]])

environment = dict(os.environ)
sys.addaudithook(hook)
import orchestration.definitions
changed = sorted(k for k in set(environment) | set(os.environ)
                 if environment.get(k) != os.environ.get(k))
print(json.dumps({"events": events, "changed": changed,
                  "module": orchestration.definitions.__file__}))
"""


def _listing(root: Path) -> dict[str, float]:
    return {str(path.relative_to(root)): path.stat().st_mtime for path in root.rglob("*")}


def test_importing_the_code_location_starts_nothing_and_writes_nothing(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "target", "logs", "dbt_packages")
    for package in ("orchestration", "ingest", "expectations", "dbt_project"):
        shutil.copytree(settings.PROJECT_ROOT / package, checkout / package, ignore=ignore)
    shutil.copy(settings.PROJECT_ROOT / "pyproject.toml", checkout)
    assert not (checkout / "dbt_project" / "target").exists()  # as in a fresh clone
    before = _listing(checkout)
    # Python's own bytecode cache is not the code's doing: off, so the listing stays exact.
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DAGSTER_IS_DEV_CLI", None)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=120, check=True)

    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(seen["module"]).is_relative_to(checkout)  # the copy, not the installed tree
    assert seen["events"] == []
    assert seen["changed"] == []
    assert _listing(checkout) == before


def test_dagster_finds_the_definitions_a_module_builds_on_first_access() -> None:
    """Dagster's loader lists a module's members with dir() and getattr (the lazy `defs` of
    definitions.py relies on it): a module built the same way is found, and built once."""
    built: list[dg.Definitions] = []

    def getattr_(name: str) -> dg.Definitions:
        if name != "defs":
            raise AttributeError(name)
        if not built:
            built.append(dg.Definitions(assets=[]))
        return built[0]

    module = types.ModuleType("lazily_defined")
    module.__getattr__ = getattr_  # type: ignore[method-assign]
    module.__dir__ = lambda: ["defs"]  # type: ignore[method-assign]
    assert not built
    [target] = loadable_targets_from_loaded_module(module)
    assert target.attribute == "defs" and target.target_definition is built[0]


def test_the_ui_shows_a_targets_decision_as_an_input_of_the_achievement() -> None:
    """raw/target_decisions and raw/target_values are produced by the ingest asset and feed,
    through dbt's staging and intermediate models, fct_target_achievement and TGT-01."""
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    decisions = dg.AssetKey(["raw", "target_decisions"])
    assert "Targets decisions" in (graph.get(decisions).description or "")
    ancestors = graph.get_ancestor_asset_keys(dg.AssetKey(["fct_target_achievement"]))
    assert {decisions, dg.AssetKey(["raw", "target_values"]),
            dg.AssetKey(["int_target_decisions_ranked"]), dg.AssetKey(["int_unit_targets"]),
            dg.AssetKey(["raw", "submission_values"])} <= ancestors
    assert decisions in graph.get_ancestor_asset_keys(dg.AssetKey(["dq_tgt01_missing_targets"]))
    assert "TGT_01" in {check.name for check in graph.asset_check_keys}

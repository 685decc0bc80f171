"""The Dagster process loads the code location without importing dbt-core (dagster_dbt_lean)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration import settings
from orchestration.dagster_dbt_lean import hidden


def test_a_hidden_package_cannot_be_imported_until_the_block_ends() -> None:
    sys.modules.pop("colorsys", None)
    with hidden("colorsys"), pytest.raises(ModuleNotFoundError, match="colorsys"):
        import colorsys  # noqa: F401
    import colorsys  # noqa: F401, F811 - importable again after the block

    with hidden("json"):  # already imported: nothing to save, nothing hidden
        import json  # noqa: F401


def test_loading_the_code_location_does_not_import_dbt_core() -> None:
    # A fresh interpreter: in this one, other tests may have imported dbt already.
    probe = ("import sys, orchestration.definitions as d; "
             "assert d.defs.resolve_asset_graph().get_all_asset_keys(); "
             "print(sorted(m for m in sys.modules if m == 'dbt' or m.startswith('dbt.')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=120)
    assert result.stdout.strip() == "[]"


def test_a_stale_manifest_is_parsed_again_without_dbt_core_here(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(settings.DBT_PROJECT_DIR, project,
                    ignore=shutil.ignore_patterns("target", "logs"))
    probe = ("import sys; from pathlib import Path; "
             "from orchestration.dbt import preparer; "
             "from orchestration.dagster_dbt_lean import DbtProject; "
             f"project = DbtProject({str(project)!r}, profiles_dir={str(project)!r}); "
             "preparer.prepare(project); "
             "assert project.manifest_path.exists(); "
             "print(sorted(m for m in sys.modules if m == 'dbt' or m.startswith('dbt.')))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=300, cwd=tmp_path)
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert "error was encountered" not in result.stderr  # dagster-dbt's adapter warning

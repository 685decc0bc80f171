"""Where the dbt project keeps things (no database, no dbt run): the layout a change relies on.

- staging has one folder per source (staging/raw/stg_raw__*, staging/reference/stg_reference__*);
- every intermediate and mart model has its yml beside it (fct_enforcement.sql ->
  fct_enforcement.yml), and no yml of the project is over 400 lines;
- a yml says `data_tests:` (dbt's legacy `tests:` key is deprecated);
- macros take relations: a `ref()` or `source()` stays in the model, where dbt's lineage and a
  reader see it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.dbt.conftest import DBT_PROJECT_DIR

MODELS = DBT_PROJECT_DIR / "models"
MAX_YML_LINES = 400
JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
SQL_COMMENT = re.compile(r"--[^\n]*")
REF_OR_SOURCE = re.compile(r"\b(ref|source)\s*\(")


def _project_ymls() -> list[Path]:
    skip = {"target", "dbt_packages", "logs"}
    return sorted(p for p in DBT_PROJECT_DIR.rglob("*.yml")
                  if not skip & set(p.relative_to(DBT_PROJECT_DIR).parts))


def _property_ymls() -> list[Path]:
    """The ymls of models, sources, seeds and tests (not the project's or profiles' config)."""
    return [p for p in _project_ymls() if p.name not in ("dbt_project.yml", "profiles.yml")]


def _keys(node: Any, path: str = "") -> Iterator[str]:
    """Every mapping key of a parsed yml, as a dotted path."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}.{key}"
            yield from _keys(value, f"{path}.{key}")
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item, path)


@pytest.mark.parametrize("yml", _project_ymls(), ids=lambda p: str(p.relative_to(DBT_PROJECT_DIR)))
def test_no_yml_is_over_400_lines(yml: Path) -> None:
    assert len(yml.read_text(encoding="utf-8").splitlines()) <= MAX_YML_LINES


def test_ymls_use_data_tests_not_the_legacy_tests_key() -> None:
    legacy = [f"{yml.name}: {key}" for yml in _property_ymls()
              for key in _keys(yaml.safe_load(yml.read_text(encoding="utf-8")))
              if key.endswith(".tests")]
    assert legacy == []


def test_staging_has_one_folder_per_source() -> None:
    for model in (MODELS / "staging").rglob("*.sql"):
        source = model.parent.name
        assert model.name.startswith(f"stg_{source}__"), model
    assert (MODELS / "staging" / "raw" / "_raw__sources.yml").is_file()


@pytest.mark.parametrize("layer", ["intermediate", "marts"])
def test_every_model_has_its_yml_beside_it(layer: str) -> None:
    for model in (MODELS / layer).rglob("*.sql"):
        yml = model.with_suffix(".yml")
        assert yml.is_file(), f"{model.name} has no {yml.name}"
        names = [m["name"] for m in yaml.safe_load(yml.read_text(encoding="utf-8"))["models"]]
        assert names == [model.stem]


def test_unit_tests_sit_with_their_model() -> None:
    for yml in _property_ymls():
        document = yaml.safe_load(yml.read_text(encoding="utf-8")) or {}
        models = {m["name"] for m in document.get("models", [])}
        for unit_test in document.get("unit_tests", []):
            assert unit_test["model"] in models, (yml.name, unit_test["name"])


@pytest.mark.parametrize("macro", sorted((DBT_PROJECT_DIR / "macros").glob("*.sql")),
                         ids=lambda p: p.name)
def test_macros_hide_no_ref_or_source(macro: Path) -> None:
    code = SQL_COMMENT.sub("", JINJA_COMMENT.sub("", macro.read_text(encoding="utf-8")))
    assert REF_OR_SOURCE.findall(code) == []

"""dbt's `var()` and `env_var()` for sqlfluff's jinja templater (library_path in .sqlfluff).

sqlfluff's dbt builtins render every `var()` as the placeholder string "item", so a loop over
an indicator list (`for indicator in var('dissemination_indicators')`) would lint four columns
named i, t, e, m. Reading the real values from dbt_project.yml keeps one home for the vars and
lets the linter see the SQL dbt compiles, without a database or a dbt parse.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

PROJECT_FILE = Path(__file__).resolve().parents[1] / "dbt_project.yml"


def env_var(name: str, default: str | None = None) -> str:
    """dbt's env_var(): the environment's value, else the default (dbt fails when neither)."""
    value = os.environ.get(name, default)
    if value is None:
        raise KeyError(f"env var {name!r} is not set and has no default")
    return value


@cache
def _project_vars() -> dict[str, Any]:
    with PROJECT_FILE.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle).get("vars") or {})


def var(name: str, default: Any = None) -> Any:
    """dbt's var(): the project's value (a string rendered as dbt renders it), else the default."""
    value = _project_vars().get(name, default)
    if isinstance(value, str) and "{{" in value:
        return jinja2.Template(value).render(env_var=env_var)
    return value

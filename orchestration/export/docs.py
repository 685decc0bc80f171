"""Table and column descriptions from the dbt docs, for the "Thông tin" sheet of an export.

The dbt manifest holds them rendered (`{{ doc('province_code') }}` already replaced by its
text), so it is read first: the one the load that built the warehouse left beside it, then the
project's own. Without a manifest the model yml files are read directly and `doc()` references
resolved from the docs blocks of the project's .md files; any yml layout works (one file for
all marts, or one per model), since every yml under models/ is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_DOC_BLOCK = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", re.DOTALL)
_DOC_CALL = re.compile(r"{{\s*doc\(\s*['\"](\w+)['\"]\s*\)\s*}}")
_JINJA = re.compile(r"{{.*?}}|{#.*?#}", re.DOTALL)


@dataclass(frozen=True)
class TableDocs:
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)


def manifest_candidates(project_dir: Path, warehouse: Path | None = None) -> list[Path]:
    """Where a manifest may be, best first: the warehouse's last build, then the project."""
    found = []
    if warehouse is not None:
        found.append(warehouse.parent / ".build" / "dbt-target" / "manifest.json")
    found.append(project_dir / "target" / "manifest.json")
    return found


def table_docs(table: str, project_dir: Path, manifests: Iterable[Path] = ()) -> TableDocs:
    """The descriptions of `table` and its columns; empty when the docs do not know it (e.g.
    dq_issues, which orchestration/quality manages rather than dbt)."""
    for manifest in manifests:
        docs = _from_manifest(manifest, table)
        if docs is not None:
            return docs
    return _from_yml(project_dir / "models", table) or TableDocs()


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _from_manifest(path: Path, table: str) -> TableDocs | None:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") == "model" and node.get("name") == table:
            columns = {name: _clean(column.get("description"))
                       for name, column in node.get("columns", {}).items()}
            return TableDocs(_clean(node.get("description")), columns)
    return None


def _from_yml(models_dir: Path, table: str) -> TableDocs | None:
    blocks: dict[str, str] = {}
    for md in sorted(models_dir.rglob("*.md")):
        blocks.update((name, body.strip())
                      for name, body in _DOC_BLOCK.findall(md.read_text(encoding="utf-8")))

    def render(text: object) -> str:
        rendered = _DOC_CALL.sub(lambda m: blocks.get(m.group(1), ""), str(text or ""))
        return _clean(_JINJA.sub("", rendered))

    for yml in sorted(models_dir.rglob("*.yml")):
        try:
            content = yaml.safe_load(yml.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for model in content.get("models", []) if isinstance(content, dict) else []:
            if isinstance(model, dict) and model.get("name") == table:
                columns = {c["name"]: render(c.get("description"))
                           for c in model.get("columns", []) if isinstance(c, dict) and "name" in c}
                return TableDocs(render(model.get("description")), columns)
    return None


__all__ = ["TableDocs", "manifest_candidates", "table_docs"]

"""Read the data-quality rule catalogue: one declaration per rule, shared by dbt and Python.

Where it lives, and why there: every rule of quality-rules.md is declared once, in
`config: meta: rules:` of the dbt model that evaluates it, in the property files of
dbt_project/models/quality/ (_quality__row_rules.yml, _quality__cross_row_rules.yml). Those
files are the one place both sides can read without a generation step that could drift:
- dbt reads the rules from the model's config when it compiles it (macros/quality/): the row
  rules' prepared columns are generated from their checks, the cross-row models take their
  rule id and severity from it, and the rules show in the dbt docs as the models' meta;
- Python reads the same YAML with PyYAML, here: the Great Expectations suites
  (expectations/suites.py), the Vietnamese messages (orchestration/quality/messages.py), the
  Dagster asset checks and the issue history's severities all come from these Rule objects.
A Python catalogue would have needed generated YAML or SQL for dbt, and dbt_project.yml vars
would have put 200 lines of rules far from the models that use them.

The format is described at the top of _quality__row_rules.yml. Reading it checks it: a malformed
rule is a CatalogueError at import, not a wrong SQL column or a silent skip.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from expectations import arithmetic
from ingest.errors import TuphapError

Severity = Literal["error", "warn"]
RuleKind = Literal["row", "sql"]
CheckKind = Literal["equal", "at_most", "rate"]

CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "quality"
SEVERITIES: tuple[Severity, ...] = ("error", "warn")
RATE_FIELDS = ("reported", "decimals", "numerator", "denominator")
_RULE_ID = re.compile(r"[A-Z]+-[0-9]+")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


class CatalogueError(TuphapError, ValueError):
    """A rule of the catalogue is malformed."""


@dataclass(frozen=True)
class Check:
    """One check of a row rule: a comparison of two sides, or a reported rate.

    equal / at_most: `left` and `right` are expressions of the catalogue's arithmetic.
    rate: `rate` maps reported, decimals, numerator, denominator to column names.
    `column` is the prepared column the row-input model computes (left − (right), or the
    rate's difference), None when Great Expectations compares two columns directly.
    """

    kind: CheckKind
    message: str
    column: str | None = None
    left: str = ""
    right: str = ""
    rate: Mapping[str, str] = field(default_factory=dict)
    computed_column: str | None = None

    @property
    def operands(self) -> tuple[str, ...]:
        if self.kind == "rate":
            return tuple(self.rate[name] for name in RATE_FIELDS)
        return tuple(dict.fromkeys(arithmetic.operands(self.left)
                                   + arithmetic.operands(self.right)))


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    forms: tuple[str, ...]
    kind: RuleKind  # row: Great Expectations on a row-input model; sql: its own dbt model
    description: str  # the rule as quality-rules.md states it (English)
    title: str  # short Vietnamese title, for the CLI, the alert header and fallback messages
    model: str  # the dbt model that evaluates it (and declares it)
    # cross-row rules: Vietnamese message templates by variant, filled by
    # orchestration.quality.messages with figures already printed the Vietnamese way
    templates: Mapping[str, str] = field(default_factory=dict)
    dataset: str | None = None  # row rules: the row-input model's dataset name
    checks: tuple[Check, ...] = ()  # row rules

    @property
    def operands(self) -> tuple[str, ...]:
        """Row rules: the columns recorded as an issue's values (its identity), in order."""
        return tuple(dict.fromkeys(name for check in self.checks for name in check.operands))

    @property
    def check_name(self) -> str:
        """Dagster asset-check names allow only [A-Za-z0-9_]: ENF-01 -> ENF_01."""
        return self.id.replace("-", "_")


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: `{key}` must be a non-empty text")
    return value


def _column(entry: Mapping[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is not None and (not isinstance(value, str) or not arithmetic.is_column(value)):
        raise CatalogueError(f"{where}: `{key}` must be a column name, not {value!r}")
    return value


def _check(entry: Mapping[str, Any], where: str) -> Check:
    message = _text(entry, "message", where)
    column = _column(entry, "column", where)
    try:
        if ("assert" in entry) == ("rate" in entry):
            raise CatalogueError(f"{where}: a check has either `assert` or `rate`")
        if "rate" in entry:
            rate = entry["rate"]
            if not isinstance(rate, Mapping) or set(rate) != set(RATE_FIELDS) \
                    or not all(arithmetic.is_column(str(rate[k])) for k in RATE_FIELDS):
                raise CatalogueError(f"{where}: `rate` maps {', '.join(RATE_FIELDS)} to columns")
            if column is None:
                raise CatalogueError(f"{where}: a rate check needs its prepared `column`")
            return Check("rate", message, column, rate={k: str(rate[k]) for k in RATE_FIELDS},
                         computed_column=_column(entry, "computed_column", where))
        left, operator, right = arithmetic.comparison(_text(entry, "assert", where))
    except ValueError as exc:
        raise CatalogueError(f"{where}: {exc}") from None
    kind: CheckKind = "equal" if operator == "=" else "at_most"
    direct = kind == "at_most" and arithmetic.is_column(left) and arithmetic.is_column(right)
    if column is None and not direct:
        raise CatalogueError(f"{where}: `{left} {operator} {right}` needs a prepared `column`"
                             " (Great Expectations compares two plain columns only with <=)")
    return Check(kind, message, column, left=left, right=right)


def _rule(entry: Mapping[str, Any], model: str, meta: Mapping[str, Any]) -> Rule:
    rule_id = _text(entry, "id", f"model {model}")
    where = f"rule {rule_id} (model {model})"
    if not _RULE_ID.fullmatch(rule_id):
        raise CatalogueError(f"{where}: an id looks like ENF-01")
    severity = entry.get("severity")
    if severity not in SEVERITIES:
        raise CatalogueError(f"{where}: severity must be error or warn, not {severity!r}")
    forms = meta.get("forms")
    if not forms or not all(isinstance(f, str) for f in forms):
        raise CatalogueError(f"{where}: its model's meta needs `forms`")
    common = {"id": rule_id, "severity": severity, "forms": tuple(forms), "model": model,
              "description": " ".join(_text(entry, "description", where).split()),
              "title": _text(entry, "title", where)}
    if "checks" in entry:
        if "messages" in entry or not entry["checks"] or not meta.get("dataset"):
            raise CatalogueError(f"{where}: a row rule has checks (no messages), on a model"
                                 " with a `dataset`")
        checks = tuple(_check(c, f"{where} check {i + 1}") for i, c in enumerate(entry["checks"]))
        return Rule(kind="row", checks=checks, dataset=str(meta["dataset"]), **common)
    templates = entry.get("messages")
    if not isinstance(templates, Mapping) or not templates \
            or not all(isinstance(t, str) for t in templates.values()):
        raise CatalogueError(f"{where}: a cross-row rule has `messages` by variant")
    return Rule(kind="sql", templates=dict(templates), **common)


def read_rules(paths: Iterable[Path]) -> tuple[Rule, ...]:
    """Every rule declared in these dbt property files, checked, in the spec's order: by
    family (ENF, MED, DIS, GEN: as the row rules, then the cross-row rules, first name them),
    then by id."""
    rules: list[Rule] = []
    for path in paths:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        for node in document.get("models") or []:
            meta = (node.get("config") or {}).get("meta") or {}
            rules += [_rule(entry, node["name"], meta) for entry in meta.get("rules") or []]
    _check_unique(rules)
    ordered = sorted(rules, key=lambda r: r.kind != "row")
    families = list(dict.fromkeys(_family(r) for r in ordered))
    return tuple(sorted(ordered, key=lambda r: (families.index(_family(r)), r.id)))


def catalogue_files(directory: Path = CATALOGUE_DIR) -> list[Path]:
    return sorted(directory.glob("*.yml"))


def _family(rule: Rule) -> str:
    return rule.id.rsplit("-", 1)[0]


def _check_unique(rules: Sequence[Rule]) -> None:
    seen: dict[str, str] = {}
    for r in rules:
        if r.id in seen:
            raise CatalogueError(f"rule {r.id} is declared twice (models {seen[r.id]}, {r.model})")
        seen[r.id] = r.model
    columns: dict[tuple[str, str], str] = {}
    for r in rules:
        for check in r.checks:
            for column in (check.column, check.computed_column):
                if column is None:
                    continue
                if (r.model, column) in columns:
                    raise CatalogueError(f"{r.id}: column {column} of {r.model} is prepared"
                                         f" by {columns[(r.model, column)]} too")
                columns[(r.model, column)] = r.id

"""Which part of the dbt project a load rebuilds: only what its new inputs can change.

A unit corrects one report; rebuilding all ~100 dbt nodes for it costs as much as the first
load (dbt spends ~0,1 s of its own per node). A build's inputs are recorded with it, in the
warehouse (`meta.dbt_build_state`), and the next load compares:

- the dbt project: a fingerprint of its files and of the dbt versions (`project_fingerprint`);
- the scope (GEN-01 expects the cluster's units or every unit);
- the raw inputs: per form, a signature of its submissions (their ids and load times), one of
  the targets decisions (as a form: CHITIEU), and one of the received files, receipts and the
  reporting calendar (rejections feed `rejected_reports`, due dates `rpt_submissions`);
- the reporting years that have submissions (the year spine of the periods and dimensions).

Where the state is kept is the engine's business (`Build.read_build_state`).

`plan_build` (pure) then decides:

- full: no earlier build in this warehouse, or another project or scope, or asked for;
- none: the same project, scope and inputs as the last build, so every table stands as it is;
- partial: the reference part (seeds and the models only they feed: dbt tag `reference`) stands,
  so does the year spine (tag `years`: models of reference data and the reporting years only)
  when no year appeared or went, and so does the own part of each form whose submissions did
  not change (tags `dissemination`, `mediation`, `enforcement`), and the targets' own part (tag
  `targets`) when no decision and no year changed; the shared models are
  rebuilt, and every test of a rebuilt model runs (dbt's "cautious" indirect selection keeps
  a rebuilt fact's relationship tests to the dimensions and drops the tests of models left as
  they are).

A partial build gives the same warehouse as a full one: tests/e2e/test_selective_loads.py
checks it for a correction of each form and for a new reporting year. The tags are part of
that contract: a model that reads a form's data must carry the form's tag, a model tagged
`years` may read only reference data and the set of years, and a model with no tag is shared
(always rebuilt).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections.abc import Hashable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

if TYPE_CHECKING:
    from orchestration.warehouse.engine import Build, Connection

# Each raw input's part of the project, by dbt tag: a report form's, and the targets decisions'
# (TARGETS, the sheet name of a decision workbook, is its key among the forms' signatures).
TARGETS = "CHITIEU"
FORM_TAGS = {"PBGDPL": "dissemination", "HOAGIAI": "mediation", "THADS_VIEC": "enforcement",
             "THADS_TIEN": "enforcement", TARGETS: "targets"}
REFERENCE_TAG = "reference"
YEARS_TAG = "years"
# Tags whose models also read the year spine (the units in scope each year): rebuilt when a
# year appears or goes, like the spine itself.
READS_YEARS = frozenset({"targets"})
# What makes up the project (dbt_project.yml's paths), and dbt itself.
PROJECT_FOLDERS = ("models", "macros", "seeds", "tests", "snapshots", "analyses")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml", "selectors.yml")
DBT_DISTRIBUTIONS = ("dbt-core", "dbt-duckdb", "duckdb")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class BuildInputs:
    """What a dbt build of the warehouse depends on."""

    fingerprint: str
    scope: str
    forms: Mapping[str, str] = field(default_factory=dict)  # form -> its submissions' signature
    files: str = ""  # signature of the received files and receipts
    years: str = ""  # the reporting years with submissions, e.g. "2022,2023"

    def as_json(self) -> str:
        return json.dumps({"fingerprint": self.fingerprint, "scope": self.scope,
                           "forms": dict(sorted(self.forms.items())), "files": self.files,
                           "years": self.years}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BuildInputs:
        data = json.loads(text)  # a state recorded before a field existed: "" (changed)
        return cls(data["fingerprint"], data["scope"], data.get("forms", {}),
                   data.get("files", ""), data.get("years", ""))


@dataclass(frozen=True)
class BuildPlan:
    kind: Literal["full", "partial", "none"]
    reason: str
    exclude: tuple[str, ...] = ()  # dbt selectors of the models and seeds left as they are

    @property
    def dbt_args(self) -> list[str]:
        """Selection arguments for `dbt build` (none for a full build)."""
        if self.kind != "partial":
            return []
        # One value: dagster-dbt re-reads --exclude as a single, space-separated argument.
        return ["--indirect-selection", "cautious", "--exclude", " ".join(self.exclude)]


def plan_build(previous: BuildInputs | None, current: BuildInputs, *,
               full_refresh: bool = False) -> BuildPlan:
    """What to rebuild, given the inputs of the last build and of this one."""
    if full_refresh:
        return BuildPlan("full", "a full refresh was asked for")
    if previous is None:
        return BuildPlan("full", "no earlier build recorded in this warehouse")
    if previous.fingerprint != current.fingerprint:
        return BuildPlan("full", "the dbt project or dbt changed since the last build")
    if previous.scope != current.scope:
        return BuildPlan("full", f"the scope changed ({previous.scope} -> {current.scope})")
    changed_forms = {form for form in set(previous.forms) | set(current.forms)
                     if previous.forms.get(form) != current.forms.get(form)}
    if not changed_forms and previous.files == current.files:
        return BuildPlan("none", "nothing changed since the last build")
    changed_tags = {FORM_TAGS.get(form) for form in changed_forms}
    if None in changed_tags:  # a form this module does not know: rebuild everything
        return BuildPlan("full", f"submissions of an unknown form ({sorted(changed_forms)})")
    unchanged_tags = sorted(set(FORM_TAGS.values()) - changed_tags)
    if previous.years != current.years:
        unchanged_tags = [tag for tag in unchanged_tags if tag not in READS_YEARS]
    unchanged_tags += [YEARS_TAG] if previous.years == current.years else []
    exclude = (f"tag:{REFERENCE_TAG},resource_type:seed",
               f"tag:{REFERENCE_TAG},resource_type:model",
               *(f"tag:{tag},resource_type:model" for tag in unchanged_tags))
    what = ", ".join(sorted(changed_forms)) or "received files only"
    return BuildPlan("partial", f"changed since the last build: {what}", exclude)


def project_fingerprint(project_dir: Path) -> str:
    """A hash of every file of the dbt project (but its build output) and of dbt's version."""
    digest = hashlib.sha256()
    paths = [project_dir / name for name in PROJECT_FILES]
    for folder in PROJECT_FOLDERS:
        paths += sorted(p for p in (project_dir / folder).rglob("*") if p.is_file())
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(project_dir)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    for distribution in DBT_DISTRIBUTIONS:
        digest.update(f"{distribution}=={importlib.metadata.version(distribution)}\0".encode())
    return digest.hexdigest()


# Signatures of the raw inputs: identifiers and load times, not the figures (a submission's
# figures never change under the same id: the id holds the file's sha256).
_FORM_SIGNATURES = """
    select form, md5(string_agg(submission_id || '|' || cast(loaded_at as varchar), ','
                                order by submission_id))
    from {raw}.submissions
    group by form
"""
_FILES_SIGNATURE = """
    select md5(coalesce((
        select string_agg(sha256 || '|' || status || '|' || parsed_scope, ',' order by sha256)
        from {raw}.received_files), '') || '#' || coalesce((
        select string_agg(sha256 || '|' || source_file, ',' order by sha256, source_file)
        from {raw}.file_receipts), '') || '#' || coalesce((
        select string_agg(cast(year as varchar) || unit_type || cast(due_date as varchar), ','
                          order by year, unit_type)
        from {raw}.reporting_calendar), ''))
"""


# The targets decisions' signature, among the forms' (no row when there is none).
_TARGETS_SIGNATURE = """
    select md5(string_agg(decision_id || '|' || cast(loaded_at as varchar), ','
                          order by decision_id))
    from {raw}.target_decisions
    having count(*) > 0
"""


_YEARS = "select distinct cast(year as integer) from {raw}.submissions order by 1"


def read_inputs(con: Connection, *, fingerprint: str, scope: str) -> BuildInputs:
    """The inputs a build of this warehouse would have now (the raw tables must exist)."""
    forms = dict(con.execute(_FORM_SIGNATURES).fetchall())
    forms.update((TARGETS, signature) for (signature,) in
                 con.execute(_TARGETS_SIGNATURE).fetchall())
    files = con.execute(_FILES_SIGNATURE).fetchone()[0]
    years = ",".join(str(year) for (year,) in con.execute(_YEARS).fetchall())
    return BuildInputs(fingerprint, scope, forms, files, years)


def read_previous(build: Build) -> BuildInputs | None:
    """The inputs of the last successful build of this warehouse, if one was recorded."""
    recorded = build.read_build_state()
    return BuildInputs.from_json(recorded) if recorded else None


def record(build: Build, inputs: BuildInputs, plan: BuildPlan) -> None:
    """Record the inputs of a build that succeeded, and what it rebuilt and why (DuckDB: with
    the warehouse it built, `select * from meta.dbt_build_state`)."""
    build.record_build_state(inputs=inputs.as_json(), plan=plan.kind, reason=plan.reason)


def plan_load(build: Build, *, keeps_unchanged_models: bool, project_dir: Path, scope: str,
              whole_project: bool) -> tuple[BuildPlan, BuildInputs]:
    """This load's plan, and the inputs to record once its build succeeds. Models selected by
    hand (a partial run in the UI) are built as selected. `keeps_unchanged_models`: whether
    the build starts as a copy of the published warehouse (the engine's)."""
    with build.connect() as con:
        inputs = read_inputs(con, fingerprint=project_fingerprint(project_dir), scope=scope)
    if not whole_project:
        return BuildPlan("full", "models selected by hand"), inputs
    plan = plan_build(read_previous(build), inputs)
    if plan.kind == "partial" and not keeps_unchanged_models:
        plan = views_rebuilt(plan)
    return plan, inputs


def views_rebuilt(plan: BuildPlan) -> BuildPlan:
    """A partial plan for a build that starts without the published models (PostgreSQL's
    build schemas): only tables are carried forward (Build.carry_forward_models), so the
    models left as they are must be tables; every view (staging: no data, made in
    milliseconds) is made again."""
    return BuildPlan(plan.kind, plan.reason, tuple(
        f"{selector},config.materialized:table" if selector.endswith("resource_type:model")
        else selector for selector in plan.exclude))


# Reporting the models left as they were: Dagster wants a multi-asset's outputs in dependency
# order, so each is reported before the first rebuilt model that reads it.

def in_dependency_order(keys: Iterable[K], dependencies: Mapping[K, AbstractSet[K]]) -> list[K]:
    """`keys`, each after those of them it depends on (directly or not)."""
    wanted = set(keys)
    sorter: TopologicalSorter[K] = TopologicalSorter()
    for key in sorted(wanted, key=str):
        sorter.add(key, *(_ancestors(key, dependencies) & wanted))
    return list(sorter.static_order())


def ancestors_in_order(key: K, dependencies: Mapping[K, AbstractSet[K]],
                       among: AbstractSet[K]) -> list[K]:
    """The keys of `among` that `key` depends on (directly or not), in dependency order."""
    return in_dependency_order(_ancestors(key, dependencies) & among, dependencies)


def _ancestors(key: K, dependencies: Mapping[K, AbstractSet[K]]) -> set[K]:
    found: set[K] = set()
    stack = list(dependencies.get(key, ()))
    while stack:
        parent = stack.pop()
        if parent not in found:
            found.add(parent)
            stack.extend(dependencies.get(parent, ()))
    return found

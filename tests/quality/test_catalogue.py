"""The rule catalogue (expectations/catalogue.py): every rule of the spec declared exactly once,
read the same way by dbt and Python, and a malformed rule refused when it is read."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from expectations import arithmetic
from expectations.catalogue import CatalogueError, catalogue_files, read_rules
from expectations.rules import DATASET_MODELS, ROW_RULES, RULES, SQL_RULES
from tests.quality.conftest import parsed_manifest

REPO_ROOT = Path(__file__).resolve().parents[2]
# The contracts live beside the repository (README: ../shared/spec/).
SPEC = REPO_ROOT.parent / "shared" / "spec" / "quality-rules.md"
QUALITY_MODELS = REPO_ROOT / "dbt_project" / "models" / "quality"


def spec_rules() -> dict[str, str]:
    """rule id -> severity, from the table of quality-rules.md (`| ENF-01 | error | ... |`)."""
    if not SPEC.is_file():
        pytest.skip(f"the spec is not beside the repository: {SPEC}")
    # A rule new in a version is marked so: `| TGT-01 (v3) | warn | ... |`.
    rows = re.findall(r"^\|\s*([A-Z]+-\d+)(?:\s*\(v\d+\))?\s*\|\s*(error|warn)\s*\|",
                      SPEC.read_text("utf-8"), flags=re.MULTILINE)
    assert rows, f"no rule table found in {SPEC}"
    return dict(rows)


def declared_ids() -> Counter[str]:
    """Every `id` declared in the quality models' meta.rules, counted as written."""
    ids: Counter[str] = Counter()
    for path in catalogue_files():
        for model in yaml.safe_load(path.read_text("utf-8")).get("models") or []:
            meta = (model.get("config") or {}).get("meta") or {}
            ids.update(str(entry.get("id")) for entry in meta.get("rules") or [])
    return ids


def test_every_rule_of_the_spec_is_declared_exactly_once() -> None:
    spec = spec_rules()
    declared = declared_ids()
    assert {rule_id: declared[rule_id] for rule_id in spec} == dict.fromkeys(spec, 1)
    assert set(declared) == set(spec), "the catalogue declares a rule the spec does not have"
    assert {r.id: r.severity for r in RULES} == spec


def test_the_catalogue_lives_beside_the_quality_models() -> None:
    assert catalogue_files() and all(p.parent == QUALITY_MODELS for p in catalogue_files())
    assert {r.model for r in RULES} <= {p.stem for p in QUALITY_MODELS.glob("*.sql")}
    assert set(DATASET_MODELS.values()) == {r.model for r in ROW_RULES}


def test_every_cross_row_rule_is_in_the_union() -> None:
    union = (QUALITY_MODELS / "dq_sql_violations.sql").read_text("utf-8")
    listed = set(re.findall(r"'(dq_\w+)'", union))
    assert listed == {r.model for r in SQL_RULES}


def test_row_rules_derive_operands_and_checks_from_their_statements() -> None:
    enf01 = next(r for r in RULES if r.id == "ENF-01")
    assert enf01.operands == ("accepted", "carried_over", "new")
    (check,) = enf01.checks
    assert (check.kind, check.left, check.right, check.column) == \
        ("equal", "accepted", "carried_over + new", "enf01_diff")
    dis01 = next(r for r in RULES if r.id == "DIS-01")
    assert dis01.operands == ("sessions", "attendees")
    assert [(c.kind, c.column) for c in dis01.checks] == \
        [("at_most", None), ("at_most", "dis01_upper_excess")]
    enf08 = next(r for r in RULES if r.id == "ENF-08")
    assert enf08.operands == ("reported_resolution_rate", "reported_resolution_rate_decimals",
                              "resolved", "eligible")


def test_every_message_template_can_be_filled() -> None:
    for r in ROW_RULES:
        for check in r.checks:
            fields = dict.fromkeys(r.operands, "1")
            fields.update(expected="1", reported_rate="1%", computed_rate="1%")
            assert check.message.format(**fields), r.id
            assert "  " not in check.message and check.message == check.message.strip(), r.id


def test_the_arithmetic() -> None:
    values = {"a": 10, "b": 3, "c": None, "new": 2}
    assert arithmetic.evaluate("a - b - new", values) == 5
    assert arithmetic.evaluate("1000 * b + a", values) == 3010
    assert arithmetic.evaluate("( a - b ) * 2", values) == 14
    assert arithmetic.evaluate("a + c", values) is None  # not reported: skipped, as in SQL
    assert arithmetic.operands("1000 * b + a - b") == ["b", "a"]
    assert arithmetic.comparison("a <= 1000 * b") == ("a", "<=", "1000 * b")
    for bad in ("a+b", "a / b", "a + ", "( a", "a b", "A + b", ""):
        with pytest.raises(ValueError):
            arithmetic.tokens(bad)
    for bad in ("a = b = c", "a <= b <= c", "a == b", "a"):
        with pytest.raises(ValueError):
            arithmetic.comparison(bad)


RULE = """
        - id: XYZ-01
          severity: error
          title: Tiêu đề
          description: a = b + c
          checks:
            - assert: {statement}
              {column}
              message: "a {{a}} ≠ {{expected}}"
"""


def catalogue(tmp_path: Path, *rules: str, name: str = "_rules.yml") -> Path:
    path = tmp_path / name
    path.write_text("version: 2\nmodels:\n  - name: dq_test_row_inputs\n    config:\n"
                    "      meta:\n        dataset: test\n        forms: [PBGDPL]\n        rules:"
                    + "".join(rules), encoding="utf-8")
    return path


@pytest.mark.parametrize(("statement", "column", "error"), [
    ("a = b + c", "", "needs a prepared `column`"),
    ("a <= 2 * b", "", "needs a prepared `column`"),
    ("a = b +", "column: x_diff", "ends too early"),
    ("a = b / c", "column: x_diff", "is not a column name"),
    ("a < b", "column: x_diff", "is not '<left> = <right>'"),
    ("a = b + c", "column: X-diff", "must be a column name"),
])
def test_a_malformed_rule_is_refused(tmp_path: Path, statement: str, column: str,
                                     error: str) -> None:
    path = catalogue(tmp_path, RULE.format(statement=statement, column=column))
    with pytest.raises(CatalogueError, match=re.escape(error)):
        read_rules([path])


def test_a_rule_declared_twice_is_refused(tmp_path: Path) -> None:
    one = RULE.format(statement="a = b + c", column="column: x_diff")
    two = RULE.format(statement="a <= b", column="")
    (rule,) = read_rules([catalogue(tmp_path, one)])
    assert rule.kind == "row" and rule.operands == ("a", "b", "c") and rule.dataset == "test"
    with pytest.raises(CatalogueError, match="declared twice"):
        read_rules([catalogue(tmp_path, one), catalogue(tmp_path, two, name="_more.yml")])


@pytest.mark.xdist_group("tuphap_quality_dbt")  # the worker that parses the project anyway
def test_dbt_reads_the_same_catalogue(tmp_path_factory: pytest.TempPathFactory) -> None:
    """dbt's own view of the quality models: the rules in their meta are Python's, every model
    is documented and has a primary-key test."""
    manifest = parsed_manifest(tmp_path_factory.mktemp("dq_parse"))
    models = {n.unique_id: n for n in manifest.nodes.values()
              if n.resource_type == "model" and n.original_file_path.startswith("models/quality/")}
    assert {n.name for n in models.values()} == {p.stem for p in QUALITY_MODELS.glob("*.sql")}
    in_dbt = {rule["id"]: (n.name, rule["severity"]) for n in models.values()
              for rule in n.config.meta.get("rules", [])}
    assert in_dbt == {r.id: (r.model, r.severity) for r in RULES}
    keyed = {n.attached_node for n in manifest.nodes.values() if n.resource_type == "test"
             and getattr(n, "test_metadata", None) is not None
             and n.test_metadata.name in ("unique", "unique_combination_of_columns")}
    for unique_id, model in models.items():
        assert model.description.strip(), model.name
        assert unique_id in keyed, f"{model.name} has no primary-key test"

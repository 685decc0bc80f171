"""The quality models built on PostgreSQL find what they find on DuckDB.

The planted-violations dataset of the quality tests (tests/quality/dataset.py: every rule fires,
GEN-03's median, ENF-09's merged predecessors, GEN-04's changed figures, the rate rules at
several printed precisions) is written to a DuckDB file, copied into a fresh database of the
suite's PostgreSQL server with COPY, and the quality models and their upstream are built on both
engines (their dbt tests ran in test_postgres_build.py's full build): every quality table must
be equal row for row (tests/postgres/compare.py). Rounding of printed rates, which the rate
rules depend on and the engines' own round() does differently, is checked at exact halves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.dbt.conftest import DbtRun, run_dbt
from tests.dbt.postgres_target import dbt_environment, differing, postgres_relations
from tests.postgres.compare import postgres_table
from tests.postgres.raw import copy_raw_tables
from tests.postgres_server import PostgresServer
from tests.quality.dataset import violations_dataset

# Its own group: under `-n 2 --dist loadgroup` it may run beside the dbt group's tests.
pytestmark = pytest.mark.xdist_group("dbt_postgres_quality")

# The years expected by GEN-01 given as a load gives them (its other branch: every loaded year,
# in test_postgres_build.py); every dbt run of this module passes the same vars, so later runs
# reuse the first one's parse.
SAME_VARS = ["--vars", '{"tuphap_years": "2021-2025"}']
# The quality models and what they read, without their tests.
QUALITY_BUILD = ["build", "--select", "+path:models/quality", "--exclude-resource-type", "test",
                 "--exclude-resource-type", "unit_test", *SAME_VARS]


@dataclass
class BothEngines:
    """One raw load built on each engine, and the work folders of the two dbt runs."""

    db_path: Path
    url: str
    duckdb_work: Path
    postgres_work: Path


@pytest.fixture(scope="module")
def violations_on_both(postgres_server: PostgresServer,
                       tmp_path_factory: pytest.TempPathFactory) -> Iterator[BothEngines]:
    """The planted-violations dataset's quality models, built on DuckDB and on PostgreSQL."""
    work_dir = tmp_path_factory.mktemp("dq_violations_both")
    db_path = work_dir / "tuphap.duckdb"
    violations_dataset().write(db_path)
    name = postgres_server.create_database("dq_violations")
    both = BothEngines(db_path, postgres_server.url(name), work_dir / "duckdb",
                       work_dir / "postgres")
    copy_raw_tables(db_path, both.url)
    for run in (run_dbt(QUALITY_BUILD, db_path, both.duckdb_work),
                run_dbt(QUALITY_BUILD, None, both.postgres_work, env=dbt_environment(both.url))):
        assert run.result.success, run.errors
    yield both
    postgres_server.drop_database(name)


def test_quality_models_find_the_same_violations(violations_on_both: BothEngines) -> None:
    """Every rule fires in this dataset (GEN-03's median, ENF-09's merged predecessors, GEN-04's
    changed figures, the rate rules' rounding, TGT-01 beside a superseded decision): the same
    rows on both engines."""
    relations = postgres_relations(violations_on_both.url, ("quality",))
    assert len(relations) >= 9
    assert differing(violations_on_both.db_path, violations_on_both.url, relations) == {}
    rules = {row[1] for row in postgres_table(
        violations_on_both.url, "quality", "dq_sql_violations").rows}
    assert rules == {"ENF-09", "GEN-01", "GEN-02", "GEN-03", "GEN-04", "TGT-01"}


# Printed rates exactly halfway at their precision (binary-exact floats): rounded half away from
# zero on both engines, as people round (PostgreSQL's own round() gives 842 for 84,25 x 10,
# not 843, and 2 for 2,5). 85,00% against 100 x 2754 / 3247 = 84,817...%: 18 hundredths apart.
HALFWAY_RATES = """
select
    reported,
    {{ round_half_away_from_zero('reported * pow(10, decimals)') }} as rounded,
    {{ rate_difference('reported', 'decimals', 'numerator', 'denominator') }} as difference
from (
    select cast(reported as double precision) as reported, decimals, numerator, denominator
    from (values (0.5, 0, 1, 200), (2.5, 0, 1, 40), (84.25, 1, 843, 1000), (85.0, 2, 2754, 3247))
        as rates (reported, decimals, numerator, denominator)
) as typed
order by reported
"""


def _shown(run: DbtRun) -> list[tuple[float, ...]]:
    assert run.result.success, run.errors
    table = run.result.result.results[0].agate_table
    return [tuple(float(value) for value in row) for row in table.rows]


def test_printed_rates_round_alike_on_both_engines(violations_on_both: BothEngines) -> None:
    show = ["show", "--inline", HALFWAY_RATES, "--limit", "10", *SAME_VARS]
    on_duckdb = _shown(run_dbt(show, violations_on_both.db_path, violations_on_both.duckdb_work))
    on_postgres = _shown(run_dbt(show, None, violations_on_both.postgres_work,
                                 env=dbt_environment(violations_on_both.url)))
    assert on_duckdb == on_postgres == [
        (0.5, 1, 0), (2.5, 3, 0), (84.25, 843, 0), (85.0, 8500, 18)]

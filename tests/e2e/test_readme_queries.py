"""The README's queries run unchanged against the demo warehouse on both engines (on PostgreSQL
as the reader role, set up as the README's DBA section says), so the README stays true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, Loaded, Published

# One worker owns the shared demo load (pytest -n 2 --dist loadgroup).
pytestmark = pytest.mark.xdist_group("e2e")

SECTION = ROOT.joinpath("README.md").read_text(encoding="utf-8").split(
    "## Querying the warehouse", 1
)[1].split("\n## ", 1)[0]
SQL_BLOCKS = re.findall(r"```sql\n(.*?)```", SECTION, flags=re.S)
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", SECTION, flags=re.S)


def test_the_section_has_at_least_five_queries() -> None:
    assert len(SQL_BLOCKS) >= 5
    assert len(PYTHON_BLOCKS) >= 2


@pytest.mark.parametrize("sql", SQL_BLOCKS, ids=[f"query{i}" for i in range(len(SQL_BLOCKS))])
def test_each_query_returns_rows(published: Published, sql: str) -> None:
    with published.connect(False) as con:
        rows = con.execute(sql).fetchall()
    assert len(rows) > 0, sql


@pytest.mark.parametrize("code", PYTHON_BLOCKS, ids=["duckdb", "pandas"][: len(PYTHON_BLOCKS)])
def test_each_python_example_runs(demo_load: Loaded, code: str,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    source = code.replace('"warehouse/tuphap.duckdb"', repr(str(demo_load.warehouse)))
    assert source != code, "the example must open the default warehouse path"
    exec(compile(source, "README.md", "exec"), {})  # noqa: S102 - our own README
    assert capsys.readouterr().out.strip()


def test_readme_opens_with_the_two_commands() -> None:
    head = Path(ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:6]
    assert any("make demo" in line for line in head) and any("make test" in line for line in head)

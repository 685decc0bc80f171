"""Targets end to end, on a held-out inbox built here (not by the sample generator): reports of
three THADS and two STP units for 2023, and targets decisions as people send them (a CHITIEU
workbook, the CSV replacing it, another body's STP decision, a 2022 decision without money
targets) with malformed ones beside them. A real `tuphap load` on DuckDB and on PostgreSQL must
give exactly the achievement these decisions imply, the same row for row; the malformed
decisions are rejected with messages naming the cell or line; `tuphap targets` and `tuphap
export` show it.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from orchestration.warehouse.pgconnection import PostgresConnection
from orchestration.warehouse.sql import run_query
from tests.e2e.conftest import isolated_env, tuphap
from tests.e2e.postgres_load import postgres_env
from tests.ingest.builders import (
    TARGETS_CSV_HEADER,
    report_grid,
    targets_csv_lines,
    targets_grid,
    write_csv,
    write_xlsx,
)
from tests.postgres.warehouse import create_server_warehouse
from tests.postgres_server import PostgresServer

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e_targets")]

# (eligible, resolved) of each THADS unit's 2023 report, by form; (received, successful) of
# each STP unit's mediation report.
ENFORCEMENT = {
    ("THADS-04", "Cục THADS tỉnh Cao Bằng"): {"THADS_VIEC": (1000, 950),
                                              "THADS_TIEN": (200_000, 90_000)},
    ("THADS-10", "Cục THADS tỉnh Lào Cai"): {"THADS_VIEC": (1000, 884),
                                             "THADS_TIEN": (300_000, 134_999)},
    ("THADS-11", "Cục THADS tỉnh Điện Biên"): {"THADS_VIEC": (2000, 1730),
                                               "THADS_TIEN": (400_000, 200_000)},
}
MEDIATION = {("STP-04", "Sở Tư pháp tỉnh Cao Bằng"): (100, 80),
             ("STP-10", "Sở Tư pháp tỉnh Lào Cai"): (200, 181)}
CLUSTER = ("02", "04", "10", "11", "12", "14", "20")

CASE, MONEY, SUCCESS = "case_resolution_rate", "money_resolution_rate", "success_rate"
IN_FORCE = "77/QĐ-TCTHADS"  # the CSV of April 2023, replacing the workbook of October 2022
# What the decisions imply: (unit, year, indicator) -> (comparator, target, actual rounded to 4
# decimals, achieved, decision number, target level).
EXPECTED: dict[tuple[str, int, str], tuple[Any, ...]] = {
    # replaced: Cao Bằng's own "từ 90" went with the first decision; "trên 86,5" applies
    ("THADS-04", 2023, CASE): ("trên", 86.5, 95.0, True, IN_FORCE, "unit_type"),
    ("THADS-04", 2023, MONEY): ("từ", 45.0, 45.0, True, IN_FORCE, "unit_type"),  # exactly on
    ("THADS-10", 2023, CASE): ("từ", 88.4, 88.4, True, IN_FORCE, "unit"),  # own, exactly on
    ("THADS-10", 2023, MONEY): ("từ", 45.0, 44.9997, False, IN_FORCE, "unit_type"),
    ("THADS-11", 2023, CASE): ("trên", 86.5, 86.5, False, IN_FORCE, "unit_type"),  # on: not above
    ("THADS-11", 2023, MONEY): ("trên", 50.0, 50.0, False, IN_FORCE, "unit"),
    ("STP-04", 2023, SUCCESS): ("từ", 80.0, 80.0, True, "12/QĐ-BTP", "unit_type"),
    ("STP-10", 2023, SUCCESS): ("trên", 90.0, 90.5, True, "12/QĐ-BTP", "unit"),
    **{(f"THADS-{p}", 2023, i): ("trên" if i == CASE else "từ", 86.5 if i == CASE else 45.0,
                                 None, None, IN_FORCE, "unit_type")
       for p in ("02", "12", "14", "20") for i in (CASE, MONEY)},
    **{(f"STP-{p}", 2023, SUCCESS): ("từ", 80.0, None, None, "12/QĐ-BTP", "unit_type")
       for p in ("02", "11", "12", "14", "20")},
    **{(f"THADS-{p}", 2022, CASE): ("trên", 80.0, None, None, "5/QĐ-TCTHADS", "unit_type")
       for p in CLUSTER},
}
# The malformed decisions: file -> (rejection code, the message after the file's name).
REJECTED = {
    "qd_sai_gia_tri.xlsx": ("not_a_percentage", 'biểu CHITIEU, ô D11: giá trị "120" không phải '
                            "tỷ lệ phần trăm từ 0 đến 100."),
    "qd_trung.csv": ("duplicate_indicator", "dòng 3: chỉ tiêu case_resolution_rate của các cơ "
                     "quan thi hành án dân sự (THADS) đã có ở dòng 2."),
    "qd_thieu_so.xlsx": ("decision_number_missing", 'biểu CHITIEU: thiếu "Số quyết định" phía '
                         "trên bảng chỉ tiêu (ví dụ 1234/QĐ-TCTHADS)."),
    "qd_nham_chi_tieu.xlsx": ("indicator_not_for_unit", "biểu CHITIEU, ô B10: chỉ tiêu "
                              "success_rate (tỷ lệ hòa giải thành) là chỉ tiêu của Sở Tư pháp; "
                              "đơn vị THADS-10 là cơ quan thi hành án dân sự, chỉ được giao "
                              "case_resolution_rate, money_resolution_rate."),
}


def _enforcement(eligible: int, resolved: int) -> dict[str, int]:
    """A THADS form's figures in which every identity holds."""
    carried_over, new = eligible // 2, eligible - eligible // 2 + 10
    to_enforce = carried_over + new
    completed = resolved - resolved // 10
    return {"carried_over": carried_over, "new": new, "accepted": to_enforce, "entrusted": 0,
            "revoked": 0, "to_enforce": to_enforce, "eligible": eligible,
            "not_eligible": to_enforce - eligible, "completed": completed,
            "terminated": resolved - completed, "resolved": resolved,
            "carried_forward": to_enforce - resolved}


def write_inbox(inbox: Path) -> None:
    """The held-out inbox: 2023 reports, the decisions, and the malformed decisions."""
    inbox.mkdir(parents=True)
    for (code, name), forms in ENFORCEMENT.items():
        write_xlsx(inbox / f"bao_cao_2023_{code}.xlsx", {
            form: report_grid(form, [("Tổng cộng", _enforcement(*counts))], unit_name=name,
                              unit_code=code, year=2023)
            for form, counts in forms.items()})
    for (code, name), (received, successful) in MEDIATION.items():
        figures = {"teams": 10, "mediators": 60, "cases_received": received,
                   "cases_successful": successful,
                   "cases_unsuccessful": received - successful, "cases_pending": 0}
        write_xlsx(inbox / f"hoa_giai_2023_{code}.xlsx", {
            "HOAGIAI": report_grid("HOAGIAI", [("Tổng cộng", figures)], unit_name=name,
                                   unit_code=code, year=2023)})
    # The first 2023 decision (October 2022), and the CSV of April 2023 replacing it whole.
    write_xlsx(inbox / "qd_2023.xlsx", {"CHITIEU": targets_grid([
        ("THADS", CASE, "trên", "85,00"), ("THADS", MONEY, "trên", "40,00"),
        ("THADS-04", CASE, "từ", 90)], year=2023, decision_number="31/QĐ-TCTHADS",
        decision_date="01/10/2022")})
    write_csv(inbox / "qd_2023_dieu_chinh.csv", targets_csv_lines([
        ("THADS", CASE, "trên", "86,5"), ("THADS", MONEY, "từ", "45%"),
        ("Cục THADS tỉnh Lào Cai", CASE, "từ ... trở lên", "88,40"),
        ("THADS-11", MONEY, "trên", "50")], year=2023, decision_number=IN_FORCE,
        decision_date="01/04/2023"), header=TARGETS_CSV_HEADER, delimiter=";",
        encoding="cp1258")
    write_xlsx(inbox / "chi_tieu_hoa_giai_2023.xlsx", {"Biểu CHITIEU": targets_grid([
        ("STP", SUCCESS, "từ", "80"), ("STP-10", SUCCESS, "trên", "90")], year=2023,
        decision_number="12/QĐ-BTP", decision_date="15/12/2022", issuer="Bộ Tư pháp")})
    write_xlsx(inbox / "qd_2022.xlsx", {"CHITIEU": targets_grid(
        [("THADS", CASE, "trên", "80")], year=2022, decision_number="5/QĐ-TCTHADS",
        decision_date="05/10/2021")})
    # Malformed: each rejected whole, naming the cell or line.
    write_xlsx(inbox / "qd_sai_gia_tri.xlsx", {"CHITIEU": targets_grid([
        ("THADS", CASE, "trên", "81,5"), ("THADS", MONEY, "trên", "120")], year=2023)})
    write_csv(inbox / "qd_trung.csv", targets_csv_lines([
        ("THADS", CASE, "trên", "81,5"), ("THADS", CASE, "từ", "82")], year=2023),
        header=TARGETS_CSV_HEADER)
    write_xlsx(inbox / "qd_thieu_so.xlsx", {"CHITIEU": targets_grid(
        [("THADS", CASE, "trên", "81,5")], year=2023, decision_number=None)})
    write_xlsx(inbox / "qd_nham_chi_tieu.xlsx", {"CHITIEU": targets_grid(
        [("THADS-10", SUCCESS, "trên", "81,5")], year=2023)})


@dataclass
class TargetsLoad:
    engine: str
    env: dict[str, str]
    load: Any
    connect: Any  # () -> a DB-API connection to the published warehouse

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        con = self.connect()
        try:
            if isinstance(con, psycopg.Connection):
                return run_query(PostgresConnection(con), sql, params)[1]
            return run_query(con, sql, params)[1]
        finally:
            con.close()


@pytest.fixture(scope="module")
def held_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inbox = tmp_path_factory.mktemp("targets") / "inbox"
    write_inbox(inbox)
    return inbox


@pytest.fixture(scope="module")
def duckdb_load(held_out: Path, tmp_path_factory: pytest.TempPathFactory) -> TargetsLoad:
    env = {**isolated_env(tmp_path_factory.mktemp("targets-duckdb")),
           "TUPHAP_INBOX": str(held_out)}
    load = tuphap(["load"], env)
    assert load.returncode == 0, load.stdout + load.stderr
    path = env["TUPHAP_WAREHOUSE"]
    return TargetsLoad("duckdb", env, load, lambda: duckdb.connect(path, read_only=True))


@pytest.fixture(scope="module")
def postgres_load(held_out: Path, postgres_server: PostgresServer,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetsLoad]:
    warehouse = create_server_warehouse(postgres_server)
    env = {**postgres_env(tmp_path_factory.mktemp("targets-postgres"), warehouse),
           "TUPHAP_INBOX": str(held_out)}
    load = tuphap(["load"], env)
    assert load.returncode == 0, load.stdout + load.stderr
    # as the reader role: what analysts get
    yield TargetsLoad("postgres", env, load, warehouse.connect_as_reader)
    with contextlib.suppress(psycopg.Error):
        warehouse.drop()


@pytest.fixture(params=("duckdb", "postgres"))
def loaded(request: pytest.FixtureRequest) -> TargetsLoad:
    return request.getfixturevalue(f"{request.param}_load")


def achievement(loaded: TargetsLoad) -> dict[tuple[str, int, str], tuple[Any, ...]]:
    rows = loaded.rows(
        "select unit_code, year, indicator, comparator, target, actual, achieved,"
        " decision_number, target_level from main.fct_target_achievement")
    return {(u, y, i): (c, float(t), None if a is None else round(float(a), 4), ok, n, level)
            for u, y, i, c, t, a, ok, n, level in rows}


def test_the_achievement_the_held_out_decisions_imply(loaded: TargetsLoad) -> None:
    assert achievement(loaded) == EXPECTED


def test_malformed_decisions_are_rejected_naming_the_cell(loaded: TargetsLoad) -> None:
    rejected = {name: (code, reason) for name, code, reason in loaded.rows(
        "select source_file, reason_code, reason from main.rejected_reports")}
    assert rejected == {name: (code, f'Tệp "{name}", {what}')
                        for name, (code, what) in REJECTED.items()}
    assert "4 files rejected" in loaded.load.stdout
    assert "Targets decisions loaded" in loaded.load.stdout
    assert "qd_2023_dieu_chinh.csv: 2023, 77/QĐ-TCTHADS of 01/04/2023, THADS" in \
        loaded.load.stdout


def test_tgt01_warns_of_the_missing_money_targets(loaded: TargetsLoad) -> None:
    issues = loaded.rows("select unit_code, year, form, severity, message from main.dq_issues"
                         " where rule_id = 'TGT-01' order by unit_code")
    assert [(u, y, f, s) for u, y, f, s, _ in issues] == [
        (f"THADS-{p}", 2022, "THADS_TIEN", "warn") for p in CLUSTER]
    assert issues[2][4] == (
        "Cục THADS tỉnh Lào Cai, năm 2022: chưa có chỉ tiêu tỷ lệ giải quyết xong về tiền trong"
        " quyết định giao chỉ tiêu số 5/QĐ-TCTHADS ngày 05/10/2021")
    # the replaced 2023 decision is history, not a GEN-04 issue
    assert loaded.rows("select count(*) from main.dq_issues where rule_id = 'GEN-04'") == [(0,)]


def test_the_targets_command_prints_the_year_the_vietnamese_way(loaded: TargetsLoad) -> None:
    done = tuphap(["targets", "--year", "2023"], loaded.env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == ("Chỉ tiêu của các cơ quan thi hành án dân sự: quyết định số"
                        " 77/QĐ-TCTHADS ngày 01/04/2023 của Tổng cục Thi hành án dân sự")
    assert lines[2] == ("  (thay thế quyết định số 31/QĐ-TCTHADS ngày 01/10/2022 của Tổng cục"
                        " Thi hành án dân sự)")
    lao_cai = [line.split() for line in lines if line.startswith("  Cục THADS tỉnh Lào Cai")]
    assert lao_cai[0][-6:] == ["từ", "88,40%", "*", "88,40%", "+0,00", "Đạt"]
    assert lao_cai[1][-6:] == ["từ", "45%", "44,9997%", "-0,0003", "Không", "đạt"]
    dien_bien = [line for line in lines if line.startswith("  Cục THADS tỉnh Điện Biên")]
    assert dien_bien[0].endswith("+0,00  Không đạt")  # exactly on "trên 86,5": not above
    assert "Chưa có số liệu" in done.stdout
    assert lines[-2:] == [
        "Cơ quan thi hành án dân sự đạt và vượt tất cả chỉ tiêu được giao: 1/7 đơn vị",
        "Sở Tư pháp đạt và vượt tất cả chỉ tiêu được giao: 2/7 đơn vị"]
    missing = tuphap(["targets", "--year", "2019"], loaded.env)
    assert missing.returncode == 1 and "no targets for 2019" in missing.stderr


def test_export_gives_the_table(loaded: TargetsLoad, tmp_path: Path) -> None:
    out = tmp_path / "chi_tieu.csv"
    done = tuphap(["export", "fct_target_achievement", "--year", "2023", "--format", "csv",
                   "--out", str(out)], loaded.env)
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == sum(1 for key in EXPECTED if key[1] == 2023)
    cao_bang = next(r for r in rows if r["unit_code"] == "THADS-04" and r["indicator"] == CASE)
    assert (cao_bang["target"], cao_bang["achieved"], cao_bang["decision_number"]) == (
        "86.5", "true", IN_FORCE)


def test_both_engines_give_the_same_table_row_for_row(duckdb_load: TargetsLoad,
                                                      postgres_load: TargetsLoad) -> None:
    """Every column but the load-time ones; rates equal to the last bit but for the engines'
    float printing (1e-12 relative, as tests/postgres/compare.py)."""
    query = ("select unit_code, province_code, year, indicator, comparator, target, actual,"
             " margin, achieved, decision_number, decision_date, unit_key, province_key,"
             " target_decimals, target_level, actual_numerator, actual_denominator, issuer,"
             " decision_source_file, target_source_cell, actual_source_file"
             " from main.fct_target_achievement order by unit_code, year, indicator")
    duck, pg = duckdb_load.rows(query), postgres_load.rows(query)
    assert len(duck) == len(pg) == len(EXPECTED)
    for left, right in zip(duck, pg, strict=True):
        assert left[:6] == right[:6] and left[8:] == right[8:]
        for a, b in ((left[6], right[6]), (left[7], right[7])):
            assert (a is None and b is None) or abs(a - b) <= 1e-12 * max(1.0, abs(a))

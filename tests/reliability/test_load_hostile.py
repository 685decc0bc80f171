"""One load of an inbox full of hostile files: it completes, rejects each bad file with a
reason, loads the good ones, keeps formula and SQL text as text, and stays under 2 GiB."""

from __future__ import annotations

import re

import duckdb
import pytest

from ingest.text import echo
from tests.reliability.conftest import Inboxes, ReferenceLoad
from tests.reliability.hostile import INJECTIONS

# One worker runs every test that shares the loads (make test: -n 2 --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability_loads")]
GIB = 1024**3
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _rows(reference_load: ReferenceLoad, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(reference_load.warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_the_load_completes_without_a_traceback(reference_load: ReferenceLoad) -> None:
    load = reference_load.load
    assert load.returncode == 0
    output = load.stdout() + load.stderr()
    assert "Traceback (most recent call last)" not in output
    assert "panicked at" not in output  # native reader failures stay in their child


def test_peak_memory_of_the_load_is_under_2_gib(reference_load: ReferenceLoad) -> None:
    peak = reference_load.load.maxrss_bytes or 0
    print(f"peak RSS of the load: {peak / 1024**2:.0f} MiB; "
          f"wall time {reference_load.load.elapsed:.0f} s")
    assert 0 < peak < 2 * GIB


def test_each_bad_file_is_rejected_with_a_vietnamese_reason_naming_it(
    reference_load: ReferenceLoad, inboxes: Inboxes,
) -> None:
    rows = _rows(reference_load,
                 "select source_file, reason, reason_code from main.rejected_reports")
    by_file: dict[str, list[tuple[str, str]]] = {}
    for source_file, reason, code in rows:
        by_file.setdefault(source_file, []).append((reason, code))
    for name, expect in inboxes.hostile.items():
        if expect.loads:
            assert name not in by_file, (name, by_file.get(name))
            continue
        assert len(by_file.get(name, [])) == 1, (name, expect.why, sorted(by_file))
        (reason, code), = by_file[name]
        assert code == expect.code, (name, code, reason)
        assert reason.startswith(f'Tệp "{echo(name, 120)}"'), (name, reason)
        assert VIETNAMESE.search(reason.split('"', 2)[2]), reason
        assert "\n" not in reason


def test_the_good_files_are_loaded(reference_load: ReferenceLoad, inboxes: Inboxes,
                                   sample) -> None:  # noqa: ANN001
    loaded = dict(_rows(reference_load,
                        "select source_file, any_value(unit_code) from raw.submissions"
                        " group by source_file"))
    for name, expect in inboxes.hostile.items():
        if expect.loads:
            assert loaded.get(name) == expect.unit_code, (name, expect.why)
    good_sample = [f.file_name for f in sample if f.expected_rejection is None]
    assert set(good_sample) <= set(loaded)


def test_injection_strings_come_back_byte_identical_as_text(
    reference_load: ReferenceLoad,
) -> None:
    for name in ("ten-don-vi-con-doc-hai.xlsx", "ten-don-vi-con-doc-hai.csv"):
        rows = _rows(reference_load,
                     "select v.subunit from raw.submission_values v join raw.submissions s"
                     " using (submission_id) where s.source_file = ? and v.subunit is not null"
                     " order by v.subunit_order", [name])
        names = list(dict.fromkeys(row[0] for row in rows))
        assert [n.encode() for n in names] == [i.encode() for i in INJECTIONS], name
    # Nothing was executed: the tables the strings name are all there, full.
    counts = _rows(reference_load,
                   "select (select count(*) from raw.submissions),"
                   " (select count(*) from raw.received_files)")[0]
    assert counts[0] > 200 and counts[1] > 150, counts

"""The synthetic sample (`tuphap sample`), judged from the files it writes.

Files are read back with python-calamine and the csv module by a small reader written here,
independent of the generator, and checked against the contracts: report-format.md (layout),
quality-rules.md (identities) and domain.md (the published 2022 cluster totals).
"""

from __future__ import annotations

import csv
import io
import re
import statistics
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from ingest.forms import FORM_COLUMNS, RATE_INDICATORS
from ingest.sample import SampleManifest, write_sample

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
BOM = b"\xef\xbb\xbf"
PUBLISHED_2022 = {  # domain.md; attendees and accepted are the documented assumptions
    ("PBGDPL", "sessions"): 27430, ("PBGDPL", "attendees"): 1826513,
    ("PBGDPL", "documents"): 410870, ("HOAGIAI", "cases_received"): 3247,
    ("HOAGIAI", "cases_successful"): 2754, ("THADS_VIEC", "accepted"): 27045,
    ("THADS_VIEC", "eligible"): 24196, ("THADS_VIEC", "resolved"): 21698,
}
CLUSTER_2022 = {"02", "04", "10", "11", "12", "14", "20"}
ENF_FORMS = ("THADS_VIEC", "THADS_TIEN")
MAIN = {"PBGDPL": ("sessions",), "HOAGIAI": ("cases_received",),
        "THADS_VIEC": ("accepted", "eligible", "resolved"),
        "THADS_TIEN": ("accepted", "eligible", "resolved")}


# --------------------------------------------------------------------------- a reader

@dataclass
class Value:
    number: Decimal
    decimals: int  # digits printed after the decimal mark


@dataclass
class FormData:
    subunits: list[tuple[str, dict[str, Value]]] = field(default_factory=list)
    total: dict[str, Value] | None = None
    total_label: str | None = None

    def unit_total(self) -> dict[str, Decimal]:
        """The total row, or the sum of the sub-units when there is none (counts only)."""
        if self.total is not None:
            return {k: v.number for k, v in self.total.items()}
        out: dict[str, Decimal] = defaultdict(Decimal)
        for _, values in self.subunits:
            for k, v in values.items():
                if k not in RATE_INDICATORS:
                    out[k] += v.number
        return dict(out)


@dataclass
class Report:
    path: Path
    kind: str
    year: int
    unit_code: str | None  # as written ("Mã đơn vị" or the CSV column)
    unit_name: str | None
    report_date: date | None = None
    date_was_text: bool = False
    forms: dict[str, FormData] = field(default_factory=dict)
    sheet_names: tuple[str, ...] = ()
    not_numbers: list[str] = field(default_factory=list)  # raw texts that are no number


def to_value(raw: object) -> Value:
    if isinstance(raw, int | float):
        d = Decimal(repr(raw)).normalize()
        return Value(d, max(0, -d.as_tuple().exponent))  # type: ignore[operator]
    text = str(raw).strip().rstrip("%")
    if "," in text:  # Vietnamese decimal mark
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):  # Vietnamese thousands grouping
        text = text.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError(f"not a number: {raw!r}")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return Value(Decimal(text), decimals)


def _form_of_sheet(name: str) -> str | None:
    key = name.strip().upper()
    key = key[len("BIỂU "):].strip() if key.startswith("BIỂU ") else key
    return key if key in FORM_COLUMNS else None


def read_xlsx(path: Path) -> Report:
    wb = CalamineWorkbook.from_path(str(path))
    meta: dict[str, object] = {}
    forms: dict[str, FormData] = {}
    not_numbers: list[str] = []
    for sheet in wb.sheet_names:
        form = _form_of_sheet(sheet)
        if form is None:
            continue
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        header = next(i for i, r in enumerate(rows) if str(r[0]).strip() == "(1)")
        for r in rows[:header]:
            cells = [c for c in r if c != ""]
            if len(cells) >= 2 and isinstance(cells[0], str) and cells[0].endswith(":"):
                meta.setdefault(cells[0].rstrip(":").strip(), cells[1])
        columns = {i: FORM_COLUMNS[form][int(str(c).strip("()"))]
                   for i, c in enumerate(rows[header]) if i > 0 and c != ""}
        data = FormData()
        for r in rows[header + 1:]:
            if all(c == "" for c in r):
                break
            values = {}
            for i, ind in columns.items():
                if r[i] != "":
                    try:
                        values[ind] = to_value(r[i])
                    except ValueError:
                        not_numbers.append(str(r[i]))
            label = str(r[0]).strip()
            if re.fullmatch(r"(?i)t(ổ|o)ng( c(ộ|o)ng| s(ố|o))?", label):
                data.total, data.total_label = values, label
            else:
                data.subunits.append((label, values))
        forms[form] = data
    raw_year = meta["Năm báo cáo"]
    year = int(raw_year) if isinstance(raw_year, float | int) else int(str(raw_year).split()[-1])
    raw_date = meta.get("Ngày lập báo cáo")
    report_date, date_was_text = None, False
    if isinstance(raw_date, datetime):
        report_date = raw_date.date()
    elif isinstance(raw_date, date):
        report_date = raw_date
    elif isinstance(raw_date, str):
        report_date, date_was_text = datetime.strptime(raw_date, "%d/%m/%Y").date(), True
    code = meta.get("Mã đơn vị")
    return Report(path, "xlsx", year, str(code) if code else None,
                  str(meta["Đơn vị báo cáo"]) if "Đơn vị báo cáo" in meta else None,
                  report_date, date_was_text, forms, tuple(wb.sheet_names), not_numbers)


def csv_text(path: Path) -> tuple[str, str]:
    """(text, encoding): UTF-8 with BOM, UTF-8, else Windows-1258 (NFC-normalised)."""
    raw = path.read_bytes()
    if raw.startswith(BOM):
        return raw[len(BOM):].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", raw.decode("cp1258")), "cp1258"


def read_csv(path: Path) -> Report:
    text, _ = csv_text(path)
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    forms: dict[str, FormData] = {}
    subunit_values: dict[tuple[str, str], dict[str, Value]] = {}
    for r in rows:
        data = forms.setdefault(r["form"], FormData())
        if r["subunit"] == "":
            data.total = data.total or {}
            data.total[r["indicator"]] = to_value(r["value"])
        else:
            key = (r["form"], r["subunit"])
            if key not in subunit_values:
                subunit_values[key] = {}
                data.subunits.append((r["subunit"], subunit_values[key]))
            subunit_values[key][r["indicator"]] = to_value(r["value"])
    return Report(path, "csv", int(rows[0]["year"]), rows[0]["unit_code"], None, forms=forms)


def read(path: Path) -> Report:
    return read_xlsx(path) if path.suffix == ".xlsx" else read_csv(path)


# --------------------------------------------------------------------------- the register

def fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class Register:
    """Folded unit names -> (unit code, valid from, valid to), read from the seed."""

    names: dict[str, list[tuple[str, str, str]]]

    def resolve(self, name: str, year: int) -> set[str]:
        """Unit codes whose register row valid on 31 December of `year` knows this name."""
        day = f"{year}-12-31"
        return {code for code, start, end in self.names.get(fold(name), [])
                if (start or "0000") <= day <= (end or "9999")}


def register() -> Register:
    names: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    with (SEEDS / "ref_units.csv").open(encoding="utf-8", newline="") as fh:
        for u in csv.DictReader(fh):
            for n in {fold(x) for x in (u["unit_name"], u["display_name"],
                                        *u["aliases"].split("|"))}:
                names[n].append((u["unit_code"], u["valid_from"], u["valid_to"]))
    return Register(dict(names))


# --------------------------------------------------------------------------- the rules

def rounded(num: Decimal, den: Decimal, decimals: int) -> Decimal:
    return (100 * num / den).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def violations(form: str, values: dict[str, Value]) -> list[str]:
    """Rule ids of quality-rules.md that this row of figures breaks."""
    v = {k: x.number for k, x in values.items()}
    bad = []
    if any(x < 0 for x in v.values()):
        bad.append("negative")
    if form in ENF_FORMS:
        checks = {
            "ENF-01": v["accepted"] == v["carried_over"] + v["new"],
            "ENF-02": v["to_enforce"] == v["accepted"] - v["entrusted"] - v["revoked"],
            "ENF-03": v["to_enforce"] == v["eligible"] + v["not_eligible"],
            "ENF-04": v["resolved"] == v["completed"] + v["terminated"],
            "ENF-05": v["resolved"] <= v["eligible"],
            "ENF-06": v["eligible"] <= v["to_enforce"] <= v["accepted"],
            "ENF-07": v["carried_forward"] == v["to_enforce"] - v["resolved"],
        }
        if "resolution_rate" in values:
            checks["ENF-08"] = values["resolution_rate"].number == rounded(
                v["resolved"], v["eligible"], values["resolution_rate"].decimals)
        bad += [rule for rule, ok in checks.items() if not ok]
    elif form == "HOAGIAI":
        if v["cases_received"] != (v["cases_successful"] + v["cases_unsuccessful"]
                                   + v["cases_pending"]):
            bad.append("MED-01")
        if v["cases_successful"] > v["cases_received"]:
            bad.append("MED-02")
        if "success_rate" in values and values["success_rate"].number != rounded(
                v["cases_successful"], v["cases_received"], values["success_rate"].decimals):
            bad.append("MED-03")
    elif not v["sessions"] <= v["attendees"] <= 1000 * v["sessions"]:
        bad.append("DIS-01")
    return bad


def report_violations(report: Report) -> list[str]:
    out = []
    for form, data in report.forms.items():
        rows = list(data.subunits) + ([("TOTAL", data.total)] if data.total else [])
        for label, values in rows:
            out += [f"{form}/{label}: {rule}" for rule in violations(form, values)]
        if data.subunits:
            summed = data.unit_total() if data.total is None else None
            total = data.total or {k: Value(x, 0) for k, x in (summed or {}).items()}
            for indicator, value in total.items():
                if indicator in RATE_INDICATORS:
                    continue
                s = sum((vals[indicator].number for _, vals in data.subunits), Decimal(0))
                if s != value.number:
                    out.append(f"{form}/{indicator}: GEN-02")
            if data.total is None:  # no total row: the sum must itself be a coherent unit
                out += [f"{form}/SUM: {rule}" for rule in violations(form, total)
                        if rule not in ("ENF-08", "MED-03")]
    return out


def effective(reports: list[Report]) -> dict[tuple[str, int, str], FormData]:
    """Newest submission per unit, year and form (by report date), as the warehouse keeps."""
    best: dict[tuple[str, int, str], tuple[date, FormData]] = {}
    for r in reports:
        assert r.unit_code is not None
        for form, data in r.forms.items():
            key = (r.unit_code, r.year, form)
            when = r.report_date or date.min
            if key not in best or when > best[key][0]:
                best[key] = (when, data)
    return {k: v[1] for k, v in best.items()}


# --------------------------------------------------------------------------- fixtures

@dataclass
class Sample:
    manifest: SampleManifest
    reports: dict[str, Report]  # by file name

    def good(self) -> list[Report]:
        return [self.reports[f.file_name] for f in self.manifest.good]


def _load(manifest: SampleManifest) -> Sample:
    units = register()
    reports = {}
    for f in manifest:
        r = read(manifest.out_dir / f.file_name)
        if r.unit_code is None and r.unit_name is not None:  # resolve the name as written
            codes = units.resolve(r.unit_name, r.year)
            r.unit_code = next(iter(codes)) if len(codes) == 1 else None
        reports[f.file_name] = r
    return Sample(manifest, reports)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return _load(write_sample(tmp_path_factory.mktemp("cluster")))


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    out = tmp_path_factory.mktemp("national")
    return _load(write_sample(out, scale="national", include_flawed=False, years=[2024, 2025]))


# --------------------------------------------------------------------------- cluster tests

def test_cluster_2022_totals_equal_the_published_figures(cluster: Sample) -> None:
    loaded = [r for f, r in cluster.reports.items()
              if cluster.manifest.by_name(f).expected_rejection is None]
    figures = effective(loaded)
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    provinces = set()
    for (code, year, form), data in figures.items():
        if year == 2022:
            provinces.add(code.split("-")[1])
            for indicator, value in data.unit_total().items():
                sums[form, indicator] += value
    assert provinces == CLUSTER_2022
    assert {k: int(sums[k]) for k in PUBLISHED_2022} == PUBLISHED_2022
    rate = rounded(sums["THADS_VIEC", "resolved"], sums["THADS_VIEC", "eligible"], 2)
    assert rate == Decimal("89.68")  # as printed in the article
    assert rounded(sums["HOAGIAI", "cases_successful"], sums["HOAGIAI", "cases_received"],
                   2) == Decimal("84.82")


def test_every_identity_holds_on_every_good_report(cluster: Sample) -> None:
    problems = {r.path.name: report_violations(r) for r in cluster.good()}
    assert {k: v for k, v in problems.items() if v} == {}
    # and the sub-unit breakdowns are realistic: 3-12 rows per report in the cluster
    counts = {len(d.subunits) for r in cluster.good() for d in r.forms.values() if d.subunits}
    assert min(counts) >= 3 and max(counts) <= 12


def test_carried_over_chains_and_trends_are_smooth(cluster: Sample) -> None:
    figures = effective(cluster.good())
    by_unit: dict[tuple[str, str], dict[int, dict[str, Decimal]]] = defaultdict(dict)
    for (code, year, form), data in figures.items():
        by_unit[code, form][year] = data.unit_total()
    chained = 0
    for (code, form), years in by_unit.items():
        for year, values in years.items():
            if form in ENF_FORMS and year - 1 in years:  # ENF-09
                assert values["carried_over"] == years[year - 1]["carried_forward"], (code, year)
                chained += 1
            for indicator in MAIN[form]:
                if year - 1 in years:  # year-to-year within ±15%
                    change = values[indicator] / years[year - 1][indicator]
                    assert Decimal("0.85") <= change <= Decimal("1.15"), (code, form, year)
                others = [v[indicator] for y, v in years.items() if y != year]
                if len(others) >= 3:  # GEN-03
                    median = statistics.median(others)
                    assert median / 2 <= values[indicator] <= 2 * median, (code, form, year)
    assert chained >= 2 * 7 * 6  # every cluster THADS unit, both forms, 2019-2025


def test_sizes_are_realistic_for_a_province(cluster: Sample) -> None:
    figures = effective(cluster.good())
    for (code, _year, form), data in figures.items():
        t = data.unit_total()
        k = 2.5 if code in ("STP-08", "THADS-08", "STP-15", "THADS-15") else 1  # merged in 2025
        if form == "PBGDPL":
            assert 2000 <= t["sessions"] <= 6500 * k, code
            assert 100_000 <= t["attendees"] <= 450_000 * k, code
        elif form == "HOAGIAI":
            assert 250 <= t["cases_received"] <= 800 * k, code
        elif form == "THADS_VIEC":
            assert 1500 <= t["eligible"] <= 6000 * k, code
        else:
            assert 10**8 <= t["accepted"] <= 1.5 * 10**9 * k, code  # thousand VND


def test_unit_names_as_written_are_in_the_register(cluster: Sample) -> None:
    units = register()
    names = set()
    for f in cluster.manifest.good:
        r = cluster.reports[f.file_name]
        if r.unit_name is None:
            continue
        names.add(r.unit_name)
        assert units.resolve(r.unit_name, r.year) == {f.unit_code}, (f.file_name, r.unit_name)
        if r.unit_code is not None:
            assert r.unit_code == f.unit_code
    assert any(n.isascii() for n in names), "some officers type without diacritics"
    assert len(names) > 14, "names vary between units and forms of writing"


def test_the_mix_of_files(cluster: Sample) -> None:
    good = cluster.good()
    xlsx = [r for r in good if r.kind == "xlsx"]
    csvs = [r for r in good if r.kind == "csv"]
    assert len(xlsx) > 4 * len(csvs) > 0
    # two units send CSV (THADS-10's export continues as THADS-15 after the merger)
    assert {r.unit_code for r in csvs} == {"STP-04", "THADS-10", "THADS-15"}
    assert any(len(r.forms) == 2 for r in xlsx) and any(len(r.forms) == 1 for r in xlsx)
    shapes = {(bool(d.subunits), d.total is not None) for r in good for d in r.forms.values()}
    assert shapes == {(True, True), (True, False), (False, True)}
    labels = {d.total_label for r in xlsx for d in r.forms.values() if d.total_label}
    assert {"Tổng cộng", "TỔNG SỐ", "Tổng"} <= labels
    assert any("Hướng dẫn" in r.sheet_names for r in xlsx)
    assert any(name.startswith("Biểu ") for r in xlsx for name in r.sheet_names)
    assert {r.date_was_text for r in xlsx if r.report_date} == {True, False}
    # one unit prints the resolution rate without decimals, the others with two
    decimals = {(r.unit_code, v.decimals) for r in good for form, d in r.forms.items()
                if form in ENF_FORMS and d.total for k, v in d.total.items()
                if k == "resolution_rate"}
    assert ("THADS-04", 0) in decimals and any(d == 2 for _, d in decimals)


def test_csv_encodings(cluster: Sample) -> None:
    encodings = {}
    for f in cluster.manifest.good:
        if f.kind != "csv":
            continue
        path = cluster.manifest.out_dir / f.file_name
        raw = path.read_bytes()
        text, encoding = csv_text(path)
        encodings[f.unit_code] = (encoding, text.splitlines()[0])
        header = text.splitlines()[0].replace(";", ",")
        assert header == "unit_code,year,form,subunit,indicator,value"
        if encoding == "cp1258":
            # Windows-1258 stores tone marks apart: "ò" is "o" + 0xCC; it round-trips to NFC.
            assert re.search(rb"[a-z\xe2\xea\xf4\xe3\xf5\xfd][\xcc\xec\xd2\xde\xf2]", raw)
            assert re.search(r";\d{1,3}(\.\d{3})+\r?$", text, re.M)
            assert re.search(r";\d+,\d\d\r?$", text, re.M)  # a rate: "84,82"
        if encoding == "utf-8-sig":
            assert raw.startswith(BOM) and re.search(r",\d+\.\d\d$", text, re.M)  # "89.68"
    assert encodings["STP-04"][0] == "cp1258" and ";" in encodings["STP-04"][1]
    assert encodings["THADS-10"][0] == "utf-8-sig" and "," in encodings["THADS-10"][1]


def test_preliminary_report_then_official_correction(cluster: Sample) -> None:
    pre = cluster.reports["2023_STP-12_so-bo.xlsx"]
    official = cluster.reports["2023_STP-12_chinh-thuc.xlsx"]
    assert pre.date_was_text and official.date_was_text
    assert (pre.report_date, official.report_date) == (date(2023, 11, 30), date(2024, 1, 15))
    assert pre.unit_code == official.unit_code == "STP-12" and pre.year == official.year == 2023
    for form in ("PBGDPL", "HOAGIAI"):
        early, final = pre.forms[form].unit_total(), official.forms[form].unit_total()
        main = MAIN[form][0]
        assert 0.8 * float(final[main]) < early[main] < final[main]
    figures = effective(cluster.good())
    assert figures["STP-12", 2023, "PBGDPL"] is official.forms["PBGDPL"]
    assert not [r for r in cluster.good() if r.unit_code == "STP-12" and r.year == 2022
                and r.report_date and r.report_date > date(2022, 12, 31)]


def test_2025_reports_come_from_the_successors(cluster: Sample) -> None:
    units_2025 = {r.unit_code for r in cluster.good() if r.year == 2025}
    expected = {f"{t}-{p}" for t in ("STP", "THADS") for p in
                ("04", "08", "11", "12", "14", "15", "20")}
    assert units_2025 == expected
    assert {r.unit_code for r in cluster.good() if r.year == 2024} == {
        f"{t}-{p}" for t in ("STP", "THADS") for p in CLUSTER_2022}
    years = {r.year for r in cluster.good()}
    assert years == set(range(2018, 2026))


def test_flawed_files_exist_as_the_manifest_says(cluster: Sample) -> None:
    out = cluster.manifest.out_dir
    on_disk = {p.name for p in out.iterdir()}
    assert on_disk == {f.file_name for f in cluster.manifest}
    flawed = {f.file_name: f for f in cluster.manifest.flawed}
    assert all(name.startswith("LOI_") for name in flawed)
    assert not [f for f in cluster.manifest.good if f.file_name.startswith("LOI_")]
    assert all(f.why for f in flawed.values())
    assert {f.expected_rejection for f in flawed.values()} == {
        "not_a_number", "unit_unknown", "unit_out_of_scope", "negative", None}
    for f in cluster.manifest:
        assert f.file_name.endswith("." + f.kind)
        assert set(cluster.reports[f.file_name].forms) == set(f.forms)
    # the flaws are really in the files
    by_code = {f.expected_rejection: f.file_name for f in flawed.values()}
    assert cluster.reports[by_code["not_a_number"]].not_numbers == ["12a"]
    assert ",revoked,-3\n" in (out / by_code["negative"]).read_text(encoding="utf-8")
    assert cluster.reports[by_code["unit_unknown"]].unit_name == "Sở Tư pháp tỉnh Hà Tây"
    assert cluster.reports[by_code["unit_unknown"]].unit_code is None
    assert cluster.reports[by_code["unit_out_of_scope"]].unit_code == "STP-01"
    # loadable ones break exactly the rule they are meant to break, and are later corrections
    good_dates = {(r.unit_code, r.year): r.report_date for r in cluster.good()}
    for f in flawed.values():
        if f.expected_rejection is not None:
            continue
        r = cluster.reports[f.file_name]
        assert f.year != 2022
        assert r.report_date > good_dates[r.unit_code, r.year]
        rules = {p.split(": ")[1] for p in report_violations(r)}
        assert rules == set(f.expected_rules) - {"GEN-04"}, f.file_name


def test_without_flawed_files_the_good_files_are_unchanged(cluster: Sample,
                                                            tmp_path: Path) -> None:
    manifest = write_sample(tmp_path, include_flawed=False, years=[2025])
    assert not manifest.flawed and len(manifest.files) == 16  # 14 units, 2 send 2 files
    for f in manifest:
        assert (tmp_path / f.file_name).read_bytes() == (
            cluster.manifest.out_dir / f.file_name).read_bytes(), f.file_name


def test_the_bytes_are_deterministic(cluster: Sample, tmp_path: Path) -> None:
    """A second run gives identical files; asking for fewer years changes no figure either."""
    again = write_sample(tmp_path, years=[2022, 2023, 2024])
    first = {f.file_name: f for f in cluster.manifest if f.year in (2022, 2023, 2024)}
    assert {f.file_name: f for f in again} == first
    assert any(f.flawed for f in again) and any(f.kind == "csv" for f in again)
    for f in again:
        assert (tmp_path / f.file_name).read_bytes() == (
            cluster.manifest.out_dir / f.file_name).read_bytes(), f.file_name


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_sample(tmp_path, scale="province")
    with pytest.raises(ValueError):
        write_sample(tmp_path, years=[2016])  # the cluster sample starts in 2018
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- national tests

def test_national_units_per_year_and_breakdowns(national: Sample) -> None:
    units: dict[int, set[str]] = defaultdict(set)
    for r in national.reports.values():
        assert r.unit_code is not None, r.path.name
        units[r.year].add(r.unit_code)
        for data in r.forms.values():
            assert 5 <= len(data.subunits) <= 30 and data.total is not None, r.path.name
    assert {y: len(u) for y, u in units.items()} == {2024: 126, 2025: 68}
    problems = {r.path.name: report_violations(r) for r in national.reports.values()}
    assert {k: v for k, v in problems.items() if v} == {}
    kind_of_unit = {(f.unit_code, f.year): f.kind for f in national.manifest}
    share = list(kind_of_unit.values()).count("csv") / len(kind_of_unit)
    assert 0.2 <= share <= 0.4  # about 30% of the units send CSV
    assert any(csv_text(national.manifest.out_dir / f.file_name)[1] == "cp1258"
               for f in national.manifest if f.kind == "csv")


def test_national_carried_over_follows_the_mergers(national: Sample) -> None:
    """2025 carried over = the predecessors' 2024 carried forward (ENF-09 across mergers)."""
    with (SEEDS / "ref_provinces.csv").open(encoding="utf-8", newline="") as fh:
        provinces = list(csv.DictReader(fh))
    successors = {p["province_code"]: p["successor_province_code"] or p["province_code"]
                  for p in provinces if not p["valid_from"]}
    figures = effective(list(national.reports.values()))
    for form in ENF_FORMS:
        expected: dict[str, Decimal] = defaultdict(Decimal)
        for old, new in successors.items():
            expected[new] += figures[f"THADS-{old}", 2024, form].unit_total()["carried_forward"]
        got = {code.split("-")[1]: data.unit_total()["carried_over"]
               for (code, year, f), data in figures.items()
               if year == 2025 and f == form and code.startswith("THADS")}
        assert got == dict(expected)


# --------------------------------------------------------------------------- with the parser

def _parser():
    try:
        from ingest.parse import parse_file
    except ImportError as exc:  # pragma: no cover - the parser is written in parallel
        pytest.skip(f"ingest.parse is not importable yet: {exc}")
    return parse_file


def test_every_sample_file_loads_or_is_rejected_as_expected(cluster: Sample) -> None:
    parse_file = _parser()
    for f in cluster.manifest:
        result = parse_file(cluster.manifest.out_dir / f.file_name, scope="cluster")
        if f.expected_rejection is not None:
            assert result.rejection is not None, f.file_name
            assert result.rejection.code == f.expected_rejection, (f.file_name, result.rejection)
            continue
        assert result.rejection is None, (f.file_name, result.rejection)
        assert {s.unit_code for s in result.submissions} == {f.unit_code}, f.file_name
        assert {(s.year, s.form) for s in result.submissions} == {(f.year, x) for x in f.forms}
        if f.report_date is not None:
            assert {s.report_date for s in result.submissions} == {f.report_date}, f.file_name


def test_national_sample_loads_with_the_national_scope(national: Sample) -> None:
    parse_file = _parser()
    for f in national.manifest:
        if f.year != 2025:
            continue
        result = parse_file(national.manifest.out_dir / f.file_name, scope="national")
        assert result.rejection is None, (f.file_name, result.rejection)
        assert {s.unit_code for s in result.submissions} == {f.unit_code}, f.file_name

"""Year-on-year changes on the same land, and what to say when the base is only part of it.

Every province's land is known as the pre-merger provinces it was made of (read.atoms_of): a
province of year N is compared with the provinces of N-1 whose land it covers, when together
they cover all of it and all of them reported. When the scope covered the same land in both
years with every member reporting, its totals are compared directly. Otherwise the change of
each domain is computed on the provinces that can be compared, and the report says so, with
the figures of that same basis ("so sánh trên 5/7 tỉnh có số liệu cả hai năm").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from orchestration.report import wording
from orchestration.report.model import Counts, FactRow, ReportData
from orchestration.report.read import DOMAIN_COUNTS


@dataclass(frozen=True)
class Basis:
    """What one domain's changes are computed on: the same land in N and N-1."""

    current: Counts
    previous: Counts
    current_codes: tuple[str, ...]  # the provinces of N compared
    previous_codes: tuple[str, ...]  # the provinces of N-1 whose figures make the base
    members: int  # how many provinces the scope has in N
    left_out: tuple[str, ...] = ()  # "Tuyên Quang (năm 2024 chỉ có số liệu của Hà Giang)"

    @property
    def partial(self) -> bool:
        return len(self.current_codes) < self.members

    @property
    def words(self) -> str:
        """ "5/7 tỉnh có số liệu cả hai năm" (said beside a change on a partial basis)."""
        return (f"{wording.count(len(self.current_codes))}/{wording.count(self.members)} tỉnh "
                "có số liệu cả hai năm")


@dataclass(frozen=True)
class Comparison:
    """The bases of the changes printed in the summary, per domain."""

    previous_year: int
    bases: dict[str, Basis]  # domain -> basis
    notes: tuple[str, ...]
    available: bool = True
    same_land: bool = True  # the scope covered the same land both years, every member reporting


@dataclass(frozen=True)
class Base:
    """One province's figures of N-1 on its land of N, or why there are none."""

    counts: Counts | None
    codes: tuple[str, ...]  # the N-1 provinces added up
    why_not: str = ""


def compare(data: ReportData) -> Comparison:
    previous_year = data.year - 1
    before = next((t for t in data.history if t.year == previous_year), None)
    if before is None:
        return Comparison(previous_year, {}, (
            f"Kho chưa có số liệu năm {previous_year} để so sánh.",), available=False)
    members = data.totals.member_codes
    same_land = (data.territories.get(data.year) == data.territories.get(previous_year)
                 and set(before.reporting_codes) == set(before.member_codes)
                 and set(data.totals.reporting_codes) == set(members))
    if same_land and before.member_codes == members:
        basis = Basis(data.totals.counts, before.counts, members, before.member_codes,
                      len(members))
        return Comparison(previous_year, dict.fromkeys(DOMAIN_COUNTS, basis), ())
    bases = {domain: _domain_basis(data, domain) for domain in DOMAIN_COUNTS}
    notes = [f"Vì địa bàn năm {data.year} khác năm {previous_year} (hợp nhất tỉnh), mức thay "
             "đổi được tính trên cùng địa bàn: số liệu năm trước của một tỉnh hợp nhất là tổng "
             "số liệu của các tỉnh cũ hợp thành."] if not same_land else []
    notes += _merged_notes(data)
    left_out = {d: wording.join(list(b.left_out)) for d, b in bases.items() if b.left_out}
    if len(set(left_out.values())) == 1 and len(left_out) == len(DOMAIN_COUNTS):
        notes.append(f"Không so sánh được {next(iter(left_out.values()))}.")
    else:
        notes += [f"Về {_DOMAIN_WORDS[d]}, không so sánh được {text}."
                  for d, text in left_out.items()]
    return Comparison(previous_year, bases, tuple(notes), same_land=same_land)


def base_of(data: ReportData, domain: str, code: str) -> Base:
    """Province `code` of year N in year N-1, on the same land."""
    year = data.year - 1
    land = data.atoms.get(data.year, {}).get(code, frozenset({code}))
    earlier = data.atoms.get(year, {})
    rows = {r.province_code: r for r in data.previous_facts.get(domain, ())}
    parts = sorted(c for c, atoms in earlier.items() if atoms and atoms <= land)
    reported = [c for c in parts if c in rows]
    covered = frozenset().union(*(earlier[c] for c in reported)) if reported else frozenset()
    if not reported:
        return Base(None, (), f"năm {year} chưa có số liệu")
    if covered != land:
        names = wording.join([_old_name(data, c, code) for c in reported])
        return Base(None, tuple(reported), f"năm {year} chỉ có số liệu của {names}")
    return Base(_sum([rows[c] for c in reported], DOMAIN_COUNTS[domain]), tuple(reported))


def _domain_basis(data: ReportData, domain: str) -> Basis:
    reported = {r.province_code: r for r in data.facts[domain]}
    now: list[FactRow] = []
    before: list[Counts] = []
    codes: list[str] = []
    previous_codes: list[str] = []
    left_out: list[str] = []
    for province in data.members:
        base = base_of(data, domain, province.code)
        if province.code not in reported:
            left_out.append(f"{province.short_name} (năm {data.year} chưa có số liệu)")
        elif base.counts is None:
            left_out.append(f"{province.short_name} ({base.why_not})")
        else:
            now.append(reported[province.code])
            before.append(base.counts)
            codes.append(province.code)
            previous_codes += base.codes
    columns = DOMAIN_COUNTS[domain]
    return Basis(_sum(now, columns), _add(before, columns), tuple(codes),
                 tuple(sorted(set(previous_codes))), len(data.members), tuple(left_out))


def _merged_notes(data: ReportData) -> list[str]:
    """Which provinces of N were put together from N-1's: each one when they are few, else how
    many and one example (a national report of 2025 has 23)."""
    year = data.year - 1
    earlier = data.atoms.get(year, {})
    lines = []
    for province in data.members:
        land = data.atoms.get(data.year, {}).get(province.code, frozenset())
        parts = sorted(c for c, atoms in earlier.items() if atoms and atoms <= land)
        if len(parts) > 1:
            former = wording.join([_old_name(data, c, province.code) for c in parts])
            lines.append((province.short_name, former))
    texts = [f"{name} năm {year} gồm địa bàn {former}." for name, former in lines]
    if len(texts) <= 3:
        return texts
    name, former = lines[0]
    return [f"Số liệu năm {year} của {wording.count(len(texts))} tỉnh, thành phố hợp nhất được "
            f"cộng từ các tỉnh cũ (ví dụ: {name} gồm địa bàn {former})."]


def _sum(rows: Sequence[FactRow], columns: Sequence[str]) -> Counts:
    return _add([r.counts for r in rows], columns)


def _add(counts: Iterable[Counts], columns: Sequence[str]) -> Counts:
    parts = list(counts)
    out: Counts = {}
    for column in columns:
        values = [c.get(column) for c in parts]
        out[column] = None if not parts or any(v is None for v in values) else sum(
            v for v in values if v is not None)
    return out


_DOMAIN_WORDS = {"dissemination": "phổ biến, giáo dục pháp luật", "mediation": "hòa giải",
                 "enforcement": "thi hành án dân sự"}


def _old_name(data: ReportData, code: str, current: str) -> str:
    """A province of N-1 by the name it had: "Hà Giang"; "Tuyên Quang cũ" when it shares the
    name of the province of N it became part of."""
    province = data.previous_provinces.get(code)
    name = province.short_name if province else code
    now = data.provinces.get(current)
    if now is not None and name == now.short_name and len(
            data.atoms.get(data.year, {}).get(current, ())) > 1:
        name += " cũ"
    return name

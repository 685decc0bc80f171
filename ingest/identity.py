"""Which unit a report comes from: its code or name resolved in the register for the report's
year, in scope, and entitled to the form it sends.

The register (ingest.reference) answers whether a unit exists; this module turns each "no"
into a message an officer can act on: the code is malformed, the unit was merged away (and into
which unit to report instead), it does not exist yet, or the name fits several units.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ingest.forms import FORM_UNIT_TYPE, UNIT_TYPE_FORMS
from ingest.reference import Registry, Unit
from ingest.text import Problem, echo

CLUSTER_NAME_VI = "cụm thi đua các tỉnh miền núi biên giới phía Bắc"
UNIT_TYPE_VI = {"STP": "Sở Tư pháp", "THADS": "cơ quan thi hành án dân sự"}
_UNIT_CODE = re.compile(r"(STP|THADS)\s*[-_ ]?\s*(\d{1,2})", re.IGNORECASE)


def normalise_unit_code(text: str) -> str | None:
    """"THADS-10", "thads 10", "STP_4" -> "THADS-10", "STP-04"; None if not a unit code."""
    match = _UNIT_CODE.fullmatch(text.strip())
    if match is None:
        return None
    return f"{match.group(1).upper()}-{int(match.group(2)):02d}"


def _in_sentence(province_name: str) -> str:
    """"Tỉnh Lào Cai" -> "tỉnh Lào Cai", as it reads mid-sentence."""
    for kind in ("Tỉnh ", "Thành phố "):
        if province_name.startswith(kind):
            return kind.lower() + province_name[len(kind):]
    return province_name


def _explain_absent(registry: Registry, versions: list[Unit], year: int, subject: str,
                    instead: str = "hãy báo cáo là") -> str:
    """Why `subject` (a quoted name or code) has no unit in `year`: merged away (`instead`
    introduces the successor to write), or not yet."""
    ends = [(u, registry.year_end(u.unit_type, year)) for u in versions]
    ended = [u for u, end in ends if u.valid_to is not None and u.valid_to < end]
    if ended:
        last = max(ended, key=lambda u: u.valid_to or date.min)
        successor = registry.successor_unit(last, year)
        old = next((p for p in registry.province_versions(last.province_code)
                    if p.valid_to is not None and p.valid_to == last.valid_to), None)
        when = (last.valid_to + timedelta(days=1)).strftime("%d/%m/%Y") if last.valid_to else ""
        if successor is not None and old is not None:
            new = registry.province(successor.province_code, year, successor.unit_type)
            new_name = _in_sentence(new.province_name) if new else successor.province_code
            old_name = _in_sentence(old.province_name)
            return (f"{subject} không còn hiệu lực năm {year}: {old_name} (mã "
                    f"{old.province_code}) đã hợp nhất vào {new_name} (mã "
                    f"{successor.province_code}) từ ngày {when}; năm {year} {instead} "
                    f'"{successor.unit_name}", mã {successor.unit_code}')
        return f"{subject} không còn hiệu lực năm {year} (chỉ có hiệu lực đến {when})"
    first = min(versions, key=lambda u: u.valid_from or date.min)
    since = first.valid_from.strftime("%d/%m/%Y") if first.valid_from else ""
    return f"{subject} chưa có năm {year} (chỉ có từ ngày {since})"


def resolve_unit_code(registry: Registry, raw: str, year: int, where: str,
                      instead: str = "hãy báo cáo là") -> Unit:
    """The unit a "Mã đơn vị" denotes in `year`; unit_unknown says why there is none (for a
    unit merged away, `instead` introduces its successor: a report "hãy báo cáo là" it)."""
    code = normalise_unit_code(raw)
    if code is None:
        raise Problem("unit_unknown", f'mã đơn vị "{echo(raw)}" không đúng dạng STP-PP hoặc '
                                      f"THADS-PP (PP là mã tỉnh), ví dụ THADS-10", where,
                      year=year)
    unit = registry.unit(code, year)
    if unit is not None:
        return unit
    versions = list(registry.unit_versions(code))
    if not versions:
        raise Problem("unit_unknown", f'không có đơn vị mã "{code}" trong danh mục đơn vị', where,
                      year=year)
    raise Problem("unit_unknown",
                  _explain_absent(registry, versions, year, f'mã đơn vị "{code}"', instead),
                  where, year=year)


def resolve_unit_name(registry: Registry, raw: str, year: int, where: str,
                      instead: str = "hãy báo cáo là") -> Unit:
    """The unit a typed "Đơn vị báo cáo" denotes in `year`; unit_unknown says why there is
    none (unknown, ambiguous, merged away, not yet existing)."""
    unit = registry.resolve_name(raw, year)
    if unit is not None:
        return unit
    versions = registry.name_candidates(raw)
    shown = f'đơn vị "{echo(raw)}"'
    if not versions:
        raise Problem("unit_unknown",
                      f"không tìm thấy {shown} trong danh mục đơn vị; hãy ghi đúng tên, ví dụ "
                      f'"Sở Tư pháp tỉnh Lào Cai" hoặc "Cục Thi hành án dân sự tỉnh Lào Cai", '
                      f'hoặc ghi thêm dòng "Mã đơn vị" (ví dụ STP-10)', where, year=year)
    valid = sorted({u.unit_code for u in versions
                    if u.valid_on(registry.year_end(u.unit_type, year))})
    if len(valid) > 1:
        raise Problem("unit_unknown", f"tên {shown} có thể là nhiều đơn vị ({', '.join(valid)}); "
                                      f'hãy ghi thêm dòng "Mã đơn vị"', where, year=year)
    raise Problem("unit_unknown", _explain_absent(registry, versions, year, shown, instead),
                  where, year=year)


def check_scope(registry: Registry, unit: Unit, year: int, scope: str) -> None:
    """Refuse a unit the load does not cover (a non-member province under "cluster")."""
    if not registry.in_scope(unit.unit_code, year, scope):
        raise Problem("unit_out_of_scope",
                      f'đơn vị "{unit.unit_name}" không thuộc {CLUSTER_NAME_VI} năm {year}',
                      year=year, unit_code=unit.unit_code)


def check_form_for_unit(unit: Unit, form: str, year: int, where: str) -> None:
    """Refuse a form of the other unit type (an STP sending a THADS form, or the reverse)."""
    if FORM_UNIT_TYPE[form] != unit.unit_type:
        forms = ", ".join(UNIT_TYPE_FORMS[unit.unit_type])
        raise Problem("form_not_for_unit",
                      f'đơn vị "{unit.unit_name}" ({unit.unit_code}) là '
                      f"{UNIT_TYPE_VI[unit.unit_type]}, chỉ báo cáo các biểu {forms}; biểu {form} "
                      f"là biểu của {UNIT_TYPE_VI[FORM_UNIT_TYPE[form]]}", where,
                      year=year, unit_code=unit.unit_code)


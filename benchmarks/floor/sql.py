"""The floor's ONE SQL statement: from the figures read to the three fact tables.

It parses numbers typed as Vietnamese text, picks the newest submission per unit, year and form
(by report date when every submission of the group carries one, else the one received later),
takes the unit total per indicator (the total row where the report has one, else the sum of the
sub-unit rows; rates are never summed), pivots into fct_dissemination, fct_mediation and
fct_enforcement and computes the rates. Inputs: the tables wb_values, csv_rows, floor_files and
floor_units, registered by compute.run_floor.
"""

from __future__ import annotations

from collections.abc import Iterable

DISSEMINATION_COUNTS = ("sessions", "attendees", "documents", "legal_reporters",
                        "legal_propagandists")
MEDIATION_COUNTS = ("teams", "mediators", "cases_received", "cases_successful",
                    "cases_unsuccessful", "cases_pending")
ENFORCEMENT_COUNTS = ("carried_over", "new", "accepted", "entrusted", "revoked", "to_enforce",
                      "eligible", "not_eligible", "completed", "terminated", "resolved",
                      "carried_forward")

# The contract columns of warehouse-contract.md, in contract order: what the floor computes and
# what `warehouse_facts` reads back for comparison.
FACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "fct_dissemination": ("province_code", "year", "unit_code", *DISSEMINATION_COUNTS),
    "fct_mediation": ("province_code", "year", "unit_code", *MEDIATION_COUNTS, "success_rate",
                      "reported_success_rate"),
    "fct_enforcement": (
        "province_code", "year", "unit_code",
        *(f"cases_{c}" for c in ENFORCEMENT_COUNTS), "case_resolution_rate",
        "reported_case_resolution_rate",
        *(f"money_{c}" for c in ENFORCEMENT_COUNTS), "money_resolution_rate",
        "reported_money_resolution_rate",
    ),
}


def _struct_list(table: str) -> str:
    columns = ", ".join(f"'{c}': {c}" for c in FACT_COLUMNS[table])
    # identifiers from FACT_COLUMNS only
    return (f"(select coalesce(list({{{columns}}} order by province_code, year, unit_code), "  # noqa: S608
            f"[]) from {table})")


def _pivot(indicators: Iterable[str], form: str, prefix: str = "") -> str:
    return ",\n        ".join(
        f"max(value) filter (where form = '{form}' and indicator = '{i}') as {prefix}{i}"
        for i in indicators)


def _rate(numerator: str, denominator: str) -> str:
    return (f"case when {denominator} is null or {denominator} = 0 then null "
            f"else 100.0::double * {numerator} / {denominator} end")


# Text figures the Vietnamese way ("27.430", "89,68", "83,44%") or the machine way ("89.68").
_GROUPED = r"[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]+)?"

# Built once from this module's constants (form codes, indicator names): no input goes in.
FACTS_SQL = f"""
with figures as (
    select file_id, unit_code, year, form, report_date, is_total, indicator, value_num,
           value_text
    from wb_values
    union all
    select file_id, trim(unit_code), cast(trim(year) as integer), upper(trim(form)),
           null::date, coalesce(trim(subunit), '') = '', trim(indicator), null::double, value
    from csv_rows
    where indicator is not null and coalesce(trim(value), '') <> ''
),
parsed as (
    select *, coalesce(value_num, case
        when regexp_full_match(t, '{_GROUPED}')
            then cast(replace(replace(t, '.', ''), ',', '.') as double)
        else cast(replace(t, ',', '.') as double) end) as value
    from (select *, replace(trim(value_text), '%', '') as t from figures)
),
submissions as (
    select p.file_id, p.unit_code, p.year, p.form, any_value(p.report_date) as report_date,
           any_value(f.mtime_ns) as mtime_ns, any_value(f.name) as name
    from parsed p join floor_files f on f.file_id = p.file_id
    group by p.file_id, p.unit_code, p.year, p.form
),
dated as (
    select *, bool_and(report_date is not null) over (partition by unit_code, year, form)
              as all_dated
    from submissions
),
winners as (
    select file_id, unit_code, year, form from (
        select *, row_number() over (
            partition by unit_code, year, form
            order by case when all_dated then report_date end desc nulls last,
                     mtime_ns desc, name desc) as submission_rank
        from dated)
    where submission_rank = 1
),
unit_totals as materialized (
    select p.unit_code, p.year, p.form, p.indicator,
           case when bool_or(p.is_total) then max(p.value) filter (where p.is_total)
                when p.indicator in ('success_rate', 'resolution_rate') then null
                else sum(p.value) filter (where not p.is_total) end as value
    from parsed p
    join winners w on w.file_id = p.file_id and w.unit_code = p.unit_code
                  and w.year = p.year and w.form = p.form
    group by p.unit_code, p.year, p.form, p.indicator
),
unit_year as materialized (
    select t.unit_code, t.year, u.province_code,
        {_pivot(DISSEMINATION_COUNTS, 'PBGDPL')},
        count(*) filter (where form = 'PBGDPL') > 0 as has_pbgdpl,
        {_pivot(MEDIATION_COUNTS, 'HOAGIAI')},
        max(value) filter (where form = 'HOAGIAI' and indicator = 'success_rate')
            as reported_success_rate,
        count(*) filter (where form = 'HOAGIAI') > 0 as has_hoagiai,
        {_pivot(ENFORCEMENT_COUNTS, 'THADS_VIEC', 'cases_')},
        max(value) filter (where form = 'THADS_VIEC' and indicator = 'resolution_rate')
            as reported_case_resolution_rate,
        {_pivot(ENFORCEMENT_COUNTS, 'THADS_TIEN', 'money_')},
        max(value) filter (where form = 'THADS_TIEN' and indicator = 'resolution_rate')
            as reported_money_resolution_rate,
        count(*) filter (where form in ('THADS_VIEC', 'THADS_TIEN')) > 0 as has_thads
    from unit_totals t
    join floor_units u on u.unit_code = t.unit_code and u.year = t.year
    group by t.unit_code, t.year, u.province_code
),
fct_dissemination as (
    select * from unit_year where has_pbgdpl
),
fct_mediation as (
    select *, {_rate('cases_successful', 'cases_received')} as success_rate
    from unit_year where has_hoagiai
),
fct_enforcement as (
    select *, {_rate('cases_resolved', 'cases_eligible')} as case_resolution_rate,
              {_rate('money_resolved', 'money_eligible')} as money_resolution_rate
    from unit_year where has_thads
)
select {_struct_list('fct_dissemination')} as fct_dissemination,
       {_struct_list('fct_mediation')} as fct_mediation,
       {_struct_list('fct_enforcement')} as fct_enforcement
"""  # noqa: S608

-- GEN-03: a main indicator (sessions, cases_received, accepted, eligible, resolved) more
-- than twice, or less than half, the median of the same unit's other years, where the unit has
-- at least 3 other years with the figure. Catches a digit typed twice or money entered in đồng
-- instead of thousand đồng; a steady trend (even ±15 % a year) stays inside the band.
--
-- "The unit's own history" is one unit code over one territory: a province row of
-- ref_provinces (valid on the period's last day) is one territory, so THADS-15 of Lào Cai from
-- 2025 is not compared with THADS-15 of Yên Bái before the merger. A median of 0 gives no
-- scale to compare with and is skipped. One row per unit, year, form and indicator.
--
-- id, severity and messages: the rule catalogue (_quality__cross_row_rules.yml).
with unit_totals as (
    select * from {{ ref('int_unit_totals') }}
),

winners as (
    select * from {{ ref('int_winning_submissions') }}
),

provinces as (
    select * from {{ ref('stg_reference__provinces') }}
),

main_figures as (
    select
        unit_totals.unit_code,
        unit_totals.province_code,
        unit_totals.year,
        unit_totals.form,
        unit_totals.indicator,
        unit_totals.value,
        winners.unit_display_name,
        provinces.effective_from as territory_from
    from unit_totals
    inner join winners
        on winners.submission_id = unit_totals.submission_id
    left join provinces
        on provinces.province_code = unit_totals.province_code
        and winners.period_end between provinces.effective_from and provinces.effective_to
    where
        unit_totals.value is not null
        and (
            (unit_totals.form = 'PBGDPL' and unit_totals.indicator = 'sessions')
            or (unit_totals.form = 'HOAGIAI' and unit_totals.indicator = 'cases_received')
            or (
                unit_totals.form in ('THADS_VIEC', 'THADS_TIEN')
                and unit_totals.indicator in ('accepted', 'eligible', 'resolved')
            )
        )
),

compared as (
    select
        figure.unit_code,
        figure.province_code,
        figure.year,
        figure.form,
        figure.indicator,
        figure.value,
        figure.unit_display_name,
        count(other.value) as other_years,
        {{ median('other.value') }} as other_years_median
    from main_figures as figure
    inner join main_figures as other
        on other.unit_code = figure.unit_code
        and other.form = figure.form
        and other.indicator = figure.indicator
        and other.territory_from is not distinct from figure.territory_from
        and other.year <> figure.year
    group by
        figure.unit_code,
        figure.province_code,
        figure.year,
        figure.form,
        figure.indicator,
        figure.value,
        figure.unit_display_name
),

final as (
    select
        {{ quality_rule('id') }} as rule_id,
        {{ quality_rule('severity') }} as severity,
        form,
        unit_code,
        province_code,
        year,
        unit_display_name,
        concat_ws('|', {{ quality_rule('id') }}, unit_code, year, form, indicator) as violation_key,
        {{ json_object_text([('indicator', 'indicator'), ('value', 'value')]) }} as values_json,
        {{ json_object_text([
            ('median', 'other_years_median'),
            ('other_years', 'other_years'),
        ]) }} as context_json
    from compared
    where
        other_years >= 3
        and other_years_median > 0
        and (value > 2 * other_years_median or value < 0.5 * other_years_median)
)

select * from final

-- ENF-09: carried_over of year N = carried_forward of year N-1 for the same territory.
--
-- The territory of a THADS unit's province in year N came, at the end of year N-1, from the
-- provinces valid then whose territory it now holds: the province itself when it is still valid,
-- or the provinces merged into it (ref_provinces.successor_province_code; Lào Cai 15 in 2025 <-
-- Lào Cai 10 + Yên Bái 15 in 2024). Provinces are read as valid on the last day of each year's
-- reporting period. The expected figure is the sum of the predecessors' carried_forward, checked
-- only when ALL predecessors reported it (and the unit reported carried_over); otherwise the rule
-- is skipped. One row per violation.
--
-- id, severity and messages: the rule catalogue (_quality__cross_row_rules.yml).
with enforcement as (
    select
        enforcement.unit_code,
        enforcement.province_code,
        enforcement.year,
        enforcement.form,
        enforcement.unit_display_name,
        enforcement.carried_over,
        enforcement.carried_forward,
        periods.period_end
    from {{ ref('int_enforcement_unit_year_form') }} as enforcement
    inner join {{ ref('int_reporting_periods') }} as periods
        on periods.form = enforcement.form
        and periods.year = enforcement.year
),

periods as (
    select * from {{ ref('int_reporting_periods') }}
),

provinces as (
    select * from {{ ref('stg_reference__provinces') }}
),

checked as (
    select * from enforcement
    where carried_over is not null
),

predecessors as (
    select
        checked.unit_code,
        checked.year,
        checked.form,
        previous_province.province_code as predecessor_province_code
    from checked
    inner join periods as previous_period
        on previous_period.form = checked.form
        and previous_period.year = checked.year - 1
    inner join provinces as previous_province
        on previous_province.effective_from <= previous_period.period_end
        and previous_province.effective_to >= previous_period.period_end
    where checked.province_code = case
        when previous_province.effective_to < checked.period_end
            then previous_province.successor_province_code
        else previous_province.province_code
    end
),

predecessor_reports as (
    select
        predecessors.unit_code,
        predecessors.year,
        predecessors.form,
        predecessors.predecessor_province_code,
        previous.unit_code as predecessor_unit_code,
        previous.unit_display_name as predecessor_unit_name,
        previous.carried_forward
    from predecessors
    left join enforcement as previous
        on previous.province_code = predecessors.predecessor_province_code
        and previous.year = predecessors.year - 1
        and previous.form = predecessors.form
),

summed as (
    select
        unit_code,
        year,
        form,
        count(*) as predecessor_count,
        count(carried_forward) as reported_count,
        sum(carried_forward) as expected,
        {{ json_list_agg(
            [('unit_code', 'predecessor_unit_code'), ('carried_forward', 'carried_forward')],
            order_by='predecessor_province_code',
        ) }} as predecessor_values,
        {{ json_list_agg(
            [
                ('unit_code', 'predecessor_unit_code'),
                ('unit_name', 'predecessor_unit_name'),
                ('province_code', 'predecessor_province_code'),
            ],
            order_by='predecessor_province_code',
        ) }} as predecessor_names
    from predecessor_reports
    group by unit_code, year, form
),

final as (
    select
        {{ quality_rule('id') }} as rule_id,
        {{ quality_rule('severity') }} as severity,
        checked.form,
        checked.unit_code,
        checked.province_code,
        checked.year,
        checked.unit_display_name,
        concat_ws('|', {{ quality_rule('id') }}, checked.unit_code, checked.year, checked.form)
            as violation_key,
        {{ json_object_text([
            ('carried_over', 'checked.carried_over'),
            ('expected', 'summed.expected'),
            ('predecessors', json_list_value('summed.predecessor_values')),
        ]) }} as values_json,
        {{ json_object_text([
            ('previous_year', 'checked.year - 1'),
            ('merger', '(summed.predecessor_count > 1 or '
                ~ json_list_first_field('summed.predecessor_names', 'province_code')
                ~ ' <> checked.province_code)'),
            ('predecessors', json_list_value('summed.predecessor_names')),
        ]) }} as context_json
    from checked
    inner join summed
        on summed.unit_code = checked.unit_code
        and summed.year = checked.year
        and summed.form = checked.form
    where
        summed.predecessor_count > 0
        and summed.reported_count = summed.predecessor_count
        and checked.carried_over <> summed.expected
)

select * from final

{#
    TGT-01: a targets decision for year N exists, but a THADS unit in scope in year N has no
    target for case_resolution_rate or for money_resolution_rate (id, severity and messages:
    the rule catalogue, _quality__cross_row_rules.yml). One violation per unit, year and
    missing indicator; `form` is the form the indicator's rate comes from. The decision in
    force for the THADS units, when there is one, goes into the message (context).
#}
with decisions as (
    select * from {{ ref('int_target_decisions_ranked') }}
),

units_in_scope as (
    select * from {{ ref('int_units_in_scope') }}
),

unit_targets as (
    select * from {{ ref('int_unit_targets') }}
),

decision_years as (
    select distinct year from decisions
),

thads_decisions as (
    select * from decisions
    where is_in_force and unit_type = 'THADS'
),

indicators as (
    select
        'case_resolution_rate' as indicator,
        'THADS_VIEC' as form
    union all
    select
        'money_resolution_rate' as indicator,
        'THADS_TIEN' as form
),

expected as (
    select
        units_in_scope.unit_code,
        units_in_scope.province_code,
        units_in_scope.year,
        units_in_scope.unit_display_name,
        indicators.indicator,
        indicators.form
    from units_in_scope
    inner join decision_years
        on decision_years.year = units_in_scope.year
    cross join indicators
    where units_in_scope.unit_type = 'THADS'
),

final as (
    select
        {{ quality_rule('id') }} as rule_id,
        {{ quality_rule('severity') }} as severity,
        expected.form,
        expected.unit_code,
        expected.province_code,
        expected.year,
        expected.unit_display_name,
        concat_ws(
            '|', {{ quality_rule('id') }}, expected.unit_code, expected.year,
            expected.indicator
        ) as violation_key,
        {{ json_object_text([('indicator', 'expected.indicator')]) }} as values_json,
        {{ json_object_text([
            ('decision_number', 'thads_decisions.decision_number'),
            ('decision_date', 'thads_decisions.decision_date'),
            ('source_file', 'thads_decisions.source_file'),
        ]) }} as context_json
    from expected
    left join thads_decisions
        on thads_decisions.year = expected.year
    where not exists (
        select 1
        from unit_targets
        where
            unit_targets.unit_code = expected.unit_code
            and unit_targets.year = expected.year
            and unit_targets.indicator = expected.indicator
    )
)

select * from final

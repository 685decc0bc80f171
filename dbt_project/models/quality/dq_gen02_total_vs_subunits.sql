-- GEN-02: where a report has sub-unit rows and a total row, the total equals the sum of
-- the sub-units, per indicator. Winning submissions only (the figures the warehouse publishes);
-- rates are not additive and are never compared. One row per submission and indicator.
--
-- id, severity and messages: the rule catalogue (_quality__cross_row_rules.yml).
with unit_totals as (
    select * from {{ ref('int_unit_totals') }}
),

winners as (
    select * from {{ ref('int_winning_submissions') }}
),

final as (
    select
        {{ quality_rule('id') }} as rule_id,
        {{ quality_rule('severity') }} as severity,
        unit_totals.form,
        unit_totals.unit_code,
        unit_totals.province_code,
        unit_totals.year,
        winners.unit_display_name,
        concat_ws(
            '|',
            {{ quality_rule('id') }},
            unit_totals.unit_code,
            unit_totals.year,
            unit_totals.form,
            unit_totals.indicator
        ) as violation_key,
        {{ json_object_text([
            ('indicator', 'unit_totals.indicator'),
            ('reported_total', 'unit_totals.reported_total'),
            ('subunit_sum', 'unit_totals.subunit_sum'),
        ]) }} as values_json,
        {{ json_object_text([
            ('subunit_count', 'unit_totals.subunit_count'),
            ('source_file', 'winners.source_file'),
        ]) }} as context_json
    from unit_totals
    inner join winners
        on winners.submission_id = unit_totals.submission_id
    where
        not unit_totals.is_rate
        and unit_totals.reported_total is not null
        and unit_totals.subunit_sum is not null
        and unit_totals.subunit_count > 0
        and unit_totals.reported_total <> unit_totals.subunit_sum
)

select * from final

-- The target in force for every unit in scope, year and indicator: the rows of the decision in
-- force for the year and the unit's type (int_target_decisions_ranked), a unit's own row
-- overriding its type's row. A target outside 0-100 never gets through (ingest rejects such a
-- decision; a row that reached the raw layer anyway is dropped, not replaced by the type's).
with decisions_in_force as (
    select * from {{ ref('int_target_decisions_ranked') }}
    where is_in_force
),

target_values as (
    select * from {{ ref('stg_raw__target_values') }}
),

units_in_scope as (
    select * from {{ ref('int_units_in_scope') }}
),

rows_in_force as (
    select
        target_values.*,
        decisions_in_force.year,
        decisions_in_force.decision_number,
        decisions_in_force.decision_date,
        decisions_in_force.issuer,
        decisions_in_force.sha256,
        decisions_in_force.source_file,
        decisions_in_force.received_at
    from target_values
    inner join decisions_in_force
        on decisions_in_force.decision_id = target_values.decision_id
        and decisions_in_force.unit_type = target_values.unit_type
),

candidates as (
    select
        units_in_scope.unit_code,
        units_in_scope.unit_type,
        units_in_scope.province_code,
        units_in_scope.year,
        units_in_scope.period_end,
        units_in_scope.unit_name,
        units_in_scope.unit_display_name,
        units_in_scope.unit_key,
        units_in_scope.province_key,
        rows_in_force.indicator,
        rows_in_force.comparator,
        rows_in_force.target,
        rows_in_force.target_decimals,
        case when rows_in_force.is_type_wide then 'unit_type' else 'unit' end as target_level,
        rows_in_force.decision_id,
        rows_in_force.decision_number,
        rows_in_force.decision_date,
        rows_in_force.issuer,
        rows_in_force.sha256,
        rows_in_force.source_file,
        rows_in_force.source_cell,
        rows_in_force.received_at,
        row_number() over (
            partition by units_in_scope.unit_code, units_in_scope.year, rows_in_force.indicator
            order by rows_in_force.is_type_wide
        ) as precedence
    from units_in_scope
    inner join rows_in_force
        on rows_in_force.year = units_in_scope.year
        and rows_in_force.unit_type = units_in_scope.unit_type
        and rows_in_force.unit in (units_in_scope.unit_code, units_in_scope.unit_type)
),

final as (
    select
        unit_code,
        unit_type,
        province_code,
        year,
        period_end,
        unit_name,
        unit_display_name,
        unit_key,
        province_key,
        indicator,
        comparator,
        target,
        target_decimals,
        target_level,
        decision_id,
        decision_number,
        decision_date,
        issuer,
        sha256,
        source_file,
        source_cell,
        received_at
    from candidates
    where precedence = 1 and target between 0 and 100
)

select * from final

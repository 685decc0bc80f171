-- The units in the load's scope for every reporting year (macro load_scope): the cluster's
-- members' units, or every unit valid that year. A unit is valid for year N when its register
-- row is valid on the last day of its type's reporting period (so in 2025 Lào Cai's units are
-- STP-15/THADS-15, not the -10 ones), with the keys of its dim_unit and dim_province rows. Who
-- is expected to report (GEN-01) and who a type-wide target applies to (int_unit_targets).
{%- set scope = load_scope() %}
with periods as (
    select distinct
        unit_type,
        year,
        period_end
    from {{ ref('int_reporting_periods') }}
),

units as (
    select * from {{ ref('stg_reference__units') }}
),

provinces as (
    select * from {{ ref('stg_reference__provinces') }}
),

members as (
    select * from {{ ref('int_cluster_member_years') }}
),

final as (
    select
        units.unit_code,
        units.unit_type,
        units.province_code,
        periods.year,
        periods.period_end,
        units.unit_name,
        units.display_name as unit_display_name,
        {{ dimension_key('units.unit_code', 'units.valid_from') }} as unit_key,
        {{ dimension_key('provinces.province_code', 'provinces.valid_from') }} as province_key
    from periods
    inner join units
        on units.unit_type = periods.unit_type
        and periods.period_end between units.effective_from and units.effective_to
    left join provinces
        on provinces.province_code = units.province_code
        and periods.period_end between provinces.effective_from and provinces.effective_to
    {%- if scope == 'cluster' %}
        inner join members
            on members.province_code = units.province_code
            and members.year = periods.year
    {%- endif %}
)

select * from final

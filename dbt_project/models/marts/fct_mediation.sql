-- Grassroots mediation (HOAGIAI) per province and reporting year; success_rate computed from
-- the counts, the unit's own figure beside it.
with mediation as (
    select * from {{ ref('int_mediation_unit_year') }}
),

final as (
    select
        province_code,
        year,
        unit_code,
        {% for indicator in var('mediation_count_indicators') -%}
            {{ indicator }},
        {% endfor -%}
        {{ public_rate(percentage('cases_successful', 'cases_received')) }} as success_rate,
        {{ public_rate('reported_success_rate') }} as reported_success_rate,
        reported_success_rate_decimals,
        unit_name,
        province_name,
        current_province_code,
        submission_id,
        source_file,
        sha256,
        received_at,
        loaded_at,
        report_date,
        unit_key,
        province_key
    from mediation
)

select * from final

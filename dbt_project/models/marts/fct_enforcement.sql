-- Civil judgment enforcement per province and reporting year: THADS_VIEC as cases_*,
-- THADS_TIEN as money_* (thousand VND). The row exists when either form was reported; the
-- other form's columns are then NULL. Rates computed from the counts, the unit's own beside.
{%- set counts = var('enforcement_count_indicators') %}
with enforcement as (
    select * from {{ ref('int_enforcement_unit_year_form') }}
),

cases as (
    select * from enforcement
    where form = 'THADS_VIEC'
),

money as (
    select * from enforcement
    where form = 'THADS_TIEN'
),

final as (
    select
        coalesce(cases.province_code, money.province_code) as province_code,
        coalesce(cases.year, money.year) as year,
        coalesce(cases.unit_code, money.unit_code) as unit_code,
        {% for indicator in counts -%}
            cases.{{ indicator }} as cases_{{ indicator }},
        {% endfor -%}
        {{ public_rate(percentage('cases.resolved', 'cases.eligible')) }} as case_resolution_rate,
        {{ public_rate('cases.reported_resolution_rate') }} as reported_case_resolution_rate,
        cases.reported_resolution_rate_decimals as reported_case_resolution_rate_decimals,
        {% for indicator in counts -%}
            money.{{ indicator }} as money_{{ indicator }},
        {% endfor -%}
        {{ public_rate(percentage('money.resolved', 'money.eligible')) }} as money_resolution_rate,
        {{ public_rate('money.reported_resolution_rate') }} as reported_money_resolution_rate,
        money.reported_resolution_rate_decimals as reported_money_resolution_rate_decimals,
        coalesce(cases.unit_name, money.unit_name) as unit_name,
        coalesce(cases.province_name, money.province_name) as province_name,
        coalesce(cases.current_province_code, money.current_province_code)
            as current_province_code,
        cases.submission_id as cases_submission_id,
        cases.source_file as cases_source_file,
        cases.sha256 as cases_sha256,
        cases.received_at as cases_received_at,
        cases.loaded_at as cases_loaded_at,
        cases.report_date as cases_report_date,
        money.submission_id as money_submission_id,
        money.source_file as money_source_file,
        money.sha256 as money_sha256,
        money.received_at as money_received_at,
        money.loaded_at as money_loaded_at,
        money.report_date as money_report_date,
        coalesce(cases.unit_key, money.unit_key) as unit_key,
        coalesce(cases.province_key, money.province_key) as province_key
    from cases
    full outer join money
        on money.unit_code = cases.unit_code
        and money.year = cases.year
)

select * from final

{#
    GEN-01: every unit in scope in year N has a report for N, per form (id, severity and
    messages: the rule catalogue, _quality__cross_row_rules.yml).

    Who is in scope each year: int_units_in_scope (var tuphap_scope: the cluster's members by
    default, or every unit valid that year, as on the last day of the form's reporting period).
    var tuphap_years (passed by the orchestration): '2018-2025' or '2024', the years expected;
    empty (default): the years present in the loaded submissions.
#}
{%- set scope = load_scope() -%}
{%- set years_text = var('tuphap_years', '') | string | trim -%}
{%- if years_text in ('', 'none', 'None') -%}
    {%- set year_bounds = none -%}
{%- else -%}
    {%- set parts = years_text.split('-') -%}
    {%- if parts | length > 2 or not parts[0].strip().isdigit() or not parts[-1].strip().isdigit() -%}
        {{ exceptions.raise_compiler_error("tuphap_years must look like '2018-2025' or '2024', not '" ~ years_text ~ "'") }}
    {%- endif -%}
    {%- set year_bounds = [parts[0].strip() | int, parts[-1].strip() | int] -%}
{%- endif %}
with submissions as (
    select * from {{ ref('int_submissions_ranked') }}
),

periods as (
    select * from {{ ref('int_reporting_periods') }}
),

units_in_scope as (
    select * from {{ ref('int_units_in_scope') }}
),

expected_years as (
    {%- if year_bounds is none %}
        select distinct year from submissions
    {%- else %}
        select cast(spine.year as integer) as year
        from generate_series({{ year_bounds[0] }}, {{ year_bounds[1] }}) as spine (year)
    {%- endif %}
),

expected_reports as (
    select
        units_in_scope.unit_code,
        units_in_scope.province_code,
        units_in_scope.unit_display_name,
        periods.form,
        periods.year
    from periods
    inner join expected_years
        on expected_years.year = periods.year
    inner join units_in_scope
        on units_in_scope.unit_type = periods.unit_type
        and units_in_scope.year = periods.year
),

final as (
    select
        {{ quality_rule('id') }} as rule_id,
        {{ quality_rule('severity') }} as severity,
        expected_reports.form,
        expected_reports.unit_code,
        expected_reports.province_code,
        expected_reports.year,
        expected_reports.unit_display_name,
        concat_ws(
            '|', {{ quality_rule('id') }}, expected_reports.unit_code, expected_reports.year,
            expected_reports.form
        ) as violation_key,
        {{ json_object_text([('reports_received', '0')]) }} as values_json,
        {{ json_object_text([('scope', "'" ~ scope ~ "'")]) }} as context_json
    from expected_reports
    where not exists (
        select 1
        from submissions
        where
            submissions.unit_code = expected_reports.unit_code
            and submissions.year = expected_reports.year
            and submissions.form = expected_reports.form
    )
)

select * from final

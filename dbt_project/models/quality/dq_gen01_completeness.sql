{#
    GEN-01: every unit in scope in year N has a report for N, per form (id, severity and
    messages: the rule catalogue, _quality__cross_row_rules.yml).

    vars (passed by the orchestration):
      tuphap_scope  'cluster' (default): the cluster's members of year N (ref_cluster_membership);
                    'national': every unit valid in year N.
      tuphap_years  '2018-2025' or '2024': the years expected; empty (default): the years present
                    in the loaded submissions.
    A unit is "valid in year N" when its register row is valid on the last day of the form's
    reporting period (so in 2025 Lào Cai's units are STP-15/THADS-15, not the -10 ones).
#}
{%- set scope = var('tuphap_scope', 'cluster') | string | trim | lower -%}
{%- if scope not in ('cluster', 'national') -%}
    {{ exceptions.raise_compiler_error("tuphap_scope must be 'cluster' or 'national', not '" ~ scope ~ "'") }}
{%- endif -%}
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

units as (
    select * from {{ ref('stg_reference__units') }}
),

members as (
    select * from {{ ref('int_cluster_member_years') }}
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
        units.unit_code,
        units.province_code,
        units.display_name as unit_display_name,
        periods.form,
        periods.year
    from periods
    inner join expected_years
        on expected_years.year = periods.year
    inner join units
        on units.unit_type = periods.unit_type
        and periods.period_end between units.effective_from and units.effective_to
    {%- if scope == 'cluster' %}
        inner join members
            on members.province_code = units.province_code
            and members.year = periods.year
    {%- endif %}
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

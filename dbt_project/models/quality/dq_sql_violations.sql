-- Every violation of the cross-row rules (ENF-09, GEN-01..GEN-04, TGT-01) found in this
-- build, in one shape. orchestration/quality merges these, with the Great Expectations row-rule
-- results, into the history table main.dq_issues (managed in Python: it keeps issues across
-- loads).
-- values_json holds the operands (they identify the violation: the issue fingerprint);
-- context_json only helps the Vietnamese message (file names, predecessor units, medians).
-- A new cross-row rule's model is listed here (tests/quality/test_catalogue.py checks that
-- the list is the catalogue's cross-row rules).
{%- set rule_models = [
    'dq_enf09_carry_over',
    'dq_gen01_completeness',
    'dq_gen02_total_vs_subunits',
    'dq_gen03_outliers',
    'dq_gen04_superseded',
    'dq_tgt01_missing_targets',
] %}
with unioned as (
    {%- for model in rule_models %}
        select
            violation_key,
            rule_id,
            severity,
            form,
            unit_code,
            province_code,
            year,
            unit_display_name,
            values_json,
            context_json
        from {{ ref(model) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select * from unioned

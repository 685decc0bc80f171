-- Legal dissemination (PBGDPL) per province and reporting year: the province's STP unit's
-- winning submission, with its lineage.
with dissemination as (
    select * from {{ ref('int_dissemination_unit_year') }}
),

final as (
    select
        province_code,
        year,
        unit_code,
        {% for indicator in var('dissemination_indicators') -%}
            {{ indicator }},
        {% endfor -%}
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
    from dissemination
)

select * from final

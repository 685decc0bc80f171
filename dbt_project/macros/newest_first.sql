{#
    The order that makes a submission's newest version come first, for reports (report-format.md:
    "the later Ngày lập báo cáo where both submissions carry one, and otherwise the one received
    later") and for targets decisions ("by date, then by receipt"): by `date_column` descending
    when `all_dated` (every member of the group carries a date), else by receipt; then the file's
    modification time, name and sha256, so the choice is deterministic. `relation` names the
    rows' CTE (received_at, file_modified_at, source_file, sha256 are its columns).
#}
{% macro newest_first(relation, date_column, all_dated) -%}
    case when {{ all_dated }} then {{ relation }}.{{ date_column }} end desc nulls last,
    {{ relation }}.received_at desc,
    {{ relation }}.file_modified_at desc nulls last,
    {{ bytewise(relation ~ '.source_file') }} desc,
    {{ bytewise(relation ~ '.sha256') }} desc
{%- endmacro %}

{#
    Every per-column value check of a model in ONE test node and one query. dbt spends ~45 ms
    of its own Python per test node whatever the query, so a model's ten `not_null` tests cost
    ten times what one multi-column query does; this keeps every assertion and names the column.

    Arguments (each optional, at least one given):
      not_null:        [column, ...]   the column is never NULL
      not_negative:    [column, ...]   the column is never < 0 (NULL passes: "not reported")
      between:         {column: [low, high], ...}   the column is within [low, high] (NULL
                                       passes), e.g. a percentage: [0, 100]
      accepted_values: {column: [value, ...], ...}   the column's non-NULL values are among
                                       these strings (NULL passes, as in dbt's accepted_values)
      unique:          [column, ...]   the column's non-NULL values are unique (a second key;
                                       the primary key keeps its own unique /
                                       unique_combination_of_columns test)
      relationships:   {column: {to: "ref('parent')", field: parent_column}, ...}
                                       every non-NULL value exists in the parent's column
                                       (as dbt's relationships; field defaults to column)

    A failing row is returned once per broken check, with `failing_column` and `failed_check`
    in front of the model's columns, so `dbt test --store-failures` (or the compiled query)
    shows which column of which row broke which check.
#}
{% test column_values(
    model, not_null=[], not_negative=[], between={}, accepted_values={}, unique=[],
    relationships={}
) %}
{%- set checks = [] %}
{%- for column in not_null %}
    {%- do checks.append((column, 'not_null', adapter.quote(column) ~ ' is null')) %}
{%- endfor %}
{%- for column in not_negative %}
    {%- do checks.append((column, 'not_negative', adapter.quote(column) ~ ' < 0')) %}
{%- endfor %}
{%- for column, bounds in between.items() %}
    {%- do checks.append((column, 'between', adapter.quote(column) ~ ' not between '
        ~ (bounds[0] | float) ~ ' and ' ~ (bounds[1] | float))) %}
{%- endfor %}
{%- for column, values in accepted_values.items() %}
    {%- set literals = [] %}
    {%- for value in values %}
        {%- do literals.append("'" ~ (value | string | replace("'", "''")) ~ "'") %}
    {%- endfor %}
    {%- do checks.append((column, 'accepted_values',
        adapter.quote(column) ~ ' not in (' ~ literals | join(', ') ~ ')')) %}
{%- endfor %}
{%- for column in unique %}
    {%- do checks.append((column, 'unique', adapter.quote(column) ~ ' in (select '
        ~ adapter.quote(column) ~ ' from model_rows group by 1 having count(*) > 1)')) %}
{%- endfor %}
{%- for column, parent in relationships.items() %}
    {%- set field = adapter.quote(parent.get('field', column)) %}
    {%- do checks.append((column, 'relationships', '(' ~ adapter.quote(column) ~ ' is not null and '
        ~ adapter.quote(column) ~ ' not in (select ' ~ field ~ ' from ' ~ parent['to']
        ~ ' where ' ~ field ~ ' is not null))')) %}
{%- endfor %}
{%- if checks | length == 0 %}
    {{ exceptions.raise_compiler_error(
        "column_values on " ~ model ~ ": nothing to check") }}
{%- endif %}
with model_rows as (
    select * from {{ model }}
),

-- one scan: the rows that break at least one check
suspects as (
    select *
    from model_rows
    where false
    {%- for check in checks %}
        or {{ check[2] }}
    {%- endfor %}
)

{%- for check in checks %}
select
    '{{ check[0] }}' as failing_column,
    '{{ check[1] }}' as failed_check,
    suspects.*
from suspects
where {{ check[2] }}
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endtest %}

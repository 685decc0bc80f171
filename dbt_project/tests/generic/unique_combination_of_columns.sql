{#
    The combination of columns is unique (a composite primary key). NULLs compare equal, as in
    GROUP BY, so a key with a nullable part (valid_from of the reference data) is still checked.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as duplicate_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}

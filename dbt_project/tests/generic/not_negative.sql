{#
    Counts and money are never negative (ingest rejects negative figures); NULL means "not
    reported" and passes.
#}
{% test not_negative(model, column_name) %}
select *
from {{ model }}
where {{ column_name }} < 0
{% endtest %}

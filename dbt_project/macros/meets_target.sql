{#
    Whether a rate computed from counts, 100 × numerator / denominator, meets a target: for
    'trên' strictly above it, for 'từ' at least it (domain.md, "Targets"). Decided exactly, as
    rule ENF-08 compares rates: the rate unrounded (never the printed one: 81,504% is above
    "trên 81,50%"), and the target as written with its `decimals`, both as whole numbers in
    exact integer arithmetic (100 × numerator × 10^decimals against target × 10^decimals ×
    denominator). A float comparison could call a rate exactly on the target above or below it.
    NULL (not decided) when a count is not reported or the denominator is 0.
#}
{% macro meets_target(numerator, denominator, comparator, target, decimals) -%}
    {%- set scale = 'pow(10, ' ~ decimals ~ ')' -%}
    {%- set achieved = '100 * ' ~ exact_integer(numerator) ~ ' * ' ~ exact_integer(scale) -%}
    {%- set required = exact_integer(round_half_away_from_zero(target ~ ' * ' ~ scale))
        ~ ' * ' ~ exact_integer(denominator) -%}
    case
        when
            {{ numerator }} is null
            or {{ denominator }} is null
            or {{ denominator }} = 0
            then null
        when {{ comparator }} = 'trên' then {{ achieved }} > {{ required }}
        when {{ comparator }} = 'từ' then {{ achieved }} >= {{ required }}
    end
{%- endmacro %}

{#
    The data-quality rule catalogue as SQL. Each rule is declared once, in `config: meta: rules:`
    of the quality model that evaluates it (models/quality/_quality__*.yml, whose header
    describes the format); Python reads the same YAML (expectations/catalogue.py). These macros
    read the calling model's rules when dbt compiles it (`execute`): at parse time, and under
    sqlfluff's templater, there is no config to read, and they render no rule column and a NULL
    placeholder (nothing they generate needs a ref, so dbt's lineage is whole without them).
#}

{#
    The prepared columns of the row rules of this model, each rendered as
    ",<newline> <expression> as <column>", to follow the model's last plain column:
      assert: L = R   -> L - (R), must be 0         assert: L <= R -> L - (R), must be <= 0
      rate            -> the reported rate minus 100 x numerator / denominator rounded half up
                         to the printed precision, in units of the last printed digit (0 when
                         they agree), plus the unrounded rate as `computed_column`
    A check without `column` (L <= R on two plain columns) is compared by Great Expectations
    directly and needs no column here.
#}
{% macro row_rule_columns() -%}
    {%- if execute -%}
        {%- for rule in model.config.meta.get('rules', []) -%}
            {%- for check in rule.get('checks', []) if check.get('column') -%}
                {%- if check.get('rate') -%}
                    {%- set rate = check['rate'] %},
        {{ rate_difference(
            quality_column(rate['reported']), quality_column(rate['decimals']),
            quality_column(rate['numerator']), quality_column(rate['denominator'])
        ) }} as {{ quality_column(check['column']) }}
                    {%- if check.get('computed_column') %},
        {{ percentage(quality_column(rate['numerator']), quality_column(rate['denominator'])) }}
            as {{ quality_column(check['computed_column']) }}
                    {%- endif -%}
                {%- else -%}
                    {%- set sides = quality_comparison(check['assert'], rule['id']) %},
        {{ sides[0] }} - ({{ sides[1] }}) as {{ quality_column(check['column']) }}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#
    A field (id, severity) of the one rule this cross-row model evaluates, as a SQL string
    literal: 'GEN-02' as rule_id.
#}
{% macro quality_rule(field) -%}
    {%- if execute -%}
        {%- set rules = model.config.meta.get('rules', []) -%}
        {%- if rules | length != 1 -%}
            {{ exceptions.raise_compiler_error(
                model.name ~ " must declare exactly one rule in config.meta.rules") }}
        {%- endif -%}
        '{{ rules[0][field] | replace("'", "''") }}'
    {%- else -%}
        null
    {%- endif -%}
{%- endmacro %}

{#
    'accepted = carried_over + new' -> ['"accepted"', '"carried_over" + "new"'] (left, right):
    the catalogue's arithmetic (column names, whole numbers, + - * and parentheses, separated by
    spaces), with its column names quoted. Anything else is a compilation error.
#}
{% macro quality_comparison(statement, rule_id) -%}
    {%- set operator = ' <= ' if ' <= ' in statement else ' = ' -%}
    {%- set sides = statement.split(operator) -%}
    {%- if sides | length != 2 -%}
        {{ exceptions.raise_compiler_error(
            rule_id ~ ": a check is 'left = right' or 'left <= right', not '" ~ statement ~ "'") }}
    {%- endif -%}
    {%- set rendered = [] -%}
    {%- for side in sides -%}
        {%- set parts = [] -%}
        {%- for token in side.split() -%}
            {%- if token in ['+', '-', '*', '(', ')'] or token.isdigit() -%}
                {%- do parts.append(token) -%}
            {%- else -%}
                {%- do parts.append(quality_column(token, rule_id)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set text = parts | join(' ') -%}
        {#- the left side in parentheses when it is an expression: (a + b) - (c) -#}
        {%- set bracketed = loop.first and parts | length > 1 -%}
        {%- do rendered.append(('(' ~ text ~ ')') if bracketed else text) -%}
    {%- endfor -%}
    {{- return(rendered) -}}
{%- endmacro %}

{# A column name of the catalogue, quoted (`new` is one); anything else fails the compilation. #}
{% macro quality_column(name, rule_id='') -%}
    {%- if not modules.re.fullmatch('[a-z_][a-z0-9_]*', name) -%}
        {{ exceptions.raise_compiler_error(
            rule_id ~ ": '" ~ name ~ "' is not a column name of the rule catalogue") }}
    {%- endif -%}
    {{- adapter.quote(name) -}}
{%- endmacro %}

{#
    A reported percentage (as printed, `decimals` digits after the mark) minus 100 x numerator /
    denominator rounded half up to the same precision, both as whole numbers of the last printed
    digit, in exact integer arithmetic: 0 when they agree ("85" vs 84,8%: 0; "85,00" vs
    84,82%: 18). NULL (the rule skipped) when the rate, an operand or a non-zero denominator is
    missing. The same on both engines: the reported float is rounded half away from zero
    (PostgreSQL's round() would round halves to even), the computed rate by integer division
    (macros/cross_db/numbers.sql).
#}
{% macro rate_difference(reported, decimals, numerator, denominator) -%}
    {%- set scale = 'pow(10, ' ~ decimals ~ ')' -%}
    {%- set exact_denominator = exact_integer(denominator) -%}
    case
        when {{ reported }} is null
            or {{ decimals }} is null
            or {{ numerator }} is null
            or {{ denominator }} is null
            or {{ denominator }} = 0
            then null
        else cast(
            {{ exact_integer(round_half_away_from_zero(reported ~ ' * ' ~ scale)) }}
            - {{ integer_divide(
                '(200 * ' ~ exact_integer(numerator) ~ ' * ' ~ exact_integer(scale)
                    ~ ' + ' ~ exact_denominator ~ ')',
                '(2 * ' ~ exact_denominator ~ ')'
            ) }}
            as bigint)
    end
{%- endmacro %}

-- GEN-04: a report was superseded by a later submission whose figures differ.
--
-- Every losing submission of a (unit, year, form) is compared with the winning one on the unit
-- figures (the total row when present, else the sum of the sub-units; rates only from a total
-- row), per indicator; an indicator present in one and missing in the other differs too. A
-- resubmission with the same figures (e.g. the official report repeating the preliminary one)
-- is not a violation. One row per superseded submission.
--
-- id, severity and messages: the rule catalogue (_quality__cross_row_rules.yml).
{%- set rate_indicators = "'" ~ var('rate_indicators') | join("', '") ~ "'" %}
with ranked as (
    select * from {{ ref('int_submissions_ranked') }}
    where group_submission_count > 1
),

submission_values as (
    select * from {{ ref('stg_raw__submission_values') }}
),

winners as (
    select * from {{ ref('int_winning_submissions') }}
),

figures as (
    select
        submission_values.submission_id,
        submission_values.indicator,
        case
            when bool_or(submission_values.is_total_row)
                then max(submission_values.value) filter (where submission_values.is_total_row)
            when submission_values.indicator in ({{ rate_indicators }}) then null
            else sum(submission_values.value) filter (where not submission_values.is_total_row)
        end as value
    from submission_values
    inner join ranked
        on ranked.submission_id = submission_values.submission_id
    group by submission_values.submission_id, submission_values.indicator
),

pairs as (
    select
        loser.submission_id as loser_id,
        loser.sha256 as loser_sha256,
        loser.source_file as loser_file,
        loser.report_date as loser_report_date,
        loser.received_at as loser_received_at,
        winner.submission_id as winner_id,
        winner.sha256 as winner_sha256,
        winner.source_file as winner_file,
        winner.report_date as winner_report_date,
        winner.received_at as winner_received_at,
        winner.unit_code,
        winner.province_code,
        winner.year,
        winner.form
    from ranked as loser
    inner join ranked as winner
        on winner.unit_code = loser.unit_code
        and winner.year = loser.year
        and winner.form = loser.form
        and winner.is_winning
    where not loser.is_winning
),

pair_indicators as (
    select distinct
        pairs.loser_id,
        pairs.winner_id,
        figures.indicator
    from pairs
    inner join figures
        on figures.submission_id in (pairs.loser_id, pairs.winner_id)
),

changes as (
    select
        pair_indicators.loser_id,
        pair_indicators.indicator,
        old_figure.value as old_value,
        new_figure.value as new_value
    from pair_indicators
    left join figures as old_figure
        on old_figure.submission_id = pair_indicators.loser_id
        and old_figure.indicator = pair_indicators.indicator
    left join figures as new_figure
        on new_figure.submission_id = pair_indicators.winner_id
        and new_figure.indicator = pair_indicators.indicator
    where old_figure.value is distinct from new_figure.value
),

changes_per_loser as (
    select
        loser_id,
        count(*) as changed_count,
        {{ json_list_agg(
            [('indicator', 'indicator'), ('old', 'old_value'), ('new', 'new_value')],
            order_by=bytewise('indicator'),
        ) }} as changed
    from changes
    group by loser_id
),

final as (
    select
        {{ quality_rule('id') }} as rule_id,
        {{ quality_rule('severity') }} as severity,
        pairs.form,
        pairs.unit_code,
        pairs.province_code,
        pairs.year,
        winners.unit_display_name,
        concat_ws(
            '|',
            {{ quality_rule('id') }},
            pairs.unit_code,
            pairs.year,
            pairs.form,
            pairs.loser_sha256
        )
            as violation_key,
        {{ json_object_text([
            ('superseded_sha256', 'pairs.loser_sha256'),
            ('winning_sha256', 'pairs.winner_sha256'),
            ('changes', json_list_value('changes_per_loser.changed')),
        ]) }} as values_json,
        {{ json_object_text([
            ('loser_file', 'pairs.loser_file'),
            ('loser_report_date', 'pairs.loser_report_date'),
            ('loser_received_at', json_timestamp('pairs.loser_received_at')),
            ('winner_file', 'pairs.winner_file'),
            ('winner_report_date', 'pairs.winner_report_date'),
            ('winner_received_at', json_timestamp('pairs.winner_received_at')),
            ('changed_count', 'changes_per_loser.changed_count'),
        ]) }} as context_json
    from pairs
    inner join changes_per_loser
        on changes_per_loser.loser_id = pairs.loser_id
    inner join winners
        on winners.submission_id = pairs.winner_id
)

select * from final

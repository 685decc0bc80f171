-- Every targets decision ranked within its reporting year and the unit type it sets targets
-- for: rank 1 is in force, the others are superseded but kept (history).
--
-- report-format.md: "a later decision (by date, then by receipt) for the same year replaces
-- the earlier one whole". Read as the reports' rule is (macro newest_first, as in
-- int_submissions_ranked): when every decision of the group carries a Ngày quyết định, the
-- later date wins; otherwise dates are ignored for the group. Ties fall to received_at,
-- file_modified_at, source_file and sha256, so the choice is deterministic. The group is the
-- year AND the unit type: a decision with only STP targets (mediation) does not remove the
-- THADS targets of another body's decision; a decision with both competes in both groups, and
-- within a group it replaces the other whole.
with decisions as (
    select * from {{ ref('stg_raw__target_decisions') }}
),

target_values as (
    select * from {{ ref('stg_raw__target_values') }}
),

decision_types as (
    select
        decision_id,
        unit_type,
        count(*) as target_count
    from target_values
    group by decision_id, unit_type
),

covered as (
    select
        decisions.decision_id,
        decisions.sha256,
        decisions.source_file,
        decisions.decision_number,
        decisions.decision_date,
        decisions.issuer,
        decisions.year,
        decision_types.unit_type,
        decision_types.target_count,
        decisions.sheet_name,
        decisions.received_at,
        decisions.file_modified_at,
        decisions.loaded_at
    from decisions
    inner join decision_types
        on decision_types.decision_id = decisions.decision_id
),

groups as (
    select
        year,
        unit_type,
        bool_and(decision_date is not null) as all_dated,
        count(*) as group_decision_count
    from covered
    group by year, unit_type
),

ranked as (
    select
        covered.*,
        groups.group_decision_count,
        case when groups.all_dated then 'decision_date' else 'received_at' end as ranking_basis,
        row_number() over (
            partition by covered.year, covered.unit_type
            order by {{ newest_first('covered', 'decision_date', 'groups.all_dated') }}
        ) as decision_rank
    from covered
    inner join groups
        on groups.year = covered.year
        and groups.unit_type = covered.unit_type
),

final as (
    select
        *,
        decision_rank = 1 as is_in_force,
        first_value(decision_id) over (
            partition by year, unit_type order by decision_rank
        ) as decision_in_force_id
    from ranked
)

select * from final

-- Every submission ranked within its (unit_code, year, form): rank 1 is the winner.
--
-- report-format.md: "newest means the later Ngày lập báo cáo where both submissions carry one,
-- and otherwise the one received later". Read for groups of any size: when EVERY submission of
-- the group carries a report date, order by report_date desc; otherwise the report date is
-- ignored for the whole group. Ties (and undated groups) are broken by received_at desc, then
-- file_modified_at desc, then source_file desc, then sha256 desc so the choice is deterministic.
with submissions as (
    select * from {{ ref('stg_raw__submissions') }}
),

groups as (
    select
        unit_code,
        year,
        form,
        bool_and(report_date is not null) as all_dated,
        count(*) as group_submission_count
    from submissions
    group by unit_code, year, form
),

ranked as (
    select
        submissions.submission_id,
        submissions.sha256,
        submissions.source_file,
        submissions.unit_code,
        submissions.province_code,
        submissions.year,
        submissions.form,
        submissions.report_date,
        submissions.unit_name_reported,
        submissions.sheet_name,
        submissions.received_at,
        submissions.file_modified_at,
        submissions.loaded_at,
        groups.group_submission_count,
        case when groups.all_dated then 'report_date' else 'received_at' end as ranking_basis,
        row_number() over (
            partition by submissions.unit_code, submissions.year, submissions.form
            order by {{ newest_first('submissions', 'report_date', 'groups.all_dated') }}
        ) as submission_rank
    from submissions
    inner join groups
        on groups.unit_code = submissions.unit_code
        and groups.year = submissions.year
        and groups.form = submissions.form
),

final as (
    select
        *,
        submission_rank = 1 as is_winning,
        first_value(submission_id) over (
            partition by unit_code, year, form order by submission_rank
        ) as winning_submission_id
    from ranked
)

select * from final

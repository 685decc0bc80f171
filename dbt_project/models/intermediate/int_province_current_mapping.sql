-- Every province row (a code with its validity) mapped to the province its territory belongs to
-- today, by following successor_province_code: the successor row is the one of the successor
-- code valid the day after the predecessor's last day (Hà Giang 02 -> Tuyên Quang 08, Tuyên
-- Quang 08 -> 08, Lào Cai 10 -> 15, Yên Bái 15 -> 15). Chains of several mergers are followed
-- to the end; a current row maps to itself.
with recursive provinces as (
    select * from {{ ref('stg_reference__provinces') }}
),

chain as (
    select
        province_code,
        effective_from,
        province_code as reached_code,
        effective_from as reached_from,
        effective_to as reached_to,
        successor_province_code as next_code,
        0 as merger_steps
    from provinces

    union all

    select
        chain.province_code,
        chain.effective_from,
        successor.province_code as reached_code,
        successor.effective_from as reached_from,
        successor.effective_to as reached_to,
        successor.successor_province_code as next_code,
        chain.merger_steps + 1 as merger_steps
    from chain
    inner join provinces as successor
        on successor.province_code = chain.next_code
        and (
            cast(chain.reached_to + interval '1 day' as date)
            between successor.effective_from and successor.effective_to
        )
    -- a guard against a cycle in the reference data
    where chain.merger_steps < 20
),

chain_end as (
    select
        province_code,
        effective_from,
        {{ arg_max('reached_code', 'merger_steps') }} as current_province_code,
        {{ arg_max('reached_from', 'merger_steps') }} as current_effective_from,
        max(merger_steps) as merger_steps
    from chain
    group by province_code, effective_from
),

final as (
    select
        provinces.province_code,
        provinces.province_name,
        provinces.valid_from,
        provinces.valid_to,
        provinces.effective_from,
        provinces.effective_to,
        provinces.successor_province_code,
        chain_end.current_province_code,
        current_row.province_name as current_province_name,
        current_row.is_current as current_province_is_current,
        chain_end.merger_steps
    from provinces
    inner join chain_end
        on chain_end.province_code = provinces.province_code
        and chain_end.effective_from = provinces.effective_from
    inner join provinces as current_row
        on current_row.province_code = chain_end.current_province_code
        and current_row.effective_from = chain_end.current_effective_from
)

select * from final

-- Diversification projects, one row per project and source (the latest landing of each), with
-- the years that place them on the timeline: start_year (operations start or started, as
-- printed: a plan where start_qualifier says so) and recorded_year (the year of the source that
-- prints them: by then the project was on record). Numbers stay as printed, in their own units
-- and currencies; where no source in hand prints a capacity the row says so (capacity_note),
-- nothing is filled in.
with projects as (select * from {{ ref('stg_diversification__projects') }}),

landed as (
    select file_id, fetched_at as landed_at from {{ ref('stg_landing__files') }}
),

latest as (
    select projects.*
    from projects
    inner join landed using (file_id)
    qualify {{ is_latest_landing(['projects.project_id', 'projects.source_publication'],
                                 'landed.landed_at', 'projects.file_id') }}
),

final as (
    select
        *,
        cast(left(source_date, 4) as integer) as recorded_year,
        capacity_value is not null as is_capacity_printed,
        case
            when capacity_value is null then 'no capacity printed in the sources in hand'
            else capacity_qualifier || ' ' || printf('%g', capacity_value) || ' ' || capacity_unit
                || ' (' || capacity_basis || ')'
        end as capacity_note,
        case
            when investment_value is not null then
                investment_qualifier || ' ' || investment_currency || ' ' || format('{:,.0f}', investment_value)
                || coalesce(' by ' || investment_by, '')
        end as investment_note
    from latest
)

select * from final

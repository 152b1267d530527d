-- Is diversification moving the numbers? Per stage and year: China's share of world output at
-- the stage (mart_stage_concentration: USGS tonnages, and shares as publications print them, each
-- kind in its own column, never averaged) beside the diversification projects outside China
-- started by then and those on record but not (yet) started, with the capacity and investment the
-- sources print. A project is started in a year when a source says it operates (is_operating)
-- and the year is not before its start_year, or, where no start is printed, the source's year
-- (operating then; since when is not known, so earlier years do not list it). A planned start
-- that has come (a test "scheduled to begin in January 2026") is not a start. Most sources print no tonnage capacity: stated_capacity says so rather than
-- inventing one (a capacity-like number is kept in its printed unit: mud per day, a share of
-- demand). Years: those with a China share at the stage, and the years projects start or
-- are first printed. Stages: the chain's four, and any other a project names (recycling).
with concentration as (
    select * from {{ ref('mart_stage_concentration') }}
    where country_iso3 = 'CHN' and element = 'REO' and entity_kind = 'country'
),

projects as (
    select
        projects.*,
        trim(project_stage.stage) as project_stage
    from {{ ref('int_diversification_projects_dated') }} as projects
    cross join unnest(string_split(projects.stage, ';')) as project_stage (stage)
),

china as (
    select
        year,
        stage,
        max(share_pct) filter (where source_kind = 'usgs_mcs') as china_share_pct_usgs,
        case when count(*) filter (where source_kind = 'published_aggregate') = 1
            then max(share_pct) filter (where source_kind = 'published_aggregate') end as china_share_pct_published,
        string_agg(printf('%g', round(share_pct, 1)) || ' % (' || source_citation || ')', '; ' order by source_citation)
            filter (where source_kind = 'published_aggregate') as china_shares_published
    from concentration
    group by year, stage
),

cells as (
    select year, stage from china
    union
    select start_year, project_stage from projects where start_year is not null
    union
    select recorded_year, project_stage from projects where recorded_year is not null
),

-- Each project once per cell (a project printed by two sources counts once).
project_cells as (
    select
        cells.year,
        cells.stage,
        projects.project_id,
        coalesce(bool_or(projects.is_operating
                         and coalesce(projects.start_year, projects.recorded_year) <= cells.year), false)
            as is_started,
        string_agg(distinct projects.capacity_note, '; ' order by projects.capacity_note)
            filter (where projects.is_capacity_printed) as capacity_notes,
        string_agg(distinct projects.investment_note, '; ' order by projects.investment_note) as investment_notes
    from cells
    inner join projects
        on projects.project_stage = cells.stage
        and (projects.start_year <= cells.year or projects.recorded_year <= cells.year)
    group by cells.year, cells.stage, projects.project_id
),

projects_by_cell as (
    select
        year,
        stage,
        count(*) filter (where is_started) as projects_started,
        string_agg(project_id, ';' order by project_id) filter (where is_started) as projects_started_ids,
        count(*) filter (where not is_started) as projects_not_started,
        string_agg(project_id, ';' order by project_id) filter (where not is_started) as projects_not_started_ids,
        string_agg(project_id || ': ' || capacity_notes, '; ' order by project_id) as capacity_notes,
        string_agg(project_id || ': ' || investment_notes, '; ' order by project_id) as investment_notes
    from project_cells
    group by year, stage
),

final as (
    select
        cells.year,
        cells.stage,
        round(china.china_share_pct_usgs, 6) as china_share_pct_usgs,
        china.china_share_pct_published,
        china.china_shares_published,
        cast(coalesce(projects_by_cell.projects_started, 0) as integer) as projects_started,
        projects_by_cell.projects_started_ids,
        cast(coalesce(projects_by_cell.projects_not_started, 0) as integer) as projects_not_started,
        projects_by_cell.projects_not_started_ids,
        coalesce(projects_by_cell.capacity_notes,
                 case when projects_by_cell.year is not null
                     then 'no capacity printed for these projects in the sources in hand' end) as stated_capacity,
        projects_by_cell.investment_notes as stated_investment
    from cells
    left join china using (year, stage)
    left join projects_by_cell using (year, stage)
)

select * from final

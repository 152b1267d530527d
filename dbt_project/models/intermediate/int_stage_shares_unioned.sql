-- Country shares of world output per year, stage and element, from two kinds of evidence:
--   * USGS tonnages (mining): share = country tonnes / published world total (latest edition);
--   * published shares (separation, refining, magnets; IEA mining), taken as printed.
with mine_production as (
    select * from {{ ref('int_mine_production_ranked') }}
    where is_latest_edition and production_t_reo is not null
),

published as (
    select * from {{ ref('stg_published__figures') }}
    where metric = 'production_share_pct' and not is_illustrative
),

world_totals as (
    select year, production_t_reo as world_t_reo
    from mine_production
    where is_world_total
),

mining_shares as (
    select
        mine_production.year,
        'mining' as stage,
        'REO' as element,
        'usgs_mcs' as source_kind,
        mine_production.country_iso3,
        mine_production.production_t_reo as quantity_t_reo,
        world_totals.world_t_reo,
        100.0 * mine_production.production_t_reo / nullif(world_totals.world_t_reo, 0) as share_pct,
        mine_production.is_estimate,
        mine_production.edition || ': ' || coalesce(mine_production.citation, 'USGS MCS data release') as source_citation
    from mine_production
    inner join world_totals using (year)
    where not mine_production.is_world_total
),

published_shares as (
    select
        year,
        stage,
        element,
        'published_aggregate' as source_kind,
        subject_iso3 as country_iso3,
        cast(null as double) as quantity_t_reo,
        cast(null as double) as world_t_reo,
        value as share_pct,
        is_estimate,
        publication || coalesce(', ' || table_or_page, '') as source_citation
    from published
),

final as (
    select * from mining_shares
    union all
    select * from published_shares
)

select * from final

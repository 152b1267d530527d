-- Shares of world output per year, stage and element, from three kinds of evidence:
--   * USGS tonnages (mining): share = country tonnes / published world total (latest edition);
--   * published shares (separation, refining, magnets; IEA mining), taken as printed;
--   * company disclosures: a company's calendar-year output / the same USGS world total. World
--     tonnages exist for mining (t REO) only, so that is where company shares can be computed.
-- entity_kind says whether a row is a country or a company; world_total_source_kind names the
-- country group a row is compared with (a company's share is of the USGS world total).
-- share_basis and share_definition say what a share is of: the register's basis and printed
-- definition for a published share (Fuji Keizai's magnet shares, via the WSJ, are of the 'global
-- neodymium-magnet market', basis not stated: not shares of world output), the computation for
-- the others.
with mine_production as (
    select * from {{ ref('int_mine_production_ranked') }}
    where is_latest_edition and production_t_reo is not null
),

published as (
    select * from {{ ref('int_published_figures_deduplicated') }}
    -- point values only: a bound, range or 'as of' claim is shown in fct_published_figures (issue 12)
    where metric = 'production_share_pct' and not is_illustrative and is_point_value
),

company_output as (
    select * from {{ ref('int_company_production_calendar_years') }}
    where quantity_t_reo is not null
),

world_totals as (
    select
        year,
        production_t_reo as world_t_reo,
        edition || ': ' || coalesce(citation, 'USGS MCS data release') as world_citation
    from mine_production
    where is_world_total
),

mining_shares as (
    select
        mine_production.year,
        'mining' as stage,
        'REO' as element,
        'usgs_mcs' as source_kind,
        'country' as entity_kind,
        cast(null as varchar) as company_id,
        cast(null as varchar) as company_name,
        mine_production.country_iso3,
        mine_production.production_t_reo as quantity_t_reo,
        world_totals.world_t_reo,
        100.0 * mine_production.production_t_reo / nullif(world_totals.world_t_reo, 0) as share_pct,
        'pct_of_world_output' as share_basis,
        'mine production, t REO, over the printed world total (USGS)' as share_definition,
        mine_production.is_estimate,
        mine_production.edition || ': ' || coalesce(mine_production.citation, 'USGS MCS data release') as source_citation,
        'usgs_mcs' as world_total_source_kind
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
        'country' as entity_kind,
        cast(null as varchar) as company_id,
        cast(null as varchar) as company_name,
        subject_iso3 as country_iso3,
        cast(null as double) as quantity_t_reo,
        cast(null as double) as world_t_reo,
        value as share_pct,
        basis as share_basis,
        definition as share_definition,
        is_estimate,
        {{ citation('publication', 'table_or_page') }} as source_citation,
        'published_aggregate' as world_total_source_kind
    from published
),

company_shares as (
    select
        company_output.year,
        company_output.stage,
        company_output.element,
        'company_disclosure' as source_kind,
        'company' as entity_kind,
        company_output.company_id,
        company_output.company_name,
        company_output.country_iso3,
        company_output.quantity_t_reo,
        world_totals.world_t_reo,
        100.0 * company_output.quantity_t_reo / nullif(world_totals.world_t_reo, 0) as share_pct,
        'pct_of_world_output' as share_basis,
        'the company''s calendar-year output, t REO, over the printed world total (USGS)' as share_definition,
        company_output.is_estimate,
        company_output.source_citation || '; world total ' || world_totals.world_citation as source_citation,
        'usgs_mcs' as world_total_source_kind
    from company_output
    inner join world_totals using (year)
    where company_output.stage = 'mining' and company_output.element = 'REO'
),

final as (
    select * from mining_shares
    union all
    select * from published_shares
    union all
    select * from company_shares
)

select * from final

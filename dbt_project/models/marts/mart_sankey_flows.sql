-- Source -> target -> value rows for a Sankey diagram of one element and year (filter on both),
-- t REO. Nodes are "<stage>: <country>"; every link runs down the chain:
--   processing     stage-s material supplied by a country (domestic or exported) feeding a
--                  country's recorded output at a lower stage (a stage whose production is not
--                  recorded is passed over, as in origin tracing); "<stage>: feed not recorded"
--                  feeds output the recorded supply above cannot explain;
--   end_use        supply no recorded output below draws on: used at that stage, stocked, or
--                  shipped on in flows the data does not record (separated oxides, metals and
--                  magnets have end uses: catalysts, glass, alloys, motors);
--   not_traced     ore (mining-stage supply) no recorded output or export draws on: mineral
--                  concentrate has no end use of its own, so its destination is unknown, never
--                  the miner's own use ("Ore not traced (no recorded destination)", one sink);
--   exports_unreported  exports whose destination the source does not give (XNI);
--   element_trade_not_recorded  an element's supply no recorded output below draws on, where
--                  its country's stage records trade that names no element
--                  (int_country_balances_computed.is_element_trade_missing): part of it may have
--                  been exported or imported in that trade, so it is not called end use or
--                  untraced ore (US cerium ore 2024: 22,818 t, while 43,000 t of the REO left).
-- Links come from int_first_origins_traced (immediate suppliers), so they follow the same
-- proportional-mix rule as the first-origin marts.
with traced as (select * from {{ ref('int_first_origins_traced') }}),
flows as (select * from {{ ref('int_element_stage_flows_unioned') }}),
balances as (select * from {{ ref('int_country_balances_computed') }}),
stages as (select * from {{ ref('stages') }}),
countries as (select * from {{ ref('dim_countries') }}),
trade_gaps as (
    select year, element, stage, country_iso3
    from balances
    where is_element_trade_missing
),

processing as (
    select
        traced.year,
        traced.element,
        'processing' as link_kind,
        coalesce(traced.input_stage, upstream.stage) as source_stage,
        coalesce(traced.supplier_iso3, 'XXX') as source_country_iso3,
        traced.stage as target_stage,
        traced.country_iso3 as target_country_iso3,
        sum(traced.quantity_t_reo) as value_t_reo
    from traced
    inner join stages as target on target.stage = traced.stage
    inner join stages as upstream on upstream.chain_order = target.chain_order - 1
    where traced.mix_kind = 'output' and traced.is_production_recorded
    group by all
),

supplied as (
    select
        year,
        element,
        stage,
        country_iso3,
        supplier_iso3,
        sum(quantity_t_reo) as supplied_t
    from traced
    where mix_kind = 'supply'
    group by year, element, stage, country_iso3, supplier_iso3
),

drawn as (
    select
        year,
        element,
        source_stage as stage,
        target_country_iso3 as country_iso3,
        source_country_iso3 as supplier_iso3,
        sum(value_t_reo) as drawn_t
    from processing
    group by year, element, source_stage, target_country_iso3, source_country_iso3
),

end_use as (
    select
        supplied.year,
        supplied.element,
        case
            when trade_gaps.country_iso3 is not null then 'element_trade_not_recorded'
            when supplied.stage = '{{ var('chain_stages')[0] }}' then 'not_traced'
            else 'end_use'
        end as link_kind,
        supplied.stage as source_stage,
        supplied.supplier_iso3 as source_country_iso3,
        cast(null as varchar) as target_stage,
        -- untraced ore goes to one sink, whichever country holds it: it is nobody's use
        case
            when supplied.stage <> '{{ var('chain_stages')[0] }}' or trade_gaps.country_iso3 is not null
                then supplied.country_iso3
        end as target_country_iso3,
        supplied.supplied_t - coalesce(drawn.drawn_t, 0) as value_t_reo
    from supplied
    left join drawn using (year, element, stage, country_iso3, supplier_iso3)
    left join trade_gaps using (year, element, stage, country_iso3)
),

exports_unreported as (
    select
        flows.year,
        flows.element,
        'exports_unreported' as link_kind,
        flows.stage as source_stage,
        flows.origin_iso3 as source_country_iso3,
        cast(null as varchar) as target_stage,
        cast(null as varchar) as target_country_iso3,
        sum(flows.reo_t) as value_t_reo
    from flows
    where flows.flow_type = 'trade' and flows.is_in_exporter_balance and flows.destination_iso3 in ('WLD', 'XNI')
      and flows.reo_t > 0 and flows.stage in (select stage from stages)
    group by all
),

links as (
    select year, element, link_kind, source_stage, source_country_iso3, target_stage, target_country_iso3,
        sum(value_t_reo) as value_t_reo
    from (
        select * from processing
        union all
        select * from end_use
        union all
        select * from exports_unreported
    ) as unioned
    group by all
),

labelled as (
    select
        links.*,
        source_stage_ref.name || ': ' || case links.source_country_iso3
            when 'XXX' then 'feed not recorded'
            when 'WLD' then 'partners not reported'
            when 'XNI' then 'partner not itemized'
            else coalesce(source_country.country_name, links.source_country_iso3)
        end as source_node,
        case links.link_kind
            when 'processing' then target_stage_ref.name || ': '
                || coalesce(target_country.country_name, links.target_country_iso3)
            when 'end_use' then 'Use, stock or unrecorded flow: '
                || coalesce(target_country.country_name, links.target_country_iso3)
            when 'not_traced' then 'Ore not traced (no recorded destination)'
            when 'element_trade_not_recorded' then 'Trade not recorded by element: '
                || coalesce(target_country.country_name, links.target_country_iso3)
            else 'Exports, destination not reported'
        end as target_node,
        coalesce(source_balance.includes_estimate, false)
            or coalesce(target_balance.includes_estimate, false) as includes_estimate
    from links
    inner join stages as source_stage_ref on source_stage_ref.stage = links.source_stage
    left join stages as target_stage_ref on target_stage_ref.stage = links.target_stage
    left join countries as source_country on source_country.country_iso3 = links.source_country_iso3
    left join countries as target_country on target_country.country_iso3 = links.target_country_iso3
    left join balances as source_balance
        on source_balance.year = links.year and source_balance.element = links.element
        and source_balance.stage = links.source_stage and source_balance.country_iso3 = links.source_country_iso3
    left join balances as target_balance
        on target_balance.year = links.year and target_balance.element = links.element
        and target_balance.stage = coalesce(links.target_stage, links.source_stage)
        and target_balance.country_iso3 = links.target_country_iso3
),

final as (
    select
        year,
        element,
        source_node,
        target_node,
        -- Rounded: parallel float sums differ in the last bits between runs.
        round(value_t_reo, 6) as value_t_reo,
        link_kind,
        source_stage,
        source_country_iso3,
        target_stage,
        target_country_iso3,
        includes_estimate
    from labelled
    where round(value_t_reo, 6) > 0
)

select * from final

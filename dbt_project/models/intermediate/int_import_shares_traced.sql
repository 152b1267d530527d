-- Each importer's supply by origin on two bases:
--   immediate_supplier: the partner a shipment came from;
--   first_origin:       the country where the material was mined, traced through the exporters'
--                       output mixes (int_first_origins_traced, proportional input mix).
-- From two kinds of evidence:
--   published partner shares (as printed; the first-origin split applies each partner's share to
--     the partner's output mix at the share's stage, or at the partner's most downstream stage
--     with output when the share covers the whole chain, stage 'all');
--   trade records: tonnages by partner, where an importer's balance uses bilateral records.
-- Shares of aggregates (OTH, WLD) and untraceable partners go to first origin XXX.
with published as (
    select * from {{ ref('int_import_shares_published') }}
),

traced as (
    select * from {{ ref('int_first_origins_traced') }}
),

flows as (
    select * from {{ ref('int_element_stage_flows_unioned') }}
),

stages as (
    select * from {{ ref('stages') }}
),

aggregates as (
    select country_iso3 from {{ ref('dim_countries') }}
    where is_aggregate and country_iso3 <> 'S19'
),

output_mix as (
    select
        traced.year,
        traced.element,
        traced.stage,
        stages.chain_order,
        traced.country_iso3,
        traced.first_origin_iso3,
        sum(traced.quantity_t_reo) / sum(sum(traced.quantity_t_reo)) over (
            partition by traced.year, traced.element, traced.stage, traced.country_iso3
        ) as share
    from traced
    inner join stages using (stage)
    where traced.mix_kind = 'output'
    group by traced.year, traced.element, traced.stage, stages.chain_order, traced.country_iso3,
        traced.first_origin_iso3
),

-- For a share covering the whole chain: the partner's most downstream stage with output.
downstream_stages as (
    select
        year,
        element,
        country_iso3,
        max(chain_order) as chain_order
    from output_mix
    group by year, element, country_iso3
),

published_immediate as (
    select
        importer_iso3,
        period_label,
        year,
        element,
        stage,
        'immediate_supplier' as origin_basis,
        origin_iso3,
        origin_share_pct,
        cast(null as double) as imports_t_reo,
        'published_aggregate' as source_kind,
        definition,
        source_citation,
        is_estimate,
        'as published' as origin_method
    from published
),

published_first_origin as (
    select
        published.importer_iso3,
        published.period_label,
        published.year,
        published.element,
        published.stage,
        'first_origin' as origin_basis,
        coalesce(output_mix.first_origin_iso3, 'XXX') as origin_iso3,
        sum(published.origin_share_pct * coalesce(output_mix.share, 1.0)) as origin_share_pct,
        cast(null as double) as imports_t_reo,
        'published_aggregate' as source_kind,
        published.definition,
        published.source_citation,
        published.is_estimate,
        'published partner shares x the partners'' traced output mix (proportional input mix)' as origin_method
    from published
    left join downstream_stages
        on downstream_stages.year = published.year
        and downstream_stages.element = published.element
        and downstream_stages.country_iso3 = published.origin_iso3
    left join output_mix
        on output_mix.year = published.year
        and output_mix.element = published.element
        and output_mix.country_iso3 = published.origin_iso3
        and published.origin_iso3 not in (select country_iso3 from aggregates)
        and (output_mix.stage = published.stage
             or (published.stage = 'all' and output_mix.chain_order = downstream_stages.chain_order))
    group by published.importer_iso3, published.period_label, published.year, published.element,
        published.stage, coalesce(output_mix.first_origin_iso3, 'XXX'), published.definition,
        published.source_citation, published.is_estimate
),

-- Importers whose balance imports are bilateral trade records (not publications or estimates).
recorded_importers as (
    select
        year,
        element,
        stage,
        destination_iso3 as importer_iso3,
        string_agg(distinct source_kind, ', ' order by source_kind) as source_kinds
    from flows
    where flow_type = 'trade' and is_in_importer_balance and evidence_kind = 'trade'
      and source_kind <> 'published_aggregate'
    group by year, element, stage, destination_iso3
),

recorded_shares as (
    select
        traced.country_iso3 as importer_iso3,
        cast(traced.year as varchar) as period_label,
        traced.year,
        traced.element,
        traced.stage,
        basis.origin_basis,
        case basis.origin_basis
            when 'immediate_supplier' then traced.supplier_iso3
            else traced.first_origin_iso3
        end as origin_iso3,
        sum(traced.share_of_mix_pct) as origin_share_pct,
        sum(traced.quantity_t_reo) as imports_t_reo,
        'trade_records' as source_kind,
        'Imports by partner, t REO content of the stage''s HS lines (trade records: '
            || recorded_importers.source_kinds || ')' as definition,
        'reeflow fct_trade_flows (' || recorded_importers.source_kinds || ')' as source_citation,
        false as is_estimate,
        case basis.origin_basis
            when 'immediate_supplier' then 'as recorded'
            else 'traced through the exporters'' output mix (proportional input mix)'
        end as origin_method
    from traced
    inner join recorded_importers
        on recorded_importers.year = traced.year
        and recorded_importers.element = traced.element
        and recorded_importers.stage = traced.stage
        and recorded_importers.importer_iso3 = traced.country_iso3
    cross join (values ('immediate_supplier'), ('first_origin')) as basis (origin_basis)
    where traced.mix_kind = 'imports'
    group by all
),

final as (
    select * from published_immediate
    union all
    select * from published_first_origin
    union all
    select * from recorded_shares
)

select * from final

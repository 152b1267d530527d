-- Each importer's supply by origin on two bases:
--   immediate_supplier: the partner a shipment came from;
--   first_origin:       the country where the material was mined, traced through the exporters'
--                       output mixes (int_first_origins_traced, proportional input mix).
-- From three kinds of evidence (share_basis says which):
--   published partner shares (as printed, as_published) and value shares of trade records
--     (int_import_shares_traded, value_usd: per HS line and over the stage's lines): shares
--     without tonnes, whose first-origin split applies each partner's share to the partner's
--     output mix at the share's stage, or at the partner's most downstream stage with output when
--     the share covers the whole chain (stage 'all'); a single HS line's value shares are
--     immediate-supplier only;
--   volume shares of weighed trade records (volume_t_reo), and their first-origin split from the
--     traced imports of the same importer, stage, element and year.
-- Shares of aggregates (OTH, WLD, XNI) and untraceable partners go to first origin XXX.
-- is_first_origin_trace_complete (first-origin sets): false where any share of the set was traced
-- through a country's stage whose imports are in no record (int_first_origins_traced
-- .is_trace_complete), so every first-origin share of the set may be wrong; null where nothing
-- was traced (immediate-supplier sets; a set whose every share is untraceable, XXX).
with published as (select * from {{ ref('int_import_shares_published') }}),
traced as (select * from {{ ref('int_first_origins_traced') }}),
traded_all as (select * from {{ ref('int_import_shares_traded') }}),
stages as (select * from {{ ref('stages') }}),

traded as (
    select * from traded_all
    where share_basis = 'volume_t_reo'
),

-- Shares that carry no tonnes: printed shares and value shares of trade records.
share_sets as (
    select
        importer_iso3,
        period_label,
        year,
        element,
        stage,
        cast(null as varchar) as hs6,
        'as_published' as share_basis,
        origin_iso3,
        origin_share_pct,
        cast(null as double) as imports_value_usd,
        'published_aggregate' as source_kind,
        definition,
        source_citation,
        is_estimate
    from published
    union all
    select
        importer_iso3,
        period_label,
        year,
        element,
        stage,
        hs6,
        share_basis,
        origin_iso3,
        origin_share_pct,
        imports_value_usd,
        source_kind,
        definition,
        source_citation,
        is_estimate
    from traded_all
    where share_basis = 'value_usd'
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
        ) as share,
        bool_and(traced.is_trace_complete) as is_trace_complete
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
        hs6,
        share_basis,
        'immediate_supplier' as origin_basis,
        origin_iso3,
        origin_share_pct,
        cast(null as double) as imports_t_reo,
        imports_value_usd,
        source_kind,
        definition,
        source_citation,
        is_estimate,
        case source_kind when 'published_aggregate' then 'as published' else 'as recorded' end as origin_method,
        cast(null as boolean) as is_trace_complete
    from share_sets
),

published_first_origin as (
    select
        published.importer_iso3,
        published.period_label,
        published.year,
        published.element,
        published.stage,
        published.hs6,
        published.share_basis,
        'first_origin' as origin_basis,
        coalesce(output_mix.first_origin_iso3, 'XXX') as origin_iso3,
        sum(published.origin_share_pct * coalesce(output_mix.share, 1.0)) as origin_share_pct,
        cast(null as double) as imports_t_reo,
        cast(null as double) as imports_value_usd,
        published.source_kind,
        published.definition,
        -- one citation per group even if the partners' rows cite different pages
        string_agg(distinct published.source_citation, '; ' order by published.source_citation) as source_citation,
        bool_or(published.is_estimate) as is_estimate,
        'partner shares (' || replace(published.share_basis, '_', ' ')
            || ') x the partners'' traced output mix (proportional input mix)' as origin_method,
        bool_and(output_mix.is_trace_complete) as is_trace_complete
    from share_sets as published
    left join downstream_stages
        on downstream_stages.year = published.year
        and downstream_stages.element = published.element
        and downstream_stages.country_iso3 = published.origin_iso3
    left join output_mix
        on output_mix.year = published.year
        and output_mix.element = published.element
        and output_mix.country_iso3 = published.origin_iso3
        and published.origin_iso3 not in {{ aggregate_country_codes() }}
        and (output_mix.stage = published.stage
             or (published.stage = 'all' and output_mix.chain_order = downstream_stages.chain_order))
    -- one HS line's value shares stay immediate-supplier only: their element (e.g. cerium
    -- compounds) has no traced output mix; the stage's value shares are traced
    where published.hs6 is null
    group by published.importer_iso3, published.period_label, published.year, published.element,
        published.stage, published.hs6, published.share_basis, published.source_kind,
        coalesce(output_mix.first_origin_iso3, 'XXX'), published.definition
),

traced_imports as (
    select
        year,
        element,
        stage,
        country_iso3 as importer_iso3,
        supplier_iso3,
        first_origin_iso3,
        quantity_t_reo,
        share_of_mix_pct,
        is_trace_complete
    from traced
    where mix_kind = 'imports'
),

traded_immediate as (
    select
        traded.importer_iso3,
        traded.period_label,
        traded.year,
        traded.element,
        traded.stage,
        traded.hs6,
        traded.share_basis,
        'immediate_supplier' as origin_basis,
        traded.origin_iso3,
        traded.origin_share_pct,
        by_supplier.imports_t_reo,
        cast(null as double) as imports_value_usd,
        traded.source_kind,
        traded.definition,
        traded.source_citation,
        traded.is_estimate,
        'as recorded' as origin_method,
        cast(null as boolean) as is_trace_complete
    from traded
    left join (
        select year, element, stage, importer_iso3, supplier_iso3, sum(quantity_t_reo) as imports_t_reo
        from traced_imports
        group by year, element, stage, importer_iso3, supplier_iso3
    ) as by_supplier
        on by_supplier.year = traded.year
        and by_supplier.element = traded.element
        and by_supplier.stage = traded.stage
        and by_supplier.importer_iso3 = traded.importer_iso3
        and by_supplier.supplier_iso3 = traded.origin_iso3
),

traded_groups as (
    select
        importer_iso3,
        period_label,
        year,
        element,
        stage,
        source_kind,
        definition,
        source_citation,
        bool_or(is_estimate) as is_estimate
    from traded
    group by importer_iso3, period_label, year, element, stage, source_kind, definition, source_citation
),

traded_first_origin as (
    select
        traded_groups.importer_iso3,
        traded_groups.period_label,
        traded_groups.year,
        traded_groups.element,
        traded_groups.stage,
        cast(null as varchar) as hs6,
        'volume_t_reo' as share_basis,
        'first_origin' as origin_basis,
        traced_imports.first_origin_iso3 as origin_iso3,
        sum(traced_imports.share_of_mix_pct) as origin_share_pct,
        sum(traced_imports.quantity_t_reo) as imports_t_reo,
        cast(null as double) as imports_value_usd,
        traded_groups.source_kind,
        traded_groups.definition,
        traded_groups.source_citation,
        traded_groups.is_estimate,
        'traced through the exporters'' output mix (proportional input mix)' as origin_method,
        bool_and(traced_imports.is_trace_complete) as is_trace_complete
    from traded_groups
    inner join traced_imports
        on traced_imports.year = traded_groups.year
        and traced_imports.element = traded_groups.element
        and traced_imports.stage = traded_groups.stage
        and traced_imports.importer_iso3 = traded_groups.importer_iso3
    group by traded_groups.importer_iso3, traded_groups.period_label, traded_groups.year,
        traded_groups.element, traded_groups.stage, traced_imports.first_origin_iso3,
        traded_groups.source_kind, traded_groups.definition, traded_groups.source_citation,
        traded_groups.is_estimate
),

unioned as (
    select * from published_immediate
    union all
    select * from published_first_origin
    union all
    select * from traded_immediate
    union all
    select * from traded_first_origin
),

final as (
    select
        * exclude (is_trace_complete),
        bool_and(is_trace_complete) over (partition by {{ share_set_columns() }})
            as is_first_origin_trace_complete
    from unioned
)

select * from final

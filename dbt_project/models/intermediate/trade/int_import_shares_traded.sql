-- Import shares by origin computed from reconciled trade records (fct_trade_flows), per
-- importer, year, stage and element, on two bases (share_basis), each with its definition:
--   volume_t_reo  each exporter's share of the imports' t REO content (records with a weight);
--                 element-specific flows also count in their stage's REO total;
--   value_usd     each exporter's share of the imports' value on a FOB basis (fct_trade_flows:
--                 an importer's CIF divided by var cif_fob_factor), per HS line (hs6) and
--                 over all the stage's lines (hs6 null). Records without a weight (the US imports
--                 landed by the default run carry value only) still give value shares; a value share
--                 is not a volume share (unit values differ by partner and product).
-- Generated demo rows (is_sample) never enter the shares.
with flows as (
    select importer_iso3, year, stage, element, hs6, exporter_iso3, reo_t, value_usd, reporting_side
    from {{ ref('int_trade_flows_element_content') }}
    where not is_sample
),

weighed as (
    select * from flows
    where reo_t is not null
),

by_element as (
    {{ with_reo_rollup('weighed') }}
),

volume_per_origin as (
    select
        importer_iso3,
        year,
        stage,
        element,
        cast(null as varchar) as hs6,
        exporter_iso3 as origin_iso3,
        sum(reo_t) as quantity,
        bool_or(reporting_side = 'exporter_mirror') as uses_mirror
    from by_element
    group by all
),

valued as (
    select * from flows
    where value_usd is not null
),

-- Value shares per HS line (the line's own element), and over every line of the stage (REO).
value_per_origin as (
    select
        importer_iso3,
        year,
        stage,
        element,
        hs6,
        exporter_iso3 as origin_iso3,
        sum(value_usd) as quantity,
        bool_or(reporting_side = 'exporter_mirror') as uses_mirror
    from valued
    group by all
    union all
    select
        importer_iso3,
        year,
        stage,
        'REO' as element,
        cast(null as varchar) as hs6,
        exporter_iso3 as origin_iso3,
        sum(value_usd) as quantity,
        bool_or(reporting_side = 'exporter_mirror') as uses_mirror
    from valued
    group by all
),

stage_lines as (
    select
        importer_iso3,
        year,
        stage,
        string_agg(distinct hs6, '+' order by hs6) as hs6_list
    from valued
    group by all
),

shares as (
    select
        'volume_t_reo' as share_basis,
        *,
        'volume share of reconciled imports, t REO content (fct_trade_flows)' as definition
    from volume_per_origin
    union all
    select
        'value_usd' as share_basis,
        value_per_origin.*,
        'value share of ' || value_per_origin.importer_iso3 || '''s imports by partner, customs value on a FOB basis '
            || '(USD, nominal; an importer''s CIF value / {{ var('cif_fob_factor') }}), HS ' || coalesce(value_per_origin.hs6, stage_lines.hs6_list)
            || ' (fct_trade_flows); not a volume share' as definition
    from value_per_origin
    inner join stage_lines using (importer_iso3, year, stage)
),

final as (
    select
        importer_iso3,
        cast(year as varchar) as period_label,
        year,
        element,
        stage,
        hs6,
        share_basis,
        origin_iso3,
        round(100.0 * quantity / sum(quantity) over (
            partition by share_basis, importer_iso3, year, stage, element, hs6
        ), 6) as origin_share_pct,
        case when share_basis = 'value_usd' then quantity end as imports_value_usd,
        definition,
        'UN Comtrade / national customs records, reconciled (fct_trade_flows)' as source_citation,
        -- Shares resting on a mirror declaration are estimates of the importer's own figure.
        uses_mirror as is_estimate,
        'trade_records' as source_kind
    from shares
    where quantity > 0
)

select * from final

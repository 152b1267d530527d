-- Import shares by origin computed from reconciled trade records, in t REO content: per
-- importer, year, stage and element, each exporter's share. Element-specific flows also count
-- in their stage's REO total. Generated demo rows (is_sample) never enter the shares.
with flows as (
    select importer_iso3, year, stage, element, exporter_iso3, reo_t, reporting_side
    from {{ ref('int_trade_flows_element_content') }}
    where not is_sample and reo_t is not null
),

by_element as (
    {{ with_reo_rollup('flows') }}
),

per_origin as (
    select
        importer_iso3,
        year,
        stage,
        element,
        exporter_iso3 as origin_iso3,
        sum(reo_t) as reo_t,
        bool_or(reporting_side = 'exporter_mirror') as uses_mirror
    from by_element
    group by all
),

final as (
    select
        importer_iso3,
        cast(year as varchar) as period_label,
        year,
        element,
        stage,
        origin_iso3,
        round(100.0 * reo_t / sum(reo_t) over (partition by importer_iso3, year, stage, element), 6)
            as origin_share_pct,
        'volume share of reconciled imports, t REO content (fct_trade_flows)' as definition,
        'UN Comtrade / national customs records, reconciled (fct_trade_flows)' as source_citation,
        -- Shares resting on a mirror declaration are estimates of the importer's own figure.
        uses_mirror as is_estimate,
        'trade_records' as source_kind
    from per_origin
    where reo_t > 0
)

select * from final

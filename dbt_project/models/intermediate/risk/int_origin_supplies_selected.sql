-- How much of a country's supply each origin provides, per consumption year, element, stage and
-- origin basis: the one rule for "the latest import shares" that mart_stockpile_cover and
-- mart_disruption_scenarios both read. Of the sets of shares up to the consumption year (one
-- period, definition and kind of source each), the one that comes first by: latest year, a full
-- year before a part-year or a multi-year average, trade records before published shares, then
-- definition and period (so reruns agree); every origin of that set. Shares from different sets
-- are never mixed (an origin the latest set leaves out gets no row, not an older share). Groups
-- (OTH, WLD, XXX) are not origins one can be cut off from.
--   origin_supply_t_per_year  share x recorded imports, or x consumption where imports are not
--                             recorded (full import reliance assumed; supply_share_basis says which)
with consumption as (select * from {{ ref('int_consumption_selected') }}),

shares as (
    select * from {{ ref('int_import_shares_traced') }}
    where origin_iso3 not in {{ aggregate_country_codes() }}
),

selected as (
    select
        consumption.year,
        consumption.country_iso3,
        consumption.element,
        consumption.stage,
        shares.origin_basis,
        shares.origin_iso3,
        shares.origin_share_pct,
        shares.period_label as share_period_label,
        shares.definition as share_definition,
        shares.source_citation as share_source,
        consumption.imports_t_reo,
        consumption.consumption_t
    from consumption
    inner join shares
        on shares.importer_iso3 = consumption.country_iso3
        and shares.element = consumption.element
        and shares.stage = consumption.stage
        and shares.year <= consumption.year
    qualify dense_rank() over (
        partition by consumption.year, consumption.country_iso3, consumption.element, consumption.stage,
            shares.origin_basis
        order by shares.year desc,
            shares.period_label = cast(shares.year as varchar) desc,
            shares.source_kind = 'trade_records' desc,
            shares.definition,
            shares.period_label
    ) = 1
),

final as (
    select
        year,
        country_iso3,
        element,
        stage,
        origin_basis,
        origin_iso3,
        origin_share_pct,
        share_period_label,
        share_definition,
        share_source,
        origin_share_pct / 100 * coalesce(imports_t_reo, consumption_t) as origin_supply_t_per_year,
        case
            when imports_t_reo is not null then 'share of imports x recorded imports'
            else 'share of imports x consumption (imports not recorded: full import reliance assumed)'
        end as supply_share_basis
    from selected
)

select * from final

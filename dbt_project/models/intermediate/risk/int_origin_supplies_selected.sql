-- How much of a country's supply each origin provides, per consumption year, element, stage and
-- origin basis: the one rule for "the latest import shares" that mart_stockpile_cover and
-- mart_disruption_scenarios both read. Of the sets of shares up to the consumption year (see
-- below), the one that comes first by: latest year, a full year before a part-year or a
-- multi-year average, trade records before published shares, volume shares before value shares
-- (the supply is reckoned in tonnes), a stage's set before one HS line's, then definition and
-- period (so reruns agree); every origin of that set. Shares from different sets
-- are never mixed (an origin the latest set leaves out gets no row, not an older share). Groups
-- (OTH, WLD, XXX) are not origins one can be cut off from.
--   origin_supply_t_per_year  share x recorded imports, or x consumption where imports are not
--                             recorded (full import reliance assumed; supply_share_basis says which)
--   unknown_origin_pct        the set's share of unknown partner or origin (WLD, XNI, XXX: it may
--                             hold any origin), so is_share_lower_bound (macro share_is_lower_bound,
--                             as concentration_stats says it of China): each origin's share, and
--                             the supply reckoned from it, may be larger
--   is_first_origin_trace_complete  first-origin sets traced through a stage whose imports are in
--                             no record are false (int_import_shares_traced): each share may be wrong
-- A set: macro share_set_columns (a stage's set and its one HS line's may share a definition).
with consumption as (select * from {{ ref('int_consumption_selected') }}),

-- Each share with its set's part of unknown partner or origin, then the origins alone.
set_shares as (
    select
        *,
        sum(case when origin_iso3 in {{ unknown_origin_codes() }} then origin_share_pct else 0 end)
            over (partition by {{ share_set_columns() }}) as unknown_origin_pct
    from {{ ref('int_import_shares_traced') }}
),

shares as (
    select * from set_shares
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
        shares.origin_method as share_origin_method,
        shares.source_citation as share_source,
        shares.is_estimate as is_share_estimate,
        shares.share_basis,
        shares.unknown_origin_pct,
        shares.is_first_origin_trace_complete,
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
            shares.share_basis = 'volume_t_reo' desc,
            shares.hs6 is null desc,
            shares.definition,
            shares.period_label,
            shares.share_basis,
            shares.hs6
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
        share_origin_method,
        share_source,
        is_share_estimate,
        round(unknown_origin_pct, 6) as unknown_origin_pct,
        {{ share_is_lower_bound('round(unknown_origin_pct, 6)') }} as is_share_lower_bound,
        is_first_origin_trace_complete,
        origin_share_pct / 100 * coalesce(imports_t_reo, consumption_t) as origin_supply_t_per_year,
        case
            when imports_t_reo is null
                then 'share of imports x consumption (imports not recorded: full import reliance assumed)'
            when share_basis = 'value_usd'
                then 'value share of imports x recorded imports (tonnes taken in proportion to value)'
            else 'share of imports x recorded imports'
        end as supply_share_basis
    from selected
)

select * from final

-- Each country's supply of an element at a stage and year (its output kept at home plus its
-- imports, t REO) split two ways: by immediate supplier (the country itself for domestic output)
-- and by first origin (the country of mining), traced down the chain by the proportional
-- input-mix rule of int_first_origins_traced. XXX = first origin not traceable from the
-- recorded flows; its share says how much of the supply the tracing could not place. XNI = the
-- immediate supplier of a published import total no evidence allocates to a partner (not
-- itemized; never the importer itself). Where part of the supply is of unknown supplier or
-- origin, China's share is a lower bound (is_china_share_lower_bound). An element whose share of
-- the country-stage's trade is unknown (int_country_balances_computed.is_element_trade_missing:
-- trade that names no element) has no rows: its supply cannot be split, and its recorded flows
-- alone read as a 100 % domestic supply (US cerium mining 2024: nine times the REO supply).
-- Where no record of a country's own holds its imports at a stage (is_imports_self_reported
-- false: none at all, or only its partners' records of them), its supply there is its own output
-- kept at home plus what those partners say, and first-origin shares made from such a supply,
-- further down the chain, are flagged (is_first_origin_trace_complete false;
-- int_first_origins_traced).
-- Where none holds its exports (is_exports_self_reported false), the supply may be smaller: US ore
-- in 2018-2019 and 2025 read as all kept at home, while 2020-2024 record most of it exported;
-- China's oxide as all kept at home but what the US recorded importing. Where the balance is
-- unknown for that reason (int_country_balances_computed.is_trade_missing, is_trade_partial),
-- the tonnes are null and the shares of the recorded flows stand.
with traced as (
    select * from {{ ref('int_first_origins_traced') }}
    where mix_kind = 'supply'
),

countries as (select * from {{ ref('dim_countries') }}),
balances as (
    select
        year,
        country_iso3,
        element,
        stage,
        is_element_trade_missing,
        is_imports_self_reported,
        is_exports_self_reported,
        is_trade_missing or is_trade_partial as is_supply_t_unknown
    from {{ ref('int_country_balances_computed') }}
),

by_basis as (
    select
        traced.year,
        traced.country_iso3,
        traced.element,
        traced.stage,
        basis.origin_basis,
        case basis.origin_basis
            when 'immediate_supplier' then traced.supplier_iso3
            else traced.first_origin_iso3
        end as origin_iso3,
        -- the same for every row of a country-stage: its production there is recorded or not
        bool_and(traced.is_production_recorded) as is_production_recorded,
        bool_and(traced.is_trace_complete) as is_trace_complete,
        sum(traced.quantity_t_reo) as quantity_t_reo
    from traced
    cross join (values ('immediate_supplier'), ('first_origin')) as basis (origin_basis)
    group by all
),

annotated as (
    select
        by_basis.*,
        coalesce(countries.is_aggregate, false) as is_aggregate,
        sum(by_basis.quantity_t_reo) over (
            partition by by_basis.year, by_basis.country_iso3, by_basis.element, by_basis.stage, by_basis.origin_basis
        ) as supply_t_reo
    from by_basis
    left join countries on countries.country_iso3 = by_basis.origin_iso3
),

shares as (
    select
        *,
        100 * quantity_t_reo / supply_t_reo as share_pct
    from annotated
),

per_group as (
    select
        year,
        country_iso3,
        element,
        stage,
        origin_basis,
        {{ concentration_stats('share_pct', 'origin_iso3', 'is_aggregate') }},
        round(sum(case when origin_iso3 = 'XXX' then share_pct else 0 end), 6) as untraced_share_pct,
        bool_and(is_trace_complete) as is_trace_complete
    from shares
    group by year, country_iso3, element, stage, origin_basis
),

final as (
    select
        shares.year,
        shares.country_iso3,
        shares.element,
        shares.stage,
        shares.origin_basis,
        shares.origin_iso3,
        shares.origin_iso3 = shares.country_iso3 as is_domestic,
        -- tonnes only where the balance's trade is the country's own record (its shares stand)
        case when not coalesce(balances.is_supply_t_unknown, false)
            then round(shares.quantity_t_reo, 6) end as quantity_t_reo,
        round(shares.share_pct, 6) as share_pct,
        case when not coalesce(balances.is_supply_t_unknown, false)
            then round(shares.supply_t_reo, 6) end as supply_t_reo,
        per_group.china_share_pct,
        per_group.is_china_share_lower_bound,
        per_group.unknown_origin_pct,
        per_group.untraced_share_pct,
        per_group.top_iso3 as top_origin_iso3,
        per_group.hhi as origin_hhi,
        shares.is_production_recorded,
        coalesce(balances.is_imports_self_reported, false) as is_imports_self_reported,
        coalesce(balances.is_exports_self_reported, false) as is_exports_self_reported,
        case when shares.origin_basis = 'first_origin' then per_group.is_trace_complete end
            as is_first_origin_trace_complete
    from shares
    inner join per_group using (year, country_iso3, element, stage, origin_basis)
    left join balances using (year, country_iso3, element, stage)
    where not coalesce(balances.is_element_trade_missing, false)
)

select * from final

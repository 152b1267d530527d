-- Days of cover of a country's stockpiles (national + private) per element, stage and year, and
-- how long they last when one origin is cut off.
--   stockpile_t          national + private stockpile; one held in days of consumption counts
--                        days x consumption / 365 (Japan: 42 + 18 days)
--   days_of_cover        stockpile_t / (consumption / 365)            (DOMAIN s.4)
--   days_of_cover_if_cut stockpile_t / supply lost per day, where the lost supply is the origin's
--                        share of imports x recorded imports (or x consumption where imports are
--                        not recorded: full import reliance assumed; supply_share_basis says which)
-- One row per origin of the latest import shares up to the year (every definition, both origin
-- bases); a row without origin where no shares are known.
with stockpiles as (
    select * from {{ ref('int_stockpiles_pivoted') }}
),

consumption as (
    select * from {{ ref('int_consumption_selected') }}
),

shares as (
    select * from {{ ref('int_import_shares_traced') }}
),

countries as (
    select * from {{ ref('dim_countries') }}
),

covered as (
    select
        consumption.year,
        consumption.country_iso3,
        consumption.element,
        consumption.stage,
        consumption.consumption_t,
        consumption.consumption_basis,
        consumption.imports_t_reo,
        stockpiles.national_days,
        stockpiles.private_days,
        coalesce(stockpiles.national_t, 0) + coalesce(stockpiles.national_days, 0) * consumption.consumption_t / 365
            as national_stockpile_t,
        coalesce(stockpiles.private_t, 0) + coalesce(stockpiles.private_days, 0) * consumption.consumption_t / 365
            as private_stockpile_t,
        stockpiles.stockpile_figure_ids,
        stockpiles.stockpile_source
    from consumption
    inner join stockpiles using (country_iso3, element, stage)
    where stockpiles.figure_year <= consumption.year
),

-- the latest year of import shares up to the consumption year, over real origins
candidate_shares as (
    select
        covered.year,
        covered.country_iso3,
        covered.element,
        covered.stage,
        shares.year as share_year,
        shares.period_label,
        shares.origin_basis,
        shares.origin_iso3,
        shares.origin_share_pct,
        shares.definition,
        shares.source_citation
    from covered
    inner join shares
        on shares.importer_iso3 = covered.country_iso3
        and shares.element = covered.element
        and shares.stage = covered.stage
        and shares.year <= covered.year
    inner join countries on countries.country_iso3 = shares.origin_iso3
    where not countries.is_aggregate
    qualify shares.year = max(shares.year) over (partition by covered.year, covered.country_iso3, covered.element, covered.stage)
),

cut as (
    select
        covered.*,
        candidate_shares.period_label as share_period_label,
        candidate_shares.origin_basis,
        candidate_shares.origin_iso3 as cut_origin_iso3,
        candidate_shares.origin_share_pct as cut_origin_share_pct,
        candidate_shares.definition as share_definition,
        candidate_shares.source_citation as share_source,
        candidate_shares.origin_share_pct / 100
            * coalesce(covered.imports_t_reo, covered.consumption_t) / 365 as lost_supply_t_per_day,
        case
            when candidate_shares.origin_iso3 is null then null
            when covered.imports_t_reo is not null then 'share of imports x recorded imports'
            else 'share of imports x consumption (imports not recorded: full import reliance assumed)'
        end as supply_share_basis
    from covered
    left join candidate_shares using (year, country_iso3, element, stage)
),

final as (
    select
        year,
        country_iso3,
        element,
        stage,
        round(consumption_t, 6) as consumption_t_per_year,
        consumption_basis,
        cast(national_days as double) as national_stockpile_days,
        cast(private_days as double) as private_stockpile_days,
        round(national_stockpile_t, 6) as national_stockpile_t,
        round(private_stockpile_t, 6) as private_stockpile_t,
        round(national_stockpile_t + private_stockpile_t, 6) as stockpile_t,
        round((national_stockpile_t + private_stockpile_t) / (consumption_t / 365), 6) as days_of_cover,
        origin_basis,
        cut_origin_iso3,
        round(cut_origin_share_pct, 6) as cut_origin_share_pct,
        share_period_label,
        share_definition,
        supply_share_basis,
        round(lost_supply_t_per_day, 6) as lost_supply_t_per_day,
        round((national_stockpile_t + private_stockpile_t) / nullif(lost_supply_t_per_day, 0), 6) as days_of_cover_if_cut,
        stockpile_figure_ids,
        stockpile_source,
        share_source
    from cut
)

select * from final

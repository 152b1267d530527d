-- The consumption that stockpile cover and disruption scenarios are measured against, per
-- country, element, stage and year: apparent consumption where the balance records trade and
-- comes out positive, else a reported consumption figure (Japan's demand). Recorded imports are
-- kept beside it: an origin's share of imports is turned into tonnes with them, or, where no
-- imports are recorded, with the consumption itself (full import reliance assumed, and said so).
with balances as (select * from {{ ref('int_country_balances_computed') }}),

selected as (
    select
        year,
        country_iso3,
        element,
        stage,
        case
            when coalesce(imports_t_reo, exports_t_reo) is not null and apparent_consumption_t_reo > 0
                then apparent_consumption_t_reo
            else reported_consumption_t
        end as consumption_t,
        case
            when coalesce(imports_t_reo, exports_t_reo) is not null and apparent_consumption_t_reo > 0
                then 'apparent consumption (production + imports - exports), t REO'
            when reported_consumption_t is not null
                then 'reported consumption: ' || reported_consumption_source
        end as consumption_basis,
        imports_t_reo
    from balances
),

final as (
    select * from selected
    where consumption_t > 0
)

select * from final

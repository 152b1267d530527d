-- Rare-earth prices, one row per source, edition (or report), period and product: USGS MCS
-- average market prices (every edition) beside what producers report they realized
-- (int_prices_unioned). Use is_latest_edition for a year's price; compare like with like
-- (product, price_basis, currency).
with prices as (select * from {{ ref('int_prices_unioned') }}),

final as (
    select
        source_kind,
        edition,
        company_id,
        company_name,
        country_iso3,
        year,
        period_label,
        period_start,
        period_end,
        product,
        product_as_printed,
        elements,
        metric,
        price_value,
        price_unit,
        currency,
        price_per_kg,
        price_usd_per_kg,
        price_basis,
        is_estimate,
        method,
        confidence,
        is_latest_edition,
        source_citation,
        file_id
    from prices
)

select * from final

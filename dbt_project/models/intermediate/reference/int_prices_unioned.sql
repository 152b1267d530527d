-- Rare-earth prices from two kinds of source, one row per price:
--   usgs_mcs            the average prices USGS MCS prints (Argus Non-Ferrous Markets), USD per
--                       kg of the product, every edition kept; is_latest_edition marks, per year
--                       and product, the latest edition printing it (editions revise earlier
--                       years: Nd oxide 2021 is 49 USD/kg in MCS2022, 98 from MCS2024 on)
--   company_disclosure  what producers report they got (MP's realized price of REO in
--                       concentrate and of NdPr oxide, Lynas's average over every product it
--                       sold), in the printed currency; is_latest_edition marks the latest
--                       report (vintage) for the period
-- price_usd_per_kg only where the price is in US dollars (USD per t / 1000): no exchange rate is
-- in the data, so Lynas's A$ prices stay in A$ (price_per_kg, currency). Like with like: an
-- oxide price, a concentrate price and a basket price are different products (product,
-- price_basis); never compare them as one series.
with usgs as (select * from {{ ref('stg_prices__usgs_mcs') }}),
company as (select * from {{ ref('stg_prices__company') }}),

landed as (
    select file_id, fetched_at as landed_at from {{ ref('stg_landing__files') }}
),

usgs_latest_landing as (
    select usgs.*
    from usgs
    inner join landed using (file_id)
    qualify {{ is_latest_landing(['usgs.edition'], 'landed.landed_at', 'usgs.file_id') }}
),

company_latest_landing as (
    select company.*
    from company
    inner join landed using (file_id)
    qualify {{ is_latest_landing(['company.company_id', 'company.facility_id', 'company.product_basis',
                                  'company.period_label', 'company.metric', 'company.vintage'],
                                 'landed.landed_at', 'company.file_id') }}
),

usgs_prices as (
    select
        'usgs_mcs' as source_kind,
        edition,
        cast(null as varchar) as company_id,
        cast(null as varchar) as company_name,
        cast(null as varchar) as country_iso3,
        year,
        cast(year as varchar) as period_label,
        make_date(year, 1, 1) as period_start,
        make_date(year, 12, 31) as period_end,
        product,
        product_as_printed,
        elements,
        'average_price' as metric,
        price_usd_per_kg as price_value,
        'USD per kg' as price_unit,
        'USD' as currency,
        price_usd_per_kg as price_per_kg,
        price_usd_per_kg,
        'average market price of the product, USD per kg of product'
            || coalesce(' (' || price_source || ')', '') as price_basis,
        is_estimate,
        case when is_estimate then 'marked e (estimate) in the edition' end as method,
        'high' as confidence,
        edition_year = max(edition_year) over (partition by year, product) as is_latest_edition,
        publication || ', ' || table_or_page as source_citation,
        file_id
    from usgs_latest_landing
),

company_prices as (
    select
        'company_disclosure' as source_kind,
        document_title as edition,
        company_id,
        company_name,
        country_iso3,
        cast(year(period_end) as integer) as year,
        period_label,
        period_start,
        period_end,
        product_basis as product,
        cast(null as varchar) as product_as_printed,
        elements,
        metric,
        price_value,
        unit as price_unit,
        currency,
        price_per_kg,
        case when currency = 'USD' then price_per_kg end as price_usd_per_kg,
        price_basis,
        is_estimate,
        case when is_estimate then 'as reported; ' || coalesce(notes, 'flagged an estimate in the register') end as method,
        confidence,
        vintage = max(vintage) over (partition by company_id, facility_id, product_basis, period_label, metric)
            as is_latest_edition,
        document_title || coalesce(', PDF page ' || page, '') || coalesce(' (printed page ' || printed_page || ')', '')
            as source_citation,
        file_id
    from company_latest_landing
),

final as (
    select * from usgs_prices
    union all by name
    select * from company_prices
)

select * from final

-- Bilateral trade flows in product, element and REO tonnes. Its contract is final; it holds no
-- rows until trade records (Comtrade API, bulk or customs files) have landed: the embedded
-- default data has no bilateral records, and none are invented.
select
    cast(null as varchar) as period,
    cast(null as integer) as year,
    cast(null as varchar) as stage,
    cast(null as varchar) as element,
    cast(null as varchar) as exporter_iso3,
    cast(null as varchar) as importer_iso3,
    cast(null as varchar) as hs6,
    cast(null as double) as product_t,
    cast(null as double) as element_t,
    cast(null as double) as reo_t,
    cast(null as double) as value_usd,
    cast(null as varchar) as reporting_side,
    cast(null as varchar) as source_kind,
    cast(null as varchar) as file_id
where false

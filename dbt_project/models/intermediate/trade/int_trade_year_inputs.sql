-- One row per year of trade records: a fingerprint of everything the year-partitioned trade
-- models read for that year (macros/trade_years.sql). A staged row of the year added, changed or
-- gone (a new landing, a parser version re-staging a file, a retraction), a file of the year
-- landed again (its fetched_at decides which landing wins), or any edit to the project's models,
-- seeds or vars changes it; landing another year leaves it alone.
-- A table: each trade model reads it twice (its pre_hook and its years to build), and every read
-- of a view would read every staged Parquet file again (thousands after a large API fetch).
{{ config(materialized='table') }}

with comtrade as (select * from {{ ref('stg_comtrade__flows') }}),
customs as (select * from {{ ref('stg_customs__flows') }}),
landed as (select file_id, fetched_at from {{ ref('stg_landing__files') }}),

year_rows as (
    select comtrade.year, hash(comtrade, landed.fetched_at) as row_hash
    from comtrade
    left join landed using (file_id)
    union all
    select customs.year, hash(customs, landed.fetched_at) as row_hash
    from customs
    left join landed using (file_id)
),

final as (
    select
        year,
        count(*) as input_rows,
        -- A sum of row hashes: the same whatever order the staged files are read in.
        md5(concat_ws(';', sum(row_hash), count(*), '{{ trade_project_fingerprint() }}')) as inputs_fingerprint
    from year_rows
    where year is not null
    group by year
)

select * from final

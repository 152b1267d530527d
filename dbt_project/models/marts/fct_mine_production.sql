-- World mine production by country and year, every USGS edition kept; is_latest_edition marks
-- the figure marts use by default, earlier editions stay queryable for revisions.
with production as (select * from {{ ref('int_mine_production_ranked') }}),

final as (
    select
        year,
        country_iso3,
        country_name,
        is_world_total,
        production_t_reo,
        reserves_t_reo,
        is_estimate,
        edition,
        edition_year,
        is_latest_edition,
        citation as source_citation,
        file_id
    from production
)

select * from final

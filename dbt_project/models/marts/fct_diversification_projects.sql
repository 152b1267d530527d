-- Diversification projects outside China (who, where, stage, elements, capacity, investment,
-- start and status), one row per project and source: two sources printing different numbers for
-- the same project are two rows, each cited (int_diversification_projects_dated).
with projects as (select * from {{ ref('int_diversification_projects_dated') }}),

final as (
    select
        project_id,
        project,
        company,
        country_iso3,
        site,
        stage,
        stage_as_printed,
        elements,
        capacity_value,
        capacity_unit,
        capacity_basis,
        capacity_qualifier,
        is_capacity_printed,
        capacity_note,
        investment_value,
        investment_currency,
        investment_by,
        investment_qualifier,
        investment_note,
        start_year,
        start_qualifier,
        status,
        status_as_of,
        is_operating,
        recorded_year,
        is_estimate,
        source_publication,
        source_locator,
        source_date,
        source_url,
        related_figure_ids,
        notes,
        file_id
    from projects
)

select * from final

-- Company output per calendar year, the one sum of company production: the flows (and so the
-- balances) and the concentration mart both read it, so they count the same tonnage for a
-- company-year. Calendar years are the only company figures comparable with annual totals. A figure for the calendar year itself (latest vintage), else the sum of the four
-- calendar quarters when all four are disclosed (latest vintage each). Fiscal years that are
-- not calendar years (Lynas, July-June) and incomplete sets of quarters never enter: splitting
-- or extrapolating them would invent a seasonal profile.
with production as (
    select * from {{ ref('int_production_normalized') }}
    where metric = 'production' and is_latest_vintage
),

annual as (
    select
        company_id,
        company_name,
        facility_id,
        country_iso3,
        stage,
        element,
        year,
        quantity_t_reo,
        quantity_t_element,
        is_estimate,
        product_basis,
        file_id,
        document_title || coalesce(', PDF page ' || page, '') as source_citation,
        'calendar_year' as period_basis
    from production
    where period_kind = 'calendar_year'
),

four_quarters as (
    select
        company_id,
        company_name,
        facility_id,
        country_iso3,
        stage,
        element,
        year,
        -- A sum only when every quarter has the quantity: a partial sum would understate.
        case when count(quantity_t_reo) = 4 then sum(quantity_t_reo) end as quantity_t_reo,
        case when count(quantity_t_element) = 4 then sum(quantity_t_element) end as quantity_t_element,
        bool_or(is_estimate) as is_estimate,
        string_agg(distinct product_basis, ', ' order by product_basis) as product_basis,
        string_agg(distinct file_id, ';' order by file_id) as file_id,
        'sum of four calendar quarters: '
            || string_agg(period_label || ' ' || document_title || coalesce(', PDF page ' || page, ''), '; ' order by period_start)
            as source_citation,
        'four_calendar_quarters' as period_basis
    from production
    where period_kind = 'calendar_quarter'
    group by company_id, company_name, facility_id, country_iso3, stage, element, year
    having count(distinct period_start) = 4 and count(*) = 4
),

per_facility as (
    select * from annual
    union all
    select four_quarters.*
    from four_quarters
    anti join annual using (company_id, facility_id, stage, element, year)
),

final as (
    select
        year,
        stage,
        element,
        company_id,
        company_name,
        country_iso3,
        case when count(quantity_t_reo) = count(*) then sum(quantity_t_reo) end as quantity_t_reo,
        case when count(quantity_t_element) = count(*) then sum(quantity_t_element) end as quantity_t_element,
        bool_or(is_estimate) as is_estimate,
        string_agg(distinct period_basis, ', ' order by period_basis) as period_basis,
        string_agg(distinct product_basis, ', ' order by product_basis) as product_bases,
        string_agg(distinct file_id, ';' order by file_id) as file_ids,
        string_agg(source_citation, '; ' order by facility_id) as source_citation
    from per_facility
    group by year, stage, element, company_id, company_name, country_iso3
)

select * from final

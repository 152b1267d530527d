-- Company output per calendar year, the one sum of company production: the flows (and so the
-- balances) and the concentration mart both read it, so they count the same tonnage for a
-- company-year. Per facility, in order of preference (latest vintage each):
--   calendar_year              a figure for the calendar year itself;
--   four_calendar_quarters     the sum of the four calendar quarters, when all four are disclosed;
--   calendarised_fiscal_years  (an estimate) for fiscal years that are not calendar years (Lynas,
--                              July-June): each month of a fiscal year gets an equal part of the
--                              fiscal year's output left after the quarters disclosed inside it,
--                              and a disclosed quarter keeps its own figure (a third a month); the
--                              calendar year is the sum of its twelve months, only where every
--                              month is covered. Month-weighting assumes an even rate through the
--                              fiscal year: that is why it is flagged an estimate (method says so).
-- Incomplete sets of quarters never enter alone (a partial sum would understate).
with production as (
    select
        *,
        document_title || coalesce(', PDF page ' || page, '') as page_citation
    from {{ ref('int_production_normalized') }}
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
        is_estimate as has_element_split_estimate,
        product_basis,
        file_id,
        page_citation as source_citation,
        'calendar_year' as period_basis,
        cast(null as varchar) as calendar_method
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
        bool_or(is_estimate) as has_element_split_estimate,
        string_agg(distinct product_basis, ', ' order by product_basis) as product_basis,
        string_agg(distinct file_id, ';' order by file_id) as file_id,
        'sum of four calendar quarters: '
            || string_agg(period_label || ' ' || page_citation, '; ' order by period_start)
            as source_citation,
        'four_calendar_quarters' as period_basis,
        cast(null as varchar) as calendar_method
    from production
    where period_kind = 'calendar_quarter'
    group by company_id, company_name, facility_id, country_iso3, stage, element, year
    having count(distinct period_start) = 4 and count(*) = 4
),

-- Calendarised fiscal years: fiscal years and the quarters disclosed, month by month.
fiscal_years as (
    select * from production
    where period_kind = 'fiscal_year'
),

quarters as (
    select * from production
    where period_kind in ('calendar_quarter', 'fiscal_quarter')
),

-- The quarters disclosed inside each fiscal year, and what they leave for the other months.
fiscal_remainders as (
    select
        fiscal_years.company_id,
        fiscal_years.facility_id,
        fiscal_years.stage,
        fiscal_years.element,
        fiscal_years.period_start,
        fiscal_years.quantity_t_reo - coalesce(sum(quarters.quantity_t_reo), 0) as remaining_t_reo,
        fiscal_years.quantity_t_element - coalesce(sum(quarters.quantity_t_element), 0) as remaining_t_element,
        12 - 3 * count(quarters.period_start) as remaining_months
    from fiscal_years
    left join quarters
        on quarters.company_id = fiscal_years.company_id
        and quarters.facility_id = fiscal_years.facility_id
        and quarters.stage = fiscal_years.stage
        and quarters.element = fiscal_years.element
        and quarters.period_start >= fiscal_years.period_start
        and quarters.period_end <= fiscal_years.period_end
    group by fiscal_years.company_id, fiscal_years.facility_id, fiscal_years.stage, fiscal_years.element,
        fiscal_years.period_start, fiscal_years.period_end, fiscal_years.period_label,
        fiscal_years.quantity_t_reo, fiscal_years.quantity_t_element
),

fiscal_months as (
    select
        fiscal_years.company_id,
        fiscal_years.company_name,
        fiscal_years.facility_id,
        fiscal_years.country_iso3,
        fiscal_years.stage,
        fiscal_years.element,
        cast(fiscal_years.period_start + to_months(cast(months.offset_month as integer)) as date) as month_start,
        fiscal_remainders.remaining_t_reo / nullif(fiscal_remainders.remaining_months, 0) as quantity_t_reo,
        fiscal_remainders.remaining_t_element / nullif(fiscal_remainders.remaining_months, 0) as quantity_t_element,
        fiscal_years.is_estimate,
        fiscal_years.product_basis,
        fiscal_years.file_id,
        fiscal_years.period_label || ' ' || fiscal_years.page_citation as source_citation,
        'month-weighted from ' || fiscal_years.period_label as month_source,
        true as is_month_weighted
    from fiscal_years
    inner join fiscal_remainders
        on fiscal_remainders.company_id = fiscal_years.company_id
        and fiscal_remainders.facility_id = fiscal_years.facility_id
        and fiscal_remainders.stage = fiscal_years.stage
        and fiscal_remainders.element = fiscal_years.element
        and fiscal_remainders.period_start = fiscal_years.period_start
    cross join range(12) as months (offset_month)
),

quarter_months as (
    select
        company_id,
        company_name,
        facility_id,
        country_iso3,
        stage,
        element,
        cast(period_start + to_months(cast(months.offset_month as integer)) as date) as month_start,
        quantity_t_reo / 3 as quantity_t_reo,
        quantity_t_element / 3 as quantity_t_element,
        is_estimate,
        product_basis,
        file_id,
        period_label || ' ' || page_citation as source_citation,
        'disclosed quarter ' || period_label as month_source,
        false as is_month_weighted
    from quarters
    cross join range(3) as months (offset_month)
),

-- A disclosed quarter's months replace the fiscal year's month-weighted ones.
months as (
    select * from quarter_months
    union all
    select fiscal_months.*
    from fiscal_months
    anti join quarter_months using (company_id, facility_id, stage, element, month_start)
),

calendarised as (
    select
        company_id,
        company_name,
        facility_id,
        country_iso3,
        stage,
        element,
        cast(year(month_start) as integer) as year,
        case when count(quantity_t_reo) = 12 then sum(quantity_t_reo) end as quantity_t_reo,
        case when count(quantity_t_element) = 12 then sum(quantity_t_element) end as quantity_t_element,
        true as is_estimate,
        bool_or(is_estimate) as has_element_split_estimate,
        string_agg(distinct product_basis, ', ' order by product_basis) as product_basis,
        string_agg(distinct file_id, ';' order by file_id) as file_id,
        'calendarised from: ' || string_agg(distinct source_citation, '; ' order by source_citation) as source_citation,
        'calendarised_fiscal_years' as period_basis,
        'calendar year from fiscal years, month-weighted (each month an equal part of its fiscal year''s output '
            || 'left after the quarters disclosed inside it; an even rate through the year is assumed), disclosed '
            || 'quarters as printed: '
            || string_agg(distinct month_source, ', ' order by month_source) as calendar_method
    from months
    group by company_id, company_name, facility_id, country_iso3, stage, element, year(month_start)
    having count(distinct month_start) = 12 and bool_or(is_month_weighted)
),

per_facility as (
    select * from annual
    union all
    select four_quarters.*
    from four_quarters
    anti join annual using (company_id, facility_id, stage, element, year)
    union all
    select calendarised.*
    from calendarised
    anti join annual using (company_id, facility_id, stage, element, year)
    anti join four_quarters using (company_id, facility_id, stage, element, year)
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
        bool_or(has_element_split_estimate) as has_element_split_estimate,
        string_agg(distinct period_basis, ', ' order by period_basis) as period_basis,
        string_agg(distinct product_basis, ', ' order by product_basis) as product_bases,
        string_agg(distinct file_id, ';' order by file_id) as file_ids,
        string_agg(source_citation, '; ' order by facility_id) as source_citation,
        string_agg(calendar_method, '; ' order by facility_id) as calendar_method
    from per_facility
    group by year, stage, element, company_id, company_name, country_iso3
)

select * from final

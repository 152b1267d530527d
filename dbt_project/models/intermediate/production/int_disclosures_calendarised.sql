-- Company disclosures on the calendar, one row per figure and vintage, every vintage kept.
--
-- Calendar rule (documented in the model yml and the README):
--   * a period that is a calendar year, half or quarter is labelled as one ('2024', '2023-H2',
--     '2022-Q1'): Lynas' Q3 FY22 (Jan-Mar 2022) is calendar quarter 2022-Q1;
--   * any other 12-month period stays a fiscal year under its printed label (Lynas 'FY2024' =
--     2023-07-01..2024-06-30). It is never split across calendar years (that would invent a
--     seasonal profile). Its `year` is the calendar year holding most of its months; a July-June
--     year (6 + 6 months) goes to the year it ends in, as the company names it;
--   * quarters and halves that are not calendar ones (a fiscal year ending in another month)
--     keep their printed label, `year` again by the majority of months.
-- Only calendar_year rows (or four calendar quarters) are calendar-complete annual figures.
--
-- The same figure in the same vintage from several files (the register and a report PDF, or a
-- PDF landed twice) is kept once: the register first (an analyst checked it), then the latest
-- landing. A later vintage of a figure (a restatement, or a later report repeating it) is a
-- separate row; is_latest_vintage marks the one marts use.
with figures as (select * from {{ ref('int_disclosure_figures_deduplicated') }}),

one_per_vintage as (
    select *
    from figures
    qualify row_number() over (
        partition by
            company_id, facility_id, stage, product_basis, element_set, metric, destination_iso3,
            period_start, period_end, vintage
        order by (method = 'register') desc, landed_at desc, file_id, source_row_number
    ) = 1
),

periods as (
    select
        *,
        datediff('month', period_start, period_end + interval 1 day) as period_months,
        month(period_start) as start_month,
        cast(year(period_start) as integer) as start_year,
        cast(year(period_end) as integer) as end_year,
        month(period_end) as end_month
    from one_per_vintage
),

calendarised as (
    select
        *,
        case
            when period_months = 12 and start_month = 1 then 'calendar_year'
            when period_months = 6 and start_month in (1, 7) then 'calendar_half'
            when period_months = 3 and start_month in (1, 4, 7, 10) then 'calendar_quarter'
            when period_months = 12 then 'fiscal_year'
            when period_months = 6 then 'fiscal_half'
            when period_months = 3 then 'fiscal_quarter'
            else 'other'
        end as period_kind,
        -- Majority of months; a 6 + 6 split goes to the year the period ends in.
        case
            when start_year = end_year then start_year
            when end_month >= period_months - end_month then end_year
            else start_year
        end as year
    from periods
),

labelled as (
    select
        *,
        case period_kind
            when 'calendar_year' then cast(start_year as varchar)
            when 'calendar_half' then start_year || '-H' || ((start_month - 1) // 6 + 1)
            when 'calendar_quarter' then start_year || '-Q' || ((start_month - 1) // 3 + 1)
            else printed_period_label
        end as period_label
    from calendarised
),

final as (
    select
        * exclude (period_months, start_month, start_year, end_year, end_month),
        vintage = max(vintage) over (
            partition by
                company_id, facility_id, stage, product_basis, element_set, metric,
                destination_iso3, period_start, period_end
        ) as is_latest_vintage
    from labelled
)

select * from final

{{ config(severity='warn') }}
-- The same figure in the same vintage from two files (the register and a report PDF, or two
-- PDFs) with different values: int_disclosures_calendarised keeps one (the register's, else the
-- latest landing), and this warning shows the disagreement to an analyst.
select
    company_id, facility_id, stage, product_basis, element_set, metric, destination_iso3,
    period_start, period_end, vintage,
    list(distinct coalesce(quantity_t, share_pct)) as values_found,
    list(distinct file_id) as files
from {{ ref('int_disclosure_figures_deduplicated') }}
group by
    company_id, facility_id, stage, product_basis, element_set, metric, destination_iso3,
    period_start, period_end, vintage
having count(distinct coalesce(quantity_t, share_pct)) > 1

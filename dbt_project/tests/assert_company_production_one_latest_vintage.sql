-- Each company figure has exactly one latest vintage: restatements keep every vintage, and marts
-- read the flagged one.
select company_id, facility_id, stage, element, metric, period_start, period_end,
       count(*) filter (where is_latest_vintage) as latest_vintages
from {{ ref('fct_company_production') }}
group by company_id, facility_id, stage, element, metric, period_start, period_end
having count(*) filter (where is_latest_vintage) <> 1

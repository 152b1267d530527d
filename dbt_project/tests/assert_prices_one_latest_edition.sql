-- A year's price of a product has one latest edition (per source, company and metric): two would
-- make "the latest price" ambiguous, and a valuation would pick one silently.
select source_kind, company_id, product, metric, period_label, count(*) as latest_rows
from {{ ref('fct_prices') }}
where is_latest_edition
group by source_kind, company_id, product, metric, period_label
having count(*) > 1

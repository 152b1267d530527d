{{ config(severity='warn') }}
-- Nd and Pr split out of an NdPr figure add up to it (t REO). A company reporting Nd on its own
-- beside NdPr may differ: that is worth a look, not a blocked publication (severity warn).
with production as (
    select * from {{ ref('fct_company_production') }}
),

ndpr as (
    select * from production where element = 'NdPr'
),

parts as (
    select
        company_id, facility_id, stage, metric, period_start, period_end, vintage,
        sum(quantity_t_reo) as parts_t_reo,
        count(*) as parts
    from production
    where element in ('Nd', 'Pr')
    group by all
)

select ndpr.*, parts.parts_t_reo, parts.parts
from ndpr
left join parts using (company_id, facility_id, stage, metric, period_start, period_end, vintage)
where parts.parts is distinct from 2
   or abs(parts.parts_t_reo - ndpr.quantity_t_reo) > 0.001

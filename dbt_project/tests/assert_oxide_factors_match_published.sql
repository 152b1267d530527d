-- The factors dim_elements computes from atomic masses must match the published metal/oxide
-- factors (reeflow DOMAIN notes s.2) to the 4 decimals they are printed with.
with published (symbol, factor) as (
    values ('Nd', 0.8574), ('Pr', 0.8277), ('Dy', 0.8713), ('Tb', 0.8502), ('La', 0.8527),
           ('Ce', 0.8141), ('Y', 0.7874), ('Sm', 0.8624), ('Gd', 0.8676), ('Eu', 0.8636)
)

select published.symbol, published.factor, dim_elements.element_per_oxide_factor
from published
left join {{ ref('dim_elements') }} as dim_elements using (symbol)
where dim_elements.symbol is null
   or abs(round(dim_elements.element_per_oxide_factor, 4) - published.factor) > 0.00001

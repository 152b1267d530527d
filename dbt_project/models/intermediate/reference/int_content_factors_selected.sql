-- Rare-earth content per tonne of product, one row per product basis of the HS seeds (metal,
-- oxide, magnet; ore and alloy lines carry no factor): the one source of the NdFeB magnet
-- assumption (31 % rare-earth metal by mass, 8505.11) for company disclosures and published
-- magnet tonnages alike. Every HS edition and heading of a basis must give the same factors: the
-- unique test on product_basis fails if one disagrees.
with codes as (
    select product_basis, element_factor_t_per_t, reo_factor_t_per_t from {{ ref('hs_codes') }}
    union
    select product_basis, element_factor_t_per_t, reo_factor_t_per_t from {{ ref('hs_headings') }}
),

final as (
    select distinct
        product_basis,
        element_factor_t_per_t,
        reo_factor_t_per_t
    from codes
)

select * from final

-- The 17 rare-earth elements with their oxides and oxide <-> element factors
-- (int_elements_factored computes them from atomic masses).
with elements as (select * from {{ ref('int_elements_factored') }}),

final as (
    select
        symbol,
        name,
        atomic_number,
        atomic_mass,
        element_group,
        oxide_formula,
        oxide_metal_atoms,
        oxide_oxygen_atoms,
        oxide_molar_mass,
        element_per_oxide_factor,
        oxide_per_element_factor,
        is_magnet_element,
        source
    from elements
)

select * from final

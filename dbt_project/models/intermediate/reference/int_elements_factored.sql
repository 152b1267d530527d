-- The elements seed with oxide -> element mass factors computed from atomic masses (never typed
-- in); dim_elements publishes it and every conversion reads it from here:
-- factor = n_metal * M(metal) / (n_metal * M(metal) + n_oxygen * M(O)); Nd2O3 -> Nd = 0.8574.
with elements as (select * from {{ ref('elements') }}),

oxides as (
    select
        *,
        oxide_metal_atoms * atomic_mass
            + oxide_oxygen_atoms * {{ var('oxygen_atomic_mass') }} as oxide_molar_mass
    from elements
),

final as (
    select
        *,
        oxide_metal_atoms * atomic_mass / oxide_molar_mass as element_per_oxide_factor,
        oxide_molar_mass / (oxide_metal_atoms * atomic_mass) as oxide_per_element_factor
    from oxides
)

select * from final

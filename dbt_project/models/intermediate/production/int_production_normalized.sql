-- Company production, capacity and sales in tonnes of element content and tonnes of REO, with
-- each figure resolved to the elements it holds. Every vintage is kept (is_latest_vintage).
--
-- Rows with different `element` describe the same output at different levels (REO = all rare
-- earths, NdPr, Nd, Pr, ...): never add them up across elements.
--   * as_reported: the figure itself, element = its product's element set (REO when none is
--     stated). Oxide products are tonnes of REO; their element content uses dim_elements'
--     oxide -> element factors (computed from atomic masses). A total REO row has no single
--     factor, so its element content stays null unless a distribution resolves it (below).
--   * ndpr_split: NdPr oxide -> Nd and Pr by the facility's Nd:Pr split (seed ndpr_split:
--     Mountain Pass as MP printed it; otherwise the documented 75:25 assumption), flagged as an
--     estimate.
--   * deposit_distribution: total REO of a concentrate -> Ce, La, NdPr (-> Nd, Pr) by the
--     facility's published distribution (seed deposit_element_distribution), flagged as an
--     estimate; parts that are not one element (MP's "SEG+") stay in the REO row only. Each
--     period takes the distribution of the filing that covers its year (applies_from_year ..
--     applies_to_year): Mountain Pass 2019-2020 by the FY2020 10-K (Ce 49.1, La 33.4, Nd 11.5,
--     Pr 4.3 %), 2021 on by the FY2021-FY2025 10-Ks (Ce 50.2, La 32.3, NdPr 15.7 %). A filing
--     that prints Nd and Pr apart gives them as printed, and NdPr as their sum (not split again).
--     Where no distribution is citable (Lynas), nothing is split: the figure stays REO.
--   * metal products are element tonnes (REO = element / factor); magnet products are magnet
--     tonnes, converted with the NdFeB rare-earth share of the HS seed (int_content_factors_selected;
--     an estimate).
with figures as (
    select * from {{ ref('int_disclosures_calendarised') }}
    where metric in ('production', 'capacity', 'sales') and quantity_t is not null
),

elements as (
    select symbol, element_per_oxide_factor from {{ ref('int_elements_factored') }}
),

aggregates as (
    select
        aggregate_code,
        array_to_string(list_sort(string_split(member_symbols, ';')), ';') as element_set
    from {{ ref('element_aggregates') }}
),

splits as (
    select
        facility_id,
        nd_parts / (nd_parts + pr_parts) as nd_share,
        pr_parts / (nd_parts + pr_parts) as pr_share,
        is_estimate,
        source
    from {{ ref('ndpr_split') }}
    where not is_illustrative
),

published_distribution as (
    select * from {{ ref('deposit_element_distribution') }}
    where not is_illustrative and element_code is not null
),

-- The printed components, and NdPr as Nd + Pr where a filing prints the two apart (so that every
-- year has an NdPr row); such a sum is marked, and never split into Nd and Pr again.
distribution as (
    select *, false as is_sum_of_parts
    from published_distribution
    union all by name
    select
        facility_id,
        published_in,
        applies_from_year,
        applies_to_year,
        applies_to_product_basis,
        'NdPr' as element_code,
        sum(share_pct_of_treo) as share_pct_of_treo,
        bool_or(is_estimate) as is_estimate,
        'Nd + Pr as printed, ' || min(source) as source,
        true as is_sum_of_parts
    from published_distribution
    where element_code in ('Nd', 'Pr')
    group by facility_id, published_in, applies_from_year, applies_to_year, applies_to_product_basis
    having count(distinct element_code) = 2
        and not exists (
            select 1 from published_distribution as printed
            where printed.facility_id = published_distribution.facility_id
              and printed.published_in = published_distribution.published_in
              and printed.element_code = 'NdPr'
        )
),

-- Rare-earth metal per tonne of NdFeB magnet: the assumption the HS seed states for 8505.11.
magnet as (
    select element_factor_t_per_t as metal_per_magnet_t
    from {{ ref('int_content_factors_selected') }}
    where product_basis = 'magnet'
),

-- The facility's own Nd:Pr split, else the default row (facility_id empty); with the factor
-- F = t (Nd + Pr) metal per t NdPr oxide.
facility_splits as (
    select
        facilities.facility_id,
        coalesce(own.nd_share, fallback.nd_share) as nd_share,
        coalesce(own.pr_share, fallback.pr_share) as pr_share,
        coalesce(own.is_estimate, fallback.is_estimate) as split_is_estimate,
        coalesce(own.source, fallback.source) as split_source,
        coalesce(own.nd_share, fallback.nd_share) * nd.element_per_oxide_factor
            + coalesce(own.pr_share, fallback.pr_share) * pr.element_per_oxide_factor as ndpr_factor,
        nd.element_per_oxide_factor as nd_factor,
        pr.element_per_oxide_factor as pr_factor
    from (select distinct facility_id from figures) as facilities
    left join splits as own on own.facility_id = facilities.facility_id
    left join splits as fallback on fallback.facility_id is null
    cross join (select * from elements where symbol = 'Nd') as nd
    cross join (select * from elements where symbol = 'Pr') as pr
),

coded as (
    select
        figures.*,
        case
            when figures.element_set is null then 'REO'
            when not contains(figures.element_set, ';') then figures.element_set
            -- A set with no aggregate code fails the element test downstream: add it to
            -- seeds/element_aggregates.csv rather than guess.
            else coalesce(aggregates.aggregate_code, replace(figures.element_set, ';', ''))
        end as element
    from figures
    left join aggregates on aggregates.element_set = figures.element_set
),

factored as (
    select
        coded.*,
        facility_splits.nd_share,
        facility_splits.pr_share,
        facility_splits.split_is_estimate,
        facility_splits.split_source,
        facility_splits.ndpr_factor,
        facility_splits.nd_factor,
        facility_splits.pr_factor,
        case
            when coded.element = 'NdPr' then facility_splits.ndpr_factor
            else elements.element_per_oxide_factor
        end as element_factor,
        coded.product_basis = 'magnet' as is_magnet,
        magnet.metal_per_magnet_t
    from coded
    left join facility_splits using (facility_id)
    left join elements on elements.symbol = coded.element
    left join magnet on true
),

as_reported as (
    select
        *,
        case
            when basis_is_reo then quantity_t
            when product_basis = 'metal' then quantity_t / element_factor
            when is_magnet then quantity_t * metal_per_magnet_t / element_factor
        end as quantity_t_reo,
        case
            when basis_is_reo then quantity_t * element_factor
            when product_basis = 'metal' then quantity_t
            when is_magnet then quantity_t * metal_per_magnet_t
        end as quantity_t_element,
        is_estimate
            or is_magnet
            or (element = 'NdPr' and split_is_estimate) as row_is_estimate,
        'as_reported' as element_derivation,
        case
            when is_magnet then 'NdFeB rare-earth share ' || metal_per_magnet_t || ' of magnet mass (seed hs_codes, HS 8505.11)'
            when element = 'NdPr' then 'Nd:Pr split: ' || split_source
        end as assumption_source,
        false as is_derived
    from factored
),

from_distribution as (
    select
        as_reported.* exclude (
            element, quantity_t_reo, quantity_t_element, row_is_estimate, element_derivation,
            assumption_source, is_derived, element_factor
        ),
        distribution.element_code as element,
        case
            when distribution.element_code = 'NdPr' then as_reported.ndpr_factor
            else elements.element_per_oxide_factor
        end as element_factor,
        as_reported.quantity_t_reo * distribution.share_pct_of_treo / 100 as quantity_t_reo,
        as_reported.quantity_t_reo * distribution.share_pct_of_treo / 100 * (
            case
                when distribution.element_code = 'NdPr' then as_reported.ndpr_factor
                else elements.element_per_oxide_factor
            end
        ) as quantity_t_element,
        as_reported.is_estimate
            or distribution.is_estimate
            or (distribution.element_code = 'NdPr' and as_reported.split_is_estimate) as row_is_estimate,
        'deposit_distribution' as element_derivation,
        'element distribution (' || distribution.published_in || '): ' || distribution.source as assumption_source,
        true as is_derived,
        distribution.is_sum_of_parts
    from as_reported
    inner join distribution
        on distribution.facility_id = as_reported.facility_id
        and distribution.applies_to_product_basis = as_reported.product_basis
        -- the filing covering the period's year
        and year(as_reported.period_end) >= coalesce(distribution.applies_from_year, year(as_reported.period_end))
        and year(as_reported.period_end) <= coalesce(distribution.applies_to_year, year(as_reported.period_end))
    left join elements on elements.symbol = distribution.element_code
    where as_reported.element = 'REO' and as_reported.quantity_t_reo is not null
),

ndpr_rows as (
    select * from as_reported where element = 'NdPr'
    union all by name
    select * exclude (is_sum_of_parts) from from_distribution where element = 'NdPr' and not is_sum_of_parts
),

nd_and_pr as (
    select
        ndpr_rows.* exclude (
            element, quantity_t_reo, quantity_t_element, row_is_estimate, element_derivation,
            assumption_source, is_derived, element_factor
        ),
        parts.element,
        case parts.element when 'Nd' then ndpr_rows.nd_factor else ndpr_rows.pr_factor end as element_factor,
        ndpr_rows.quantity_t_reo
            * case parts.element when 'Nd' then ndpr_rows.nd_share else ndpr_rows.pr_share end as quantity_t_reo,
        ndpr_rows.quantity_t_reo
            * case parts.element when 'Nd' then ndpr_rows.nd_share else ndpr_rows.pr_share end
            * case parts.element when 'Nd' then ndpr_rows.nd_factor else ndpr_rows.pr_factor end as quantity_t_element,
        ndpr_rows.row_is_estimate or ndpr_rows.split_is_estimate as row_is_estimate,
        case ndpr_rows.element_derivation
            when 'as_reported' then 'ndpr_split'
            else ndpr_rows.element_derivation || '+ndpr_split'
        end as element_derivation,
        concat_ws('; ', case when ndpr_rows.is_derived then ndpr_rows.assumption_source end,
            'Nd:Pr split: ' || ndpr_rows.split_source) as assumption_source,
        true as is_derived
    from ndpr_rows
    cross join (values ('Nd'), ('Pr')) as parts (element)
),

unioned as (
    select * from as_reported
    union all by name
    select * exclude (is_sum_of_parts) from from_distribution
    union all by name
    select * from nd_and_pr
),

-- A figure the company reports for one element wins over the same element derived from a
-- group figure (e.g. a reported Nd figure over Nd split from NdPr).
preferred as (
    select *
    from unioned
    qualify not (
        is_derived
        and count(*) filter (where not is_derived) over (
            partition by company_id, facility_id, stage, element, metric, period_start, period_end, vintage
        ) > 0
    )
),

final as (
    select
        period_label,
        period_start,
        period_end,
        year,
        period_kind,
        company_id,
        company_name,
        facility_id,
        country_iso3,
        stage,
        element,
        metric,
        -- Rounded to the gram: float products differ in the last bits between engines and runs.
        round(quantity_t_element, 6) as quantity_t_element,
        round(quantity_t_reo, 6) as quantity_t_reo,
        product_basis,
        method,
        row_is_estimate as is_estimate,
        element_derivation,
        is_derived,
        assumption_source,
        vintage,
        is_latest_vintage,
        document_title,
        publisher,
        document_url,
        page,
        confidence,
        notes,
        file_id
    from preferred
)

select * from final

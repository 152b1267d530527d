-- Where a producer's output goes, as disclosed: one link per element and destination, with the
-- share of the producer's output of that element contracted or shipped there. A disclosure
-- naming several elements ("Dy and Tb") gives one link per element with the same share.
with offtake as (
    select * from {{ ref('int_disclosures_calendarised') }}
    where metric = 'offtake'
),

per_element as (
    select
        *,
        unnest(coalesce(string_split(element_set, ';'), ['REO'])) as element
    from offtake
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
        country_iso3 as origin_iso3,
        stage,
        element,
        element_set,
        product_basis,
        destination_iso3,
        share_pct,
        is_estimate,
        confidence,
        method,
        vintage,
        is_latest_vintage,
        document_title,
        publisher,
        document_url,
        page,
        notes,
        file_id
    from per_element
)

select * from final

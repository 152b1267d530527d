-- Where a producer's output goes, as disclosed: one link per element and destination, with the
-- share of the producer's output of that element contracted or shipped there. A disclosure
-- naming several elements ("Dy and Tb") gives one link per element with the same share. A share
-- printed as a ceiling ("up to 65 %") is carried as what it is: value_qualifier up_to,
-- is_upper_bound, never a firm offtake.
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
        value_qualifier,
        value_qualifier in ('up_to', 'less_than') as is_upper_bound,
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

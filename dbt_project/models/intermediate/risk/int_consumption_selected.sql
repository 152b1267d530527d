-- The consumption that stockpile cover and disruption scenarios are measured against, per
-- country, element, stage and year: apparent consumption where the balance records trade and
-- comes out positive (t REO), else a reported consumption figure (Japan's demand: printed in t,
-- basis not stated, and as a forecast: 'expected to reach'). The basis and the qualifier of the
-- quantity are kept beside it (never relabelled t REO), and consumption_basis says in words what
-- the figure is: a forecast is labelled a forecast, not reported consumption, cited with its
-- locator (int_country_balances_computed). Recorded imports are kept too: an
-- origin's share of imports is turned into tonnes with them, or, where no imports are recorded,
-- with the consumption itself (full import reliance assumed, and said so).
with balances as (select * from {{ ref('int_country_balances_computed') }}),

figures as (select * from {{ ref('int_published_figures_deduplicated') }}),

-- How the reported figures behind a balance's reported consumption are printed.
reported as (
    select
        balances.year,
        balances.country_iso3,
        balances.element,
        balances.stage,
        string_agg(distinct figures.basis, ', ' order by figures.basis) as basis,
        string_agg(distinct figures.value_qualifier, ', ' order by figures.value_qualifier) as value_qualifier,
        bool_or(figures.is_estimate) as is_estimate
    from balances
    cross join unnest(string_split(balances.reported_consumption_figure_ids, ';')) as ids (figure_id)
    inner join figures on figures.figure_id = ids.figure_id
    group by all
),

selected as (
    select
        balances.year,
        balances.country_iso3,
        balances.element,
        balances.stage,
        coalesce(balances.imports_t_reo, balances.exports_t_reo) is not null
            and balances.apparent_consumption_t_reo > 0 as is_apparent,
        balances.apparent_consumption_t_reo,
        balances.includes_estimate,
        balances.reported_consumption_t,
        balances.reported_consumption_source,
        balances.imports_t_reo,
        reported.basis as reported_basis,
        reported.value_qualifier as reported_value_qualifier,
        reported.is_estimate as reported_is_estimate
    from balances
    left join reported using (year, country_iso3, element, stage)
),

final as (
    select
        year,
        country_iso3,
        element,
        stage,
        case when is_apparent then apparent_consumption_t_reo else reported_consumption_t end as consumption_t,
        case
            when is_apparent then 'apparent consumption (production + imports - exports), t REO'
            when reported_consumption_t is not null
                then case
                    when contains(reported_value_qualifier, 'forecast')
                        then 'forecast consumption (printed as a forecast, not an outturn): '
                    when reported_value_qualifier <> 'exact'
                        then 'reported consumption (printed ' || reported_value_qualifier || '): '
                    else 'reported consumption: '
                end || reported_consumption_source
        end as consumption_basis,
        case when is_apparent then 't_REO' else reported_basis end as consumption_quantity_basis,
        case when is_apparent then 'computed' else reported_value_qualifier end as consumption_value_qualifier,
        case when is_apparent then includes_estimate else coalesce(reported_is_estimate, false) end
            as is_consumption_estimate,
        imports_t_reo
    from selected
)

select * from final
where consumption_t > 0

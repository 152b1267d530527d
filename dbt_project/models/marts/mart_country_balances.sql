-- Supply balance per country x element x stage x year, t REO (USGS definitions):
-- apparent consumption = production + imports - exports - stock change, net import reliance =
-- (imports - exports) / apparent consumption. balance_status says whether the balance can be
-- checked and whether it holds; mart_balance_issues lists the rows that fail, in words.
-- Where an agency prints a balance figure for a scope of stages (USGS's apparent consumption and
-- reliance of "compounds and metals" = separation + refining), every stage row of the scope
-- carries the printed figure beside reeflow's computation over the same stages, the difference
-- and whether it is within tolerance (int_country_balances_published).
with balances as (select * from {{ ref('int_country_balances_computed') }}),
countries as (select * from {{ ref('dim_countries') }}),
published as (select * from {{ ref('int_country_balances_published') }}),

checked as (
    select
        balances.*,
        countries.country_name,
        coalesce(countries.is_aggregate, false) as is_aggregate,
        case
            when balances.apparent_consumption_t_reo is not null and balances.reported_consumption_t > 0
                then 100 * (balances.apparent_consumption_t_reo - balances.reported_consumption_t)
                    / balances.reported_consumption_t
        end as gap_to_reported_pct
    from balances
    left join countries using (country_iso3)
),

with_published as (
    select
        checked.*,
        published.scope_stages as published_scope_stages,
        published.published_apparent_consumption_t_reo,
        published.scope_apparent_consumption_t_reo,
        published.apparent_consumption_difference_t_reo,
        published.published_net_import_reliance_pct,
        published.published_net_import_reliance_qualifier,
        published.scope_net_import_reliance_pct,
        published.is_apparent_consumption_within_tolerance,
        published.is_net_import_reliance_within_tolerance,
        published.published_figure_ids,
        published.published_source
    from checked
    left join published
        on published.country_iso3 = checked.country_iso3
        and published.year = checked.year
        and published.element = checked.element
        and list_contains(string_split(published.scope_stages, ', '), checked.stage)
),

final as (
    select
        year,
        country_iso3,
        country_name,
        is_aggregate,
        element,
        stage,
        round(production_t_reo, 6) as production_t_reo,
        round(imports_t_reo, 6) as imports_t_reo,
        round(exports_t_reo, 6) as exports_t_reo,
        round(stock_change_t_reo, 6) as stock_change_t_reo,
        round(apparent_consumption_t_reo, 6) as apparent_consumption_t_reo,
        round(net_import_reliance_pct, 6) as net_import_reliance_pct,
        coalesce(exports_t_reo, 0) > coalesce(imports_t_reo, 0) as is_net_exporter,
        recorded_components,
        production_evidence,
        imports_evidence,
        exports_evidence,
        includes_estimate,
        reported_consumption_t,
        reported_consumption_source,
        reported_consumption_figure_ids,
        round(gap_to_reported_pct, 6) as gap_to_reported_pct,
        cast({{ var('balance_tolerance_pct') }} as double) as balance_tolerance_pct,
        mixed_stage_scopes,
        is_element_trade_missing,
        is_trade_missing,
        is_imports_self_reported,
        is_exports_self_reported,
        is_trade_partial,
        published_scope_stages,
        round(published_apparent_consumption_t_reo, 6) as published_apparent_consumption_t_reo,
        round(scope_apparent_consumption_t_reo, 6) as scope_apparent_consumption_t_reo,
        round(apparent_consumption_difference_t_reo, 6) as apparent_consumption_difference_t_reo,
        round(published_net_import_reliance_pct, 6) as published_net_import_reliance_pct,
        published_net_import_reliance_qualifier,
        round(scope_net_import_reliance_pct, 6) as scope_net_import_reliance_pct,
        is_apparent_consumption_within_tolerance,
        is_net_import_reliance_within_tolerance,
        published_figure_ids,
        published_source,
        case
            -- a component spans more stages than this one: the stage's balance is unknown
            when mixed_stage_scopes is not null then 'stage_split_unknown'
            -- REO trade recorded, none by this element: the element's balance is unknown
            when is_element_trade_missing then 'element_trade_not_recorded'
            -- production and no trade at all at the stage: whether any was traded is unknown
            when is_trade_missing then 'trade_not_recorded'
            -- exports with no production recorded at the stage: a gap in the data, not a paradox,
            -- and no reliance (int_country_balances_computed)
            when is_production_missing then 'production_not_recorded'
            -- imports or exports known only from partners' records of them
            when is_trade_partial then 'trade_partial'
            when apparent_consumption_t_reo < 0 then 'negative_apparent_consumption'
            when gap_to_reported_pct is null then 'not_checkable'
            when abs(gap_to_reported_pct) > {{ var('balance_tolerance_pct') }} then 'not_closing'
            else 'closes'
        end as balance_status
    from with_published
)

select * from final

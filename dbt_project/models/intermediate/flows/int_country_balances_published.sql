-- Where an agency prints a balance figure the warehouse also computes (apparent consumption, net
-- import reliance), the printed figure beside the computation over the SAME stages: USGS's
-- apparent consumption of "compounds and metals" covers separation and refining together
-- (published_figure_scopes), so the computation sums both stages' balances before comparing.
-- One row per country, year, element and scope; the difference, whether it is within tolerance
-- and, from the scope seed, why the two can differ. A bound (">95 %") is compared as a bound.
--   apparent consumption: |computed - published| / published <= var balance_tolerance_pct;
--   net import reliance:  within var published_reliance_tolerance_points of the printed value
--                         (exact), or not below / above the printed bound (more_than / less_than)
--                         by more than that.
with figures as (
    select * from {{ ref('int_published_figures_deduplicated') }}
    where not is_illustrative
      and metric in ('apparent_consumption_t_reo', 'net_import_reliance_pct')
      and {{ period_label_kind('period_label') }} = 'year'
),

scopes as (select * from {{ ref('published_figure_scopes') }}),
balances as (select * from {{ ref('int_country_balances_computed') }}),

scoped as (
    select
        figures.*,
        scopes.stages_covered,
        scopes.product_as_printed,
        scopes.known_differences
    from figures
    inner join scopes
        on scopes.subject_iso3 = figures.subject_iso3 and figures.figure_id like scopes.figure_id_pattern
),

published as (
    select
        subject_iso3 as country_iso3,
        year,
        element,
        stages_covered,
        max(value) filter (where metric = 'apparent_consumption_t_reo') as published_apparent_consumption_t_reo,
        max(value) filter (where metric = 'net_import_reliance_pct') as published_net_import_reliance_pct,
        max(coalesce(value_qualifier, 'exact')) filter (where metric = 'net_import_reliance_pct')
            as published_net_import_reliance_qualifier,
        bool_or(is_estimate) as published_is_estimate,
        string_agg(figure_id, ';' order by figure_id) as published_figure_ids,
        -- ordered: the same inputs give the same text on every build
        string_agg(distinct {{ citation('publication', 'table_or_page') }}, '; '
            order by {{ citation('publication', 'table_or_page') }}) as published_source,
        string_agg(distinct product_as_printed, '; ' order by product_as_printed) as published_line,
        string_agg(distinct known_differences, '; ' order by known_differences) as known_differences
    from scoped
    group by subject_iso3, year, element, stages_covered
),

-- The computation over the scope's stages: every stage's recorded components summed.
computed as (
    select
        published.country_iso3,
        published.year,
        published.element,
        published.stages_covered,
        count(balances.stage) as stages_with_balance,
        sum(balances.production_t_reo) as production_t_reo,
        sum(balances.imports_t_reo) as imports_t_reo,
        sum(balances.exports_t_reo) as exports_t_reo,
        coalesce(sum(balances.production_t_reo), 0) + coalesce(sum(balances.imports_t_reo), 0)
            - coalesce(sum(balances.exports_t_reo), 0) - coalesce(sum(balances.stock_change_t_reo), 0)
            as apparent_consumption_t_reo,
        bool_or(balances.includes_estimate) as includes_estimate,
        string_agg(balances.mixed_stage_scopes, '; ' order by balances.stage) as mixed_stage_scopes
    from published
    left join balances
        on balances.country_iso3 = published.country_iso3
        and balances.year = published.year
        and balances.element = published.element
        and list_contains(string_split(published.stages_covered, ';'), balances.stage)
    group by all
),

compared as (
    select
        published.*,
        replace(published.stages_covered, ';', ', ') as scope_stages,
        case when computed.stages_with_balance > 0 and computed.mixed_stage_scopes is null
            then computed.apparent_consumption_t_reo end as scope_apparent_consumption_t_reo,
        {{ net_import_reliance_pct(
            'coalesce(computed.imports_t_reo, 0)', 'coalesce(computed.exports_t_reo, 0)',
            'computed.apparent_consumption_t_reo',
            'computed.stages_with_balance > 0 and computed.mixed_stage_scopes is null
                and coalesce(computed.imports_t_reo, computed.exports_t_reo) is not null
                and not ' ~ production_missing('computed.production_t_reo', 'computed.exports_t_reo')) }}
            as scope_net_import_reliance_pct,
        coalesce(computed.includes_estimate, false) as computed_includes_estimate
    from published
    inner join computed using (country_iso3, year, element, stages_covered)
),

final as (
    select
        country_iso3,
        year,
        element,
        scope_stages,
        published_line,
        published_apparent_consumption_t_reo,
        scope_apparent_consumption_t_reo,
        scope_apparent_consumption_t_reo - published_apparent_consumption_t_reo
            as apparent_consumption_difference_t_reo,
        100 * (scope_apparent_consumption_t_reo - published_apparent_consumption_t_reo)
            / nullif(published_apparent_consumption_t_reo, 0) as apparent_consumption_difference_pct,
        published_net_import_reliance_pct,
        published_net_import_reliance_qualifier,
        scope_net_import_reliance_pct,
        scope_net_import_reliance_pct - published_net_import_reliance_pct as net_import_reliance_difference_points,
        case
            when published_apparent_consumption_t_reo is null or scope_apparent_consumption_t_reo is null then null
            else abs(scope_apparent_consumption_t_reo - published_apparent_consumption_t_reo)
                <= published_apparent_consumption_t_reo * {{ var('balance_tolerance_pct') }} / 100.0
        end as is_apparent_consumption_within_tolerance,
        case
            when published_net_import_reliance_pct is null or scope_net_import_reliance_pct is null then null
            when published_net_import_reliance_qualifier in ('more_than', 'at_least')
                then scope_net_import_reliance_pct >= published_net_import_reliance_pct
                    - {{ var('published_reliance_tolerance_points') }}
            when published_net_import_reliance_qualifier in ('less_than', 'up_to')
                then scope_net_import_reliance_pct <= published_net_import_reliance_pct
                    + {{ var('published_reliance_tolerance_points') }}
            else abs(scope_net_import_reliance_pct - published_net_import_reliance_pct)
                <= {{ var('published_reliance_tolerance_points') }}
        end as is_net_import_reliance_within_tolerance,
        published_is_estimate,
        computed_includes_estimate,
        published_figure_ids,
        published_source,
        known_differences
    from compared
)

select * from final

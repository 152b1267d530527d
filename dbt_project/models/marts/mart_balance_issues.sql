-- Balances that do not hold and chains that do not add up, one row each, said in words:
--   negative_apparent_consumption  exports exceed recorded production plus imports (stock
--                                  draw-down, or production and trade of different scopes);
--   production_not_recorded        (info) exports at a stage where the country's production
--                                  is not recorded: apparent consumption is a sum without it
--                                  (often negative) and the reliance is unknown;
--   balance_not_closing            apparent consumption differs from a reported consumption
--                                  figure by more than var balance_tolerance_pct;
--   chain_inconsistency            a country's output at a stage exceeds its feed from the stage
--                                  above (output plus imports there: mine output plus imported
--                                  concentrate for separation, and so on down the chain) by more
--                                  than var chain_tolerance_pct; exports of the feed are not
--                                  deducted, so the check is lenient;
--   chain_feed_not_recorded        (info) output at a stage with no output or imports recorded at
--                                  the stage above (exports alone do not feed it):
--                                  the chain cannot be checked, and origin tracing passes over it;
--   stage_split_unknown            (info) a component booked at the stage spans more stages
--                                  (USGS's one export line of ores and compounds): the stage's
--                                  apparent consumption and reliance are not computed;
--   element_trade_not_recorded     (info) the country's stage records trade that names no element,
--                                  so this element's share of it, its apparent consumption and
--                                  its supply split are unknown (not computed);
--   trade_partial                  (info) the stage's imports or exports are known only from the
--                                  partners' records of them: apparent consumption not computed;
--   trade_not_recorded             (info) production and no trade in a year, where the country's
--                                  stage records trade in other years (US ore 2018-2019 and 2025: the
--                                  exports are printed for 2020-2024): apparent consumption is
--                                  not computed, rather than read as all used at home. A stage
--                                  that records no trade in any year is not listed (its
--                                  balance_status says trade_not_recorded);
--   published_differs              an agency's printed apparent consumption or reliance differs
--                                  from reeflow's over the same stages beyond the tolerance
--                                  (int_country_balances_published), with the known reasons.
-- Groups (World, Other) are not countries and are not checked.
with balances as (select * from {{ ref('mart_country_balances') }}),
published as (select * from {{ ref('int_country_balances_published') }}),
stages as (select * from {{ ref('stages') }}),

chain as (
    select
        balances.*,
        stages.chain_order
    from balances
    inner join stages using (stage)
    where not balances.is_aggregate
),

negative as (
    select
        balance_status as issue_kind,
        case balance_status when 'production_not_recorded' then 'info' else 'warn' end as severity,
        year,
        country_iso3,
        country_name,
        element,
        stage,
        cast(null as varchar) as upstream_stage,
        coalesce(exports_t_reo, 0) as observed_t_reo,
        coalesce(production_t_reo, 0) + coalesce(imports_t_reo, 0) as limit_t_reo,
        cast(null as double) as tolerance_pct,
        case balance_status
            when 'production_not_recorded' then format(
                '{} {}, {} stage, {}: exports of {} t REO, but no production recorded there (recorded: {}).{}',
                country_name, year, stage, element, format('{:,.0f}', exports_t_reo), recorded_components,
                coalesce(' The published balance covers ' || published_scope_stages
                    || ' together: compare them as one (published_apparent_consumption_t_reo).', ''))
            else format(
                '{} {}, {} stage, {}: apparent consumption is negative ({} t REO), exports exceed production plus imports (recorded: {}).',
                country_name, year, stage, element, format('{:,.0f}', apparent_consumption_t_reo), recorded_components)
        end as message
    from balances
    where balance_status in ('negative_apparent_consumption', 'production_not_recorded') and not is_aggregate
),

not_closing as (
    select
        'balance_not_closing' as issue_kind,
        'warn' as severity,
        year,
        country_iso3,
        country_name,
        element,
        stage,
        cast(null as varchar) as upstream_stage,
        apparent_consumption_t_reo as observed_t_reo,
        reported_consumption_t as limit_t_reo,
        balance_tolerance_pct as tolerance_pct,
        format('{} {}, {} stage, {}: apparent consumption of {} t REO differs from the reported {} t ({}) by {} % (tolerance {} %).',
            country_name, year, stage, element, format('{:,.0f}', apparent_consumption_t_reo),
            format('{:,.0f}', reported_consumption_t), reported_consumption_source,
            format('{:.1f}', gap_to_reported_pct), balance_tolerance_pct) as message
    from balances
    where balance_status = 'not_closing'
),

links as (
    select
        downstream.year,
        downstream.country_iso3,
        downstream.country_name,
        downstream.element,
        downstream.stage,
        upstream_stage.stage as upstream_stage,
        downstream.production_t_reo as output_t_reo,
        -- the feed is recorded where the stage above has output or imports (exports alone say
        -- nothing about what fed this stage)
        coalesce(upstream.production_t_reo, upstream.imports_t_reo) is not null as is_upstream_recorded,
        coalesce(upstream.production_t_reo, 0) + coalesce(upstream.imports_t_reo, 0) as feed_t_reo,
        upstream.recorded_components as upstream_components
    from chain as downstream
    inner join stages as upstream_stage on upstream_stage.chain_order = downstream.chain_order - 1
    left join chain as upstream
        on upstream.year = downstream.year
        and upstream.country_iso3 = downstream.country_iso3
        and upstream.element = downstream.element
        and upstream.stage = upstream_stage.stage
    where downstream.production_t_reo > 0
),

inconsistent as (
    select
        'chain_inconsistency' as issue_kind,
        'warn' as severity,
        year,
        country_iso3,
        country_name,
        element,
        stage,
        upstream_stage,
        output_t_reo as observed_t_reo,
        feed_t_reo as limit_t_reo,
        {{ var('chain_tolerance_pct') }} as tolerance_pct,
        format('{} {}, {} stage, {}: output of {} t REO exceeds {} output plus imports ({} t REO; recorded: {}) by more than {} %.',
            country_name, year, stage, element, format('{:,.0f}', output_t_reo), upstream_stage,
            format('{:,.0f}', feed_t_reo), upstream_components, {{ var('chain_tolerance_pct') }}) as message
    from links
    where is_upstream_recorded
      and output_t_reo > feed_t_reo * (1 + {{ var('chain_tolerance_pct') }} / 100.0)
),

feed_not_recorded as (
    select
        'chain_feed_not_recorded' as issue_kind,
        'info' as severity,
        year,
        country_iso3,
        country_name,
        element,
        stage,
        upstream_stage,
        output_t_reo as observed_t_reo,
        cast(null as double) as limit_t_reo,
        cast(null as double) as tolerance_pct,
        format('{} {}, {} stage, {}: output of {} t REO, but no {} output or imports recorded to check it against.',
            country_name, year, stage, element, format('{:,.0f}', output_t_reo), upstream_stage) as message
    from links
    where not is_upstream_recorded
),

-- The years a country's stage records trade in, in any element, as runs ('2016, 2020-2024').
traded_years as (
    select distinct country_iso3, stage, year
    from balances
    where coalesce(imports_t_reo, exports_t_reo) is not null
),

traded_runs as (
    select
        country_iso3,
        stage,
        min(year) as first_year,
        max(year) as last_year
    from (
        select *, year - row_number() over (partition by country_iso3, stage order by year) as run
        from traded_years
    ) as numbered
    group by country_iso3, stage, run
),

traded_spans as (
    select
        country_iso3,
        stage,
        string_agg(first_year || case when last_year > first_year then '-' || last_year else '' end, ', '
            order by first_year) as years
    from traded_runs
    group by country_iso3, stage
),

-- Balances not computed: a component spans more stages, the stage's trade names no element, or a
-- year records production and no trade while other years record trade.
not_computed as (
    select
        balance_status as issue_kind,
        'info' as severity,
        year,
        country_iso3,
        country_name,
        element,
        stage,
        cast(null as varchar) as upstream_stage,
        case balance_status
            when 'stage_split_unknown' then coalesce(exports_t_reo, imports_t_reo, 0)
            when 'trade_partial' then coalesce(exports_t_reo, 0) + coalesce(imports_t_reo, 0)
            else production_t_reo
        end as observed_t_reo,
        cast(null as double) as limit_t_reo,
        cast(null as double) as tolerance_pct,
        case balance_status
            when 'stage_split_unknown' then format(
                '{} {}, {} stage, {}: {} are booked here but span more stages ({}); the split is not published, so the stage''s apparent consumption and net import reliance are not computed.',
                country_name, year, stage, element,
                concat_ws(' and ',
                    case when mixed_stage_scopes like '%exports%' then format('exports of {} t REO', format('{:,.0f}', exports_t_reo)) end,
                    case when mixed_stage_scopes like '%imports%' then format('imports of {} t REO', format('{:,.0f}', imports_t_reo)) end),
                mixed_stage_scopes)
            when 'trade_not_recorded' then format(
                '{} {}, {} stage, {}: production of {} t REO is recorded and no trade, while the stage''s trade (any element) is recorded in {}; the year''s apparent consumption is not computed rather than read as all used at home.',
                country_name, year, stage, element, format('{:,.0f}', production_t_reo), traded_spans.years)
            when 'trade_partial' then format(
                '{} {}, {} stage, {}: its {} are known only from its partners'' records of them, not its own; the apparent consumption is not computed rather than read as {} t REO.',
                country_name, year, stage, element,
                concat_ws(' and ',
                    case when imports_t_reo is not null and not is_imports_self_reported
                        then format('imports ({} t REO)', format('{:,.0f}', imports_t_reo)) end,
                    case when exports_t_reo is not null and not is_exports_self_reported
                        then format('exports ({} t REO)', format('{:,.0f}', exports_t_reo)) end),
                format('{:,.0f}', {{ apparent_consumption('production_t_reo', 'imports_t_reo', 'exports_t_reo',
                    'stock_change_t_reo') }}))
            else format(
                '{} {}, {} stage, {}: the stage''s trade is recorded without naming elements, so this element''s share of it is unknown; its apparent consumption and supply split are not computed (recorded: {}).',
                country_name, year, stage, element, coalesce(recorded_components, 'nothing'))
        end as message
    from balances
    left join traded_spans using (country_iso3, stage)
    where not is_aggregate
        and (balance_status in ('stage_split_unknown', 'element_trade_not_recorded', 'trade_partial')
             or (balance_status = 'trade_not_recorded' and traded_spans.country_iso3 is not null))
),

-- One row per printed figure outside tolerance (not per stage row of its scope).
published_differs as (
    select
        'published_differs' as issue_kind,
        'warn' as severity,
        published.year,
        published.country_iso3,
        countries.country_name,
        published.element,
        split_part(published.scope_stages, ', ', 1) as stage,
        cast(null as varchar) as upstream_stage,
        published.scope_apparent_consumption_t_reo as observed_t_reo,
        published.published_apparent_consumption_t_reo as limit_t_reo,
        cast({{ var('balance_tolerance_pct') }} as double) as tolerance_pct,
        format('{} {}, {} ({}): {}{}{}',
            countries.country_name, published.year, published.published_line, published.scope_stages,
            case when not published.is_apparent_consumption_within_tolerance then format(
                'apparent consumption computed over the same stages is {} t REO, printed {} t ({:.1f} %, tolerance {} %). ',
                format('{:,.0f}', published.scope_apparent_consumption_t_reo),
                format('{:,.0f}', published.published_apparent_consumption_t_reo),
                published.apparent_consumption_difference_pct, {{ var('balance_tolerance_pct') }}) else '' end,
            case when not published.is_net_import_reliance_within_tolerance then format(
                'net import reliance computed {:.1f} %, printed {}{} % (tolerance {} points). ',
                published.scope_net_import_reliance_pct,
                case published.published_net_import_reliance_qualifier when 'more_than' then '>' when 'less_than' then '<' else '' end,
                format('{:.0f}', published.published_net_import_reliance_pct),
                {{ var('published_reliance_tolerance_points') }}) else '' end,
            'Why they may differ: ' || concat_ws('; ', published.known_differences,
                case when published.published_is_estimate then 'the printed figure is an estimate (e)' end,
                case when published.computed_includes_estimate then 'the computation includes estimates' end)
                || ' (' || published.published_source || ').') as message
    from published
    left join {{ ref('dim_countries') }} as countries using (country_iso3)
    where not published.is_apparent_consumption_within_tolerance
       or not published.is_net_import_reliance_within_tolerance
),

unioned as (
    select * from negative
    union all
    select * from not_closing
    union all
    select * from inconsistent
    union all
    select * from feed_not_recorded
    union all
    select * from not_computed
    union all
    select * from published_differs
),

final as (
    select
        issue_kind,
        severity,
        year,
        country_iso3,
        country_name,
        element,
        stage,
        upstream_stage,
        round(observed_t_reo, 6) as observed_t_reo,
        round(limit_t_reo, 6) as limit_t_reo,
        round(observed_t_reo - limit_t_reo, 6) as excess_t_reo,
        cast(tolerance_pct as double) as tolerance_pct,
        message
    from unioned
)

select * from final

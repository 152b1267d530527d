-- Supply balance of each country per stage, element and calendar year, in t REO, from the flows
-- the balances use (is_in_*_balance):
--   apparent consumption = production + imports - exports - stock change (USGS definition; a
--   stock build-up is positive and reduces consumption; no stock changes are in the data yet)
--   net import reliance = (imports - exports) / apparent consumption, %, for net importers (USGS
--   prints E for a net exporter).
-- A component no source records stays null and counts as zero in the sums; recorded_components
-- says which were recorded. Exports where no production is recorded leave the reliance unknown
-- (is_production_missing, macro production_missing). Reported consumption (e.g. Japan's demand) is kept beside the
-- computed figure so the marts can test whether the balance closes.
-- A component booked here but spanning more stages (USGS's one export line for "ores and
-- compounds": mining and separation, split not published) makes the stage's apparent consumption
-- and reliance unknown: they stay null and mixed_stage_scopes says why (never a -1,720 %).
-- So does an element's where the country's stage records trade that names no element
-- (is_element_trade_missing): the element's share of it is unknown, and counting it as zero gave
-- US cerium mining a supply nine times the REO's. Trade that names the element does not close
-- the gap; trade that names only other elements does not open it.
-- So does a cell whose imports or exports are known only from its partners' records of them
-- (is_trade_partial: China's exports of compounds as the US's imports from China, which left
-- China's apparent consumption at its output less what reached the US).
-- And so does a cell with production where its country's stage records no trade at all, in any
-- element (is_trade_missing): its apparent consumption would be its production, a claim that
-- nothing was traded which no source makes (US ore 2018-2019 and 2025 read as all used at home; MCS
-- 2025: "In 2020, all domestic production of mineral concentrates was exported or held in
-- inventory").
{{ config(materialized='table') }}

with flows as (
    select * from {{ ref('int_element_stage_flows_unioned') }}
    where covers_full_year and reo_t is not null
),

trade_flows as (
    select * from flows
    where flow_type = 'trade'
),

-- Trade in a named element counts in that element's balance and in the REO total.
trade as (
    {{ with_reo_rollup('trade_flows') }}
),

figures as (
    select * from {{ ref('int_published_figures_deduplicated') }}
    where not is_illustrative and {{ period_label_kind('period_label') }} = 'year'
),

-- The rows each balance uses, one list: a flow is production of its producer, imports of its
-- destination and exports of its origin.
components as (
    select year, element, stage, origin_iso3 as country_iso3, 'production' as component, reo_t, evidence_kind,
        is_estimate, stage_scope, cast(null as boolean) as is_self_reported
    from flows
    where is_in_producer_balance
    union all
    select year, element, stage, destination_iso3, 'imports', reo_t, evidence_kind, is_estimate, stage_scope,
        is_declared_by_importer
    from trade
    where is_in_importer_balance
    union all
    select year, element, stage, origin_iso3, 'exports', reo_t, evidence_kind, is_estimate, stage_scope,
        is_declared_by_exporter
    from trade
    where is_in_exporter_balance
),

recorded as (
    select
        year,
        element,
        stage,
        country_iso3,
        sum(reo_t) filter (where component = 'production') as production_t_reo,
        sum(reo_t) filter (where component = 'imports') as imports_t_reo,
        sum(reo_t) filter (where component = 'exports') as exports_t_reo,
        string_agg(distinct evidence_kind, ', ' order by evidence_kind) filter (where component = 'production')
            as production_evidence,
        string_agg(distinct evidence_kind, ', ' order by evidence_kind) filter (where component = 'imports')
            as imports_evidence,
        string_agg(distinct evidence_kind, ', ' order by evidence_kind) filter (where component = 'exports')
            as exports_evidence,
        coalesce(bool_or(is_estimate), false) as includes_estimate,
        -- the country's own record gives some of it: where it reports at all, its records are the
        -- basis (a flow of unknown provenance is not its own; int_element_stage_flows_unioned
        -- tests that every trade flow says)
        coalesce(bool_or(is_self_reported) filter (where component = 'imports'), false) as is_imports_own,
        coalesce(bool_or(is_self_reported) filter (where component = 'exports'), false) as is_exports_own,
        string_agg(distinct component || ' (' || stage_scope || ')', '; ' order by component || ' (' || stage_scope || ')')
            filter (where stage_scope <> stage) as mixed_stage_scopes
    from components
    group by year, element, stage, country_iso3
),

-- Stock changes in t REO (positive = stocks built up), where a publication gives them.
stock_changes as (
    select
        year,
        element,
        stage,
        subject_iso3 as country_iso3,
        sum(value) as stock_change_t_reo
    from figures
    where metric = 'stock_change_t_reo'
    group by year, element, stage, subject_iso3
),

-- Consumption or demand as published (Japan's demand is printed in t, basis not stated).
reported_consumption as (
    select
        year,
        element,
        stage,
        subject_iso3 as country_iso3,
        sum(value) as reported_consumption_t,
        string_agg(figure_id, ';' order by figure_id) as reported_consumption_figure_ids,
        string_agg({{ citation('publication', 'table_or_page') }}, '; ' order by figure_id)
            as reported_consumption_source
    from figures
    where topic = 'consumption' and metric in ('demand_t', 'consumption_t_reo', 'apparent_consumption_t_reo')
    group by year, element, stage, subject_iso3
),

-- Country-stages with trade recorded, in any element, and whether some of it names no element
-- (REO rows as recorded, before the roll-up).
traded_cells as (
    select year, stage, country_iso3, bool_or(element = 'REO') as has_unnamed_trade
    from (
        select year, stage, element, destination_iso3 as country_iso3
        from trade_flows
        where is_in_importer_balance
        union all
        select year, stage, element, origin_iso3
        from trade_flows
        where is_in_exporter_balance
    ) as sides
    group by year, stage, country_iso3
),

cells as (
    select year, element, stage, country_iso3 from recorded
    union
    select year, element, stage, country_iso3 from stock_changes
    union
    select year, element, stage, country_iso3 from reported_consumption
),

joined as (
    select
        cells.year,
        cells.element,
        cells.stage,
        cells.country_iso3,
        recorded.production_t_reo,
        recorded.imports_t_reo,
        recorded.exports_t_reo,
        stock_changes.stock_change_t_reo,
        reported_consumption.reported_consumption_t,
        reported_consumption.reported_consumption_figure_ids,
        reported_consumption.reported_consumption_source,
        recorded.production_evidence,
        recorded.imports_evidence,
        recorded.exports_evidence,
        coalesce(recorded.includes_estimate, false) as includes_estimate,
        recorded.mixed_stage_scopes,
        recorded.imports_t_reo is not null and recorded.is_imports_own as is_imports_self_reported,
        recorded.exports_t_reo is not null and recorded.is_exports_own as is_exports_self_reported,
        -- imports or exports known only from partners' records of them: partial
        coalesce((recorded.imports_t_reo is not null and not recorded.is_imports_own)
            or (recorded.exports_t_reo is not null and not recorded.is_exports_own), false) as is_trade_partial,
        cells.element <> 'REO' and coalesce(traded_cells.has_unnamed_trade, false) as is_element_trade_missing,
        coalesce(recorded.production_t_reo > 0, false) and traded_cells.country_iso3 is null as is_trade_missing
    from cells
    left join recorded using (year, element, stage, country_iso3)
    left join traded_cells using (year, stage, country_iso3)
    left join stock_changes using (year, element, stage, country_iso3)
    left join reported_consumption using (year, element, stage, country_iso3)
),

computed as (
    select
        *,
        concat_ws(', ',
            case when production_t_reo is not null then 'production' end,
            case when imports_t_reo is not null then 'imports' end,
            case when exports_t_reo is not null then 'exports' end,
            case when stock_change_t_reo is not null then 'stock change' end
        ) as recorded_components,
        {{ production_missing('production_t_reo', 'exports_t_reo') }} as is_production_missing,
        case
            when mixed_stage_scopes is null and not is_element_trade_missing and not is_trade_missing
                and not is_trade_partial
                and coalesce(production_t_reo, imports_t_reo, exports_t_reo) is not null
                then {{ apparent_consumption('production_t_reo', 'imports_t_reo', 'exports_t_reo',
                    'stock_change_t_reo') }}
        end as apparent_consumption_t_reo
    from joined
),

final as (
    select
        year,
        element,
        stage,
        country_iso3,
        production_t_reo,
        imports_t_reo,
        exports_t_reo,
        stock_change_t_reo,
        apparent_consumption_t_reo,
        -- only where trade is recorded and the production beside exports too
        -- (mart_country_balances.is_net_exporter and balance_status say why it is null)
        {{ net_import_reliance_pct('coalesce(imports_t_reo, 0)', 'coalesce(exports_t_reo, 0)',
            'apparent_consumption_t_reo',
            'coalesce(imports_t_reo, exports_t_reo) is not null and not is_production_missing') }}
            as net_import_reliance_pct,
        recorded_components,
        is_production_missing,
        production_evidence,
        imports_evidence,
        exports_evidence,
        includes_estimate,
        mixed_stage_scopes,
        is_element_trade_missing,
        is_trade_missing,
        is_imports_self_reported,
        is_exports_self_reported,
        is_trade_partial,
        reported_consumption_t,
        reported_consumption_figure_ids,
        reported_consumption_source
    from computed
)

select * from final

-- Origin tracing: every tonne of a country's output, imports and supply at each stage, split by
-- first origin (country of mining) and by immediate supplier, per element and year, in t REO.
--
-- The allocation rule (the standard assumption of multi-regional input-output models): material
-- that meets in a country at a stage is mixed, and whatever leaves the mix carries the mix's
-- origin shares in proportion. Stage by stage down the chain (var chain_stages):
--   mining   a country's ore is its own first origin (ore exported by a country that mines none
--            cannot be traced: first origin XXX);
--   output   a country's output at a stage carries the origin mix of its feed, i.e. its supply at
--            the stage above; output beyond the recorded feed cannot be traced (XXX). Where the
--            production of a stage is not recorded, the feed passes through the stage (output =
--            the feed, or the exports if larger; is_production_recorded = false), so magnets made
--            from a country's own ore trace back to it even where separation is not recorded;
--   exports  carry the exporter's output mix (exports are of domestic output, as in MRIO tables;
--            re-exports are not traced through the re-exporting country);
--   imports  carry the exporter's output mix; from partners not reported (WLD), from groups
--            (OTH) or from a partner with no traceable output: XXX;
--   supply   recorded output kept at home (output - exports) plus imports; when exports exceed
--            the recorded output, the excess leaves from the imports, pro rata. Supply is
--            production + imports - exports: stock changes scale it but do not change its mix.
-- Rows per mix_kind:
--   output   what the country made at the stage (or passed through), by first origin and by the
--            supplier and stage of the feed it was made from (input_stage);
--   imports  what it imported at the stage, by exporter (supplier_iso3) and first origin;
--   supply   what stayed in the country at the stage, by immediate supplier and first origin
--            (output passed through a stage is not supply there; it feeds the stage below).
-- is_trace_complete: false where the part was made from a feed whose imports no record of the
-- country's own holds (a country's stage above the row's, with no imports recorded, or only its
-- partners' records of them): that feed is reckoned as if nothing else came in, so the first
-- origin may be wrong (China's separation output reads as all
-- Chinese ore while no record holds China's ore imports: Myanmar's, the United States'). A row's
-- own stage does not count (the balances say whether its imports are recorded): ore, its exports
-- and a miner's supply are complete; null where nothing was traced (XXX).
-- Each mix sums to its tonnage: dbt unit tests and tests/unit/test_origin_tracing.py check it.
{{ config(materialized='table') }}
{%- set chain = var('chain_stages') %}

with balances as (
    select
        year,
        element,
        stage,
        country_iso3,
        production_t_reo as production_t,
        coalesce(imports_t_reo, 0) as imports_t,
        coalesce(exports_t_reo, 0) as exports_t,
        is_imports_self_reported
    from {{ ref('int_country_balances_computed') }}
    where stage in ('{{ chain | join("', '") }}')
      and coalesce(production_t_reo, imports_t_reo, exports_t_reo) is not null
),


-- the balances' import rows; a named element's trade counts in REO too (as in the balances)
balance_imports as (
    select year, element, stage, destination_iso3, origin_iso3, reo_t
    from {{ ref('int_element_stage_flows_unioned') }}
    where flow_type = 'trade' and is_in_importer_balance and reo_t > 0
      and stage in ('{{ chain | join("', '") }}')
),

bilateral as (
    select
        year,
        element,
        stage,
        destination_iso3 as importer_iso3,
        origin_iso3 as exporter_iso3,
        sum(reo_t) as quantity_t
    from ({{ with_reo_rollup('balance_imports') }}) as rolled_up
    group by year, element, stage, destination_iso3, origin_iso3
),
{% for stage in chain %}
{%- set i = loop.index0 %}
{% if i == 0 %}
-- {{ stage }}: ore is its own first origin; ore exported by a country that mines none is untraced
stage_0_volumes as (
    select
        year,
        element,
        country_iso3,
        imports_t,
        exports_t,
        case when production_t > 0 then production_t else exports_t end as output_t,
        coalesce(production_t > 0, false) as is_production_recorded,
        is_imports_self_reported
    from balances
    where stage = '{{ stage }}'
),

stage_0_output as (
    select
        year,
        element,
        country_iso3,
        country_iso3 as supplier_iso3,
        case when is_production_recorded then country_iso3 else 'XXX' end as first_origin_iso3,
        cast(null as varchar) as input_stage,
        output_t as quantity_t,
        case when is_production_recorded then true end as is_trace_complete
    from stage_0_volumes
    where output_t > 0
),
{% else %}
-- {{ stage }}: countries with a record at the stage, and countries whose feed reaches it
stage_{{ i }}_nodes as (
    select year, element, country_iso3, production_t, imports_t, exports_t, is_imports_self_reported
    from balances
    where stage = '{{ stage }}'
    union all
    select distinct
        carried.year,
        carried.element,
        carried.country_iso3,
        cast(null as double) as production_t,
        0.0 as imports_t,
        0.0 as exports_t,
        false as is_imports_self_reported
    from carried_{{ i - 1 }} as carried
    where not exists (
        select 1 from balances
        where balances.stage = '{{ stage }}' and balances.year = carried.year
          and balances.element = carried.element and balances.country_iso3 = carried.country_iso3
    )
),

stage_{{ i }}_volumes as (
    select
        nodes.year,
        nodes.element,
        nodes.country_iso3,
        nodes.imports_t,
        nodes.exports_t,
        coalesce(sum(feed.quantity_t), 0) as feed_t,
        case
            when nodes.production_t > 0 then nodes.production_t
            -- production not recorded: the feed passes through (exports, if larger, still left)
            when nodes.production_t is null then greatest(coalesce(sum(feed.quantity_t), 0), nodes.exports_t)
            else nodes.exports_t
        end as output_t,
        coalesce(nodes.production_t > 0, false) as is_production_recorded,
        nodes.is_imports_self_reported
    from stage_{{ i }}_nodes as nodes
    left join carried_{{ i - 1 }} as feed
        on feed.year = nodes.year and feed.element = nodes.element and feed.country_iso3 = nodes.country_iso3
    group by nodes.year, nodes.element, nodes.country_iso3, nodes.production_t, nodes.imports_t, nodes.exports_t,
        nodes.is_imports_self_reported
),

-- output made from the feed carried down from the stage above; beyond the feed: untraced
stage_{{ i }}_output as (
    select
        volumes.year,
        volumes.element,
        volumes.country_iso3,
        feed.supplier_iso3,
        feed.first_origin_iso3,
        feed.input_stage,
        volumes.output_t * feed.quantity_t / greatest(volumes.output_t, volumes.feed_t) as quantity_t,
        feed.is_trace_complete
    from stage_{{ i }}_volumes as volumes
    inner join carried_{{ i - 1 }} as feed
        on feed.year = volumes.year and feed.element = volumes.element and feed.country_iso3 = volumes.country_iso3
    where volumes.output_t > 0
    union all
    select
        year,
        element,
        country_iso3,
        cast(null as varchar) as supplier_iso3,
        'XXX' as first_origin_iso3,
        cast(null as varchar) as input_stage,
        output_t - feed_t as quantity_t,
        cast(null as boolean) as is_trace_complete  -- nothing traced: XXX says the origin is unknown
    from stage_{{ i }}_volumes
    where output_t > feed_t
),
{% endif %}

stage_{{ i }}_output_mix as (
    select
        year,
        element,
        country_iso3,
        first_origin_iso3,
        sum(quantity_t) / sum(sum(quantity_t)) over (partition by year, element, country_iso3) as share,
        bool_and(is_trace_complete) as is_trace_complete
    from stage_{{ i }}_output
    group by year, element, country_iso3, first_origin_iso3
),

-- imports carry the exporter's output mix
stage_{{ i }}_imports as (
    select
        bilateral.year,
        bilateral.element,
        bilateral.importer_iso3 as country_iso3,
        bilateral.exporter_iso3 as supplier_iso3,
        coalesce(mix.first_origin_iso3, 'XXX') as first_origin_iso3,
        '{{ stage }}' as input_stage,
        bilateral.quantity_t * coalesce(mix.share, 1.0) as quantity_t,
        mix.is_trace_complete  -- null from an untraceable partner (XXX)
    from bilateral
    left join stage_{{ i }}_output_mix as mix
        on mix.year = bilateral.year and mix.element = bilateral.element
        and mix.country_iso3 = bilateral.exporter_iso3
        and bilateral.exporter_iso3 not in {{ aggregate_country_codes() }}
    where bilateral.stage = '{{ stage }}'
),

-- what stays: output made here and not exported, plus imports
stage_{{ i }}_supply as (
    select
        volumes.year,
        volumes.element,
        volumes.country_iso3,
        volumes.country_iso3 as supplier_iso3,
        output.first_origin_iso3,
        '{{ stage }}' as input_stage,
        output.quantity_t * (volumes.output_t - volumes.exports_t) / volumes.output_t as quantity_t,
        output.is_trace_complete
    from stage_{{ i }}_volumes as volumes
    inner join stage_{{ i }}_output as output using (year, element, country_iso3)
    where volumes.output_t > volumes.exports_t and volumes.is_production_recorded
    union all
    select
        imports.year,
        imports.element,
        imports.country_iso3,
        imports.supplier_iso3,
        imports.first_origin_iso3,
        imports.input_stage,
        -- exports beyond the output leave from the imports, pro rata (re-exports)
        imports.quantity_t * greatest(
            volumes.imports_t - greatest(volumes.exports_t - volumes.output_t, 0), 0
        ) / volumes.imports_t as quantity_t,
        imports.is_trace_complete
    from stage_{{ i }}_imports as imports
    inner join stage_{{ i }}_volumes as volumes using (year, element, country_iso3)
    where volumes.imports_t > 0
),

-- the feed for the stage below: the supply, and the feed passed through where production at
-- this stage is not recorded (it keeps the supplier and stage it came from)
carried_{{ i }}_parts as (
    select year, element, country_iso3, supplier_iso3, first_origin_iso3, input_stage, quantity_t, is_trace_complete
    from stage_{{ i }}_supply
    where quantity_t > 0
    union all
    select
        volumes.year,
        volumes.element,
        volumes.country_iso3,
        output.supplier_iso3,
        output.first_origin_iso3,
        output.input_stage,
        output.quantity_t * (volumes.output_t - volumes.exports_t) / volumes.output_t as quantity_t,
        output.is_trace_complete
    from stage_{{ i }}_volumes as volumes
    inner join stage_{{ i }}_output as output using (year, element, country_iso3)
    where volumes.output_t > volumes.exports_t and not volumes.is_production_recorded
),

-- a feed is incomplete where no record of the country's own holds its imports at this stage
-- (what it made below may hold imported material); an untraced part (null) stays null
carried_{{ i }} as (
    select
        parts.* exclude (is_trace_complete),
        case when parts.is_trace_complete is not null
            then parts.is_trace_complete and volumes.is_imports_self_reported
        end as is_trace_complete
    from carried_{{ i }}_parts as parts
    inner join stage_{{ i }}_volumes as volumes using (year, element, country_iso3)
),
{% endfor %}

traced as (
{%- for stage in chain %}
{%- set i = loop.index0 %}
    select output.year, output.element, '{{ stage }}' as stage, output.country_iso3, 'output' as mix_kind,
        output.supplier_iso3, output.first_origin_iso3, output.input_stage, volumes.is_production_recorded,
        output.quantity_t, output.is_trace_complete
    from stage_{{ i }}_output as output
    inner join stage_{{ i }}_volumes as volumes using (year, element, country_iso3)
    union all
    select year, element, '{{ stage }}' as stage, country_iso3, 'imports' as mix_kind,
        supplier_iso3, first_origin_iso3, input_stage, cast(null as boolean) as is_production_recorded, quantity_t,
        is_trace_complete
    from stage_{{ i }}_imports
    union all
    select supply.year, supply.element, '{{ stage }}' as stage, supply.country_iso3, 'supply' as mix_kind,
        supply.supplier_iso3, supply.first_origin_iso3, supply.input_stage, volumes.is_production_recorded,
        supply.quantity_t, supply.is_trace_complete
    from stage_{{ i }}_supply as supply
    inner join stage_{{ i }}_volumes as volumes using (year, element, country_iso3)
    {%- if not loop.last %}
    union all
    {%- endif %}
{%- endfor %}
),

summed as (
    select
        year,
        element,
        stage,
        country_iso3,
        mix_kind,
        supplier_iso3,
        first_origin_iso3,
        input_stage,
        is_production_recorded,
        sum(quantity_t) as quantity_t,
        bool_and(is_trace_complete) as is_trace_complete
    from traced
    where quantity_t > 0
    group by all
),

final as (
    select
        * exclude (quantity_t),
        -- Rounded: parallel float sums differ in the last bits between runs.
        round(quantity_t, 6) as quantity_t_reo,
        round(100 * quantity_t / sum(quantity_t) over (
            partition by year, element, stage, country_iso3, mix_kind
        ), 6) as share_of_mix_pct
    from summed
)

select * from final

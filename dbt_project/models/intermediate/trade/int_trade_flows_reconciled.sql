-- Mirror reconciliation: every flow from exporter to importer is declared twice, as the
-- importer's import and as the exporter's export. Both declarations are kept side by side and
-- one is chosen, following the logic of CEPII's BACI (Gaulier & Zignago 2010, "BACI:
-- International Trade Database at the Product-Level", CEPII Working Paper 2010-23):
-- - values are compared on a FOB basis: the importer's CIF value is divided by the CIF/FOB
--   factor (var cif_fob_factor; BACI estimates it per flow with a gravity model, which needs
--   data we do not have, so the IMF Direction of Trade Statistics' uniform 1.10 stands in);
-- - where both sides declared, the importer's declaration is used: imports are recorded for
--   duties and are the more reliable side (BACI's reliability weights favour importers for
--   most reporters; we do not estimate the weights), and the discrepancy is recorded;
-- - where only one side declared, that side is used (the mirror fills a non-reporter).
-- A 6-digit declaration facing a heading-level one (2846) is compared at heading level.
with declarations as (select * from {{ ref('int_trade_declarations_annualized') }}),

-- When either side reports the pair at heading level, both are compared at heading level.
-- Element detail (national lines) is compared as totals; the split is applied afterwards.
comparable as (
    select
        *,
        case
            when bool_or(hs_digits = 4) over (
                partition by year, importer_iso3, exporter_iso3, substr(hs_code, 1, 4)
            ) then substr(hs_code, 1, 4)
            else hs_code
        end as trade_code
    from declarations
),

sides as (
    select
        year,
        importer_iso3,
        exporter_iso3,
        trade_code,
        reporting_side,
        max(hs_edition) as hs_edition,
        string_agg(distinct source_kind, ';' order by source_kind) as source_kind,
        string_agg(distinct file_ids, ';' order by file_ids) as file_ids,
        bool_or(is_sample) as is_sample,
        min(months_covered) as months_covered,
        sum(product_t) as product_t,
        sum(value_usd) as value_usd
    from comparable
    group by all
),

importer_side as (
    select * from sides where reporting_side = 'importer'
),

exporter_side as (
    select * from sides where reporting_side = 'exporter'
),

paired as (
    select
        coalesce(imp.year, exp.year) as year,
        coalesce(imp.importer_iso3, exp.importer_iso3) as importer_iso3,
        coalesce(imp.exporter_iso3, exp.exporter_iso3) as exporter_iso3,
        coalesce(imp.trade_code, exp.trade_code) as trade_code,
        coalesce(imp.hs_edition, exp.hs_edition) as hs_edition,
        imp.product_t as importer_reported_t,
        exp.product_t as exporter_reported_t,
        imp.value_usd / {{ var('cif_fob_factor') }} as importer_value_fob_usd,
        exp.value_usd as exporter_value_fob_usd,
        imp.year is not null as importer_declared,
        exp.year is not null as exporter_declared,
        imp.source_kind as importer_source_kind,
        exp.source_kind as exporter_source_kind,
        imp.file_ids as importer_file_ids,
        exp.file_ids as exporter_file_ids,
        coalesce(imp.is_sample, false) or coalesce(exp.is_sample, false) as is_sample,
        coalesce(imp.months_covered, exp.months_covered) as months_covered
    from importer_side as imp
    full outer join exporter_side as exp
        on imp.year = exp.year
        and imp.importer_iso3 = exp.importer_iso3
        and imp.exporter_iso3 = exp.exporter_iso3
        and imp.trade_code = exp.trade_code
),

final as (
    select
        year,
        importer_iso3,
        exporter_iso3,
        trade_code,
        hs_edition,
        -- A declared import without a weight falls back to the mirror's weight.
        case
            when importer_declared and importer_reported_t is not null then 'importer'
            when exporter_declared and exporter_reported_t is not null then 'exporter_mirror'
            when importer_declared then 'importer'
            else 'exporter_mirror'
        end as reporting_side,
        coalesce(importer_reported_t, exporter_reported_t) as product_t,
        coalesce(importer_value_fob_usd, exporter_value_fob_usd) as value_fob_usd,
        importer_reported_t,
        exporter_reported_t,
        importer_value_fob_usd,
        exporter_value_fob_usd,
        -- Discrepancy of the importer's figure against the mirror, in % of their mean.
        case
            when importer_reported_t + exporter_reported_t > 0
                then round(200.0 * (importer_reported_t - exporter_reported_t)
                    / (importer_reported_t + exporter_reported_t), 6)
        end as quantity_discrepancy_pct,
        case
            when importer_value_fob_usd + exporter_value_fob_usd > 0
                then round(200.0 * (importer_value_fob_usd - exporter_value_fob_usd)
                    / (importer_value_fob_usd + exporter_value_fob_usd), 6)
        end as value_discrepancy_pct,
        case
            when importer_declared and (importer_reported_t is not null or not exporter_declared)
                then importer_source_kind
            else exporter_source_kind
        end as source_kind,
        case
            when importer_declared and (importer_reported_t is not null or not exporter_declared)
                then importer_file_ids
            else exporter_file_ids
        end as file_ids,
        is_sample,
        months_covered
    from paired
)

select * from final

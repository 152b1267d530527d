-- A table, not a view: the reconciliation reads it twice, and each read of a view re-reads
-- every staged Parquet file (one per landed API answer: thousands after a large fetch).
-- Incremental by year (dbt_project.yml, macros/trade_years.sql): only the years whose inputs
-- changed are rebuilt.

-- Each country's own declarations of rare-earth trade, one row per year x reporting side x
-- importer x exporter x code (x element for national lines that give it).
-- Rules, in order (each says why):
-- 1. Only goods (type C), imports (M) and exports (X) between two named partners: partner
--    "World" is a total, and second-partner / transport-mode / customs-procedure breakdowns
--    would count the same goods twice, so only their totals (0, 0, C00) are kept.
-- 2. A record revised in a later landing (a re-fetched API answer, a newer bulk file)
--    supersedes the earlier one: per record key, the latest landed file wins.
-- 3. Monthly records are summed to the year only where no annual record exists for the same
--    key; `months_covered` tells a partial year from a full one.
-- 4. A heading-level record (2846) is dropped when the same reporter gave its subheadings.
-- 5. National customs lines give the same reporter's imports/exports in more detail; for a
--    reporter, side, code and year with customs lines, the Comtrade record is not used.
with year_inputs as (select * from {{ ref('int_trade_year_inputs') }}),
years_to_build as ({{ trade_years_to_build('year_inputs', is_incremental()) }}),

comtrade as (
    select * from {{ ref('int_comtrade_flows_located') }}
    where year in (select year from years_to_build)
),

customs as (
    select * from {{ ref('stg_customs__flows') }}
    where year in (select year from years_to_build)
),

landed as (
    select file_id, source_kind as source, fetched_at from {{ ref('stg_landing__files') }}
),

hs_codes as (
    select distinct hs6 as code, 6 as digits from {{ ref('hs_codes') }}
    union all
    select cast(heading as varchar) as code, 4 as digits from {{ ref('hs_headings') }}
),

comtrade_in_scope as (
    select comtrade.*, landed.source as source_kind, landed.fetched_at
    from comtrade
    inner join hs_codes on hs_codes.code = comtrade.cmd_code
    inner join landed using (file_id)
    where comtrade.type_code = 'C'
        and comtrade.direction is not null
        and comtrade.partner_iso3 <> 'WLD'
        and coalesce(comtrade.partner2_code, 0) = 0
        and coalesce(comtrade.mot_code, 0) = 0
        and coalesce(comtrade.customs_code, 'C00') = 'C00'
),

comtrade_latest as (
    select *
    from comtrade_in_scope
    qualify {{ is_latest_landing(
        ['reporter_iso3', 'partner_iso3', 'direction', 'cmd_code', 'frequency', 'period'], 'fetched_at') }}
),

customs_latest as (
    select customs.*, landed.source as source_kind
    from customs
    inner join landed using (file_id)
    where customs.direction is not null
    qualify {{ is_latest_landing(
        ['customs.reporter_iso3', 'customs.partner_iso3', 'customs.direction', 'customs.national_code',
         'customs.period'], 'landed.fetched_at', 'customs.file_id') }}
),

declarations as (
    select
        'comtrade' as record_family,
        source_kind,
        file_id,
        is_sample,
        frequency,
        year,
        month,
        reporter_iso3,
        partner_iso3,
        direction,
        hs_edition,
        cmd_code as hs_code,
        hs_digits,
        cast(null as varchar) as element_symbol,
        product_t,
        -- The value as declared: imports at CIF, exports at FOB (primaryValue when the other is absent).
        case direction
            when 'import' then coalesce(cif_value_usd, primary_value_usd)
            else coalesce(fob_value_usd, primary_value_usd)
        end as value_usd
    from comtrade_latest
    union all
    select
        'customs' as record_family,
        source_kind,
        file_id,
        false as is_sample,
        case when month is null then 'A' else 'M' end as frequency,
        year,
        month,
        reporter_iso3,
        partner_iso3,
        direction,
        'national' as hs_edition,
        hs6 as hs_code,
        6 as hs_digits,
        element_symbol,
        product_t,
        value_usd
    from customs_latest
),

annual_keys as (
    select distinct record_family, reporter_iso3, partner_iso3, direction, hs_code, year
    from declarations
    where frequency = 'A'
),

annualized as (
    select
        declarations.record_family,
        declarations.reporter_iso3,
        declarations.partner_iso3,
        declarations.direction,
        declarations.hs_code,
        declarations.hs_digits,
        declarations.element_symbol,
        declarations.year,
        max(declarations.hs_edition) as hs_edition,
        bool_or(declarations.is_sample) as is_sample,
        string_agg(distinct declarations.source_kind, ';' order by declarations.source_kind) as source_kind,
        string_agg(distinct declarations.file_id, ';' order by declarations.file_id) as file_ids,
        case when bool_or(declarations.frequency = 'A') then 12
            else cast(count(distinct declarations.month) as integer) end as months_covered,
        sum(declarations.product_t) as product_t,
        sum(declarations.value_usd) as value_usd
    from declarations
    left join annual_keys
        on annual_keys.record_family = declarations.record_family
        and annual_keys.reporter_iso3 = declarations.reporter_iso3
        and annual_keys.partner_iso3 = declarations.partner_iso3
        and annual_keys.direction = declarations.direction
        and annual_keys.hs_code = declarations.hs_code
        and annual_keys.year = declarations.year
    -- Rule 3: months only count where the year was not reported as a whole.
    where declarations.frequency = 'A' or annual_keys.year is null
    group by all
),

without_covered_headings as (
    select *
    from annualized
    qualify not (
        hs_digits = 4
        and bool_or(hs_digits = 6) over (
            partition by record_family, reporter_iso3, partner_iso3, direction, year, substr(hs_code, 1, 4)
        )
    )
),

final as (
    select
        year,
        direction,
        case direction when 'import' then 'importer' else 'exporter' end as reporting_side,
        case direction when 'import' then reporter_iso3 else partner_iso3 end as importer_iso3,
        case direction when 'import' then partner_iso3 else reporter_iso3 end as exporter_iso3,
        reporter_iso3,
        hs_code,
        hs_digits,
        hs_edition,
        element_symbol,
        record_family,
        source_kind,
        file_ids,
        is_sample,
        months_covered,
        product_t,
        value_usd,
        years_to_build.inputs_fingerprint as year_inputs_fingerprint,
        '{{ invocation_id }}' as built_by_invocation_id
    from without_covered_headings
    inner join years_to_build using (year)
    -- Rule 5: customs lines replace the same reporter's Comtrade record for that code and year.
    qualify record_family = 'customs' or not bool_or(record_family = 'customs') over (
        partition by reporter_iso3, direction, hs_code, year, importer_iso3, exporter_iso3
    )
)

select * from final

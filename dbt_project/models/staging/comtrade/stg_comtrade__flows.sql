-- Comtrade records typed and named: quantities in kg and t, values in USD, HS edition kept.
-- Countries: the record's ISO3 when it is a known country, else its Comtrade code through the
-- code seed (Comtrade's own codes for USA, France, India...), else its M49 code; anything left
-- ("Areas, nes", free zones) becomes OTH so that it is counted but never named.
with source as (
    select * from {{ source('comtrade', 'comtrade_records') }}
),

countries as (
    select country_iso3, m49_code from {{ ref('stg_reference__countries') }}
),

comtrade_codes as (
    select comtrade_code, country_iso3 from {{ ref('comtrade_country_codes') }}
),

classifications as (
    select * from {{ ref('hs_classifications') }}
),

located as (
    select
        source.*,
        coalesce(reporter_known.country_iso3, reporter_coded.country_iso3, reporter_m49.country_iso3, 'OTH') as reporter_iso3,
        coalesce(partner_known.country_iso3, partner_coded.country_iso3, partner_m49.country_iso3, 'OTH') as partner_iso3
    from source
    left join countries as reporter_known on reporter_known.country_iso3 = source.reporter_iso
    left join comtrade_codes as reporter_coded on reporter_coded.comtrade_code = source.reporter_code
    left join countries as reporter_m49 on reporter_m49.m49_code = source.reporter_code
    left join countries as partner_known on partner_known.country_iso3 = source.partner_iso
    left join comtrade_codes as partner_coded on partner_coded.comtrade_code = source.partner_code
    left join countries as partner_m49 on partner_m49.m49_code = source.partner_code
),

final as (
    select
        located.file_id,
        located.record_number,
        located.source_format,
        located.is_sample,
        located.type_code,
        located.freq_code as frequency,
        located.period,
        located.ref_year as year,
        case when located.freq_code = 'M' then located.ref_month end as month,
        located.reporter_code,
        located.reporter_iso3,
        located.partner_code,
        located.partner_iso3,
        located.partner2_code,
        located.flow_code,
        case located.flow_code when 'M' then 'import' when 'X' then 'export' end as direction,
        located.classification_code,
        coalesce(classifications.hs_edition, 'HS2022') as hs_edition,
        classifications.hs_edition is null as is_hs_edition_assumed,
        located.cmd_code,
        length(located.cmd_code) as hs_digits,
        located.customs_code,
        located.mot_code,
        located.qty_unit_code,
        located.qty,
        -- Net weight in kg; when it is missing, a quantity reported in kg (unit code 8) stands in.
        coalesce(located.net_wgt_kg, case when located.qty_unit_code = 8 then located.qty end) as net_weight_kg,
        coalesce(located.net_wgt_kg, case when located.qty_unit_code = 8 then located.qty end) / 1000.0 as product_t,
        located.is_net_wgt_estimated,
        located.cif_value_usd,
        located.fob_value_usd,
        located.primary_value_usd,
        located.is_reported,
        located.is_aggregate
    from located
    left join classifications using (classification_code)
)

select * from final

-- Comtrade records placed on reeflow's countries and HS editions.
-- Countries: the record's ISO3 when it is a known country, else its Comtrade code through the
-- code seed (Comtrade's own codes for USA, France, India, and 490 "Other Asia, nes" = Taiwan),
-- else its M49 code; anything left ("Areas, nes", free zones) becomes OTH so that it is counted
-- but never named. HS edition from Comtrade's classification code (H3..H6); an unknown code is
-- taken as HS2022 and flagged (is_hs_edition_assumed).
with flows as (select * from {{ ref('stg_comtrade__flows') }}),

countries as (
    select country_iso3, m49_code from {{ ref('stg_reference__countries') }}
),

comtrade_codes as (
    select comtrade_code, country_iso3 from {{ ref('comtrade_country_codes') }}
),

classifications as (select * from {{ ref('hs_classifications') }}),

final as (
    select
        flows.*,
        coalesce(reporter_known.country_iso3, reporter_coded.country_iso3, reporter_m49.country_iso3, 'OTH')
            as reporter_iso3,
        coalesce(partner_known.country_iso3, partner_coded.country_iso3, partner_m49.country_iso3, 'OTH')
            as partner_iso3,
        coalesce(classifications.hs_edition, 'HS2022') as hs_edition,
        classifications.hs_edition is null as is_hs_edition_assumed
    from flows
    left join countries as reporter_known on reporter_known.country_iso3 = flows.reporter_iso_as_reported
    left join comtrade_codes as reporter_coded on reporter_coded.comtrade_code = flows.reporter_code
    left join countries as reporter_m49 on reporter_m49.m49_code = flows.reporter_code
    left join countries as partner_known on partner_known.country_iso3 = flows.partner_iso_as_reported
    left join comtrade_codes as partner_coded on partner_coded.comtrade_code = flows.partner_code
    left join countries as partner_m49 on partner_m49.m49_code = flows.partner_code
    left join classifications using (classification_code)
)

select * from final

-- Comtrade records typed and named: quantities in kg and t, values in USD, the flow's direction.
-- Reporter and partner stay as Comtrade gives them (ISO3 and Comtrade code); they are placed on
-- reeflow's countries in int_comtrade_flows_located.
with source as (select * from {{ source('comtrade', 'comtrade_records') }}),

final as (
    select
        file_id,
        record_number,
        source_format,
        is_sample,
        type_code,
        freq_code as frequency,
        period,
        ref_year as year,
        case when freq_code = 'M' then ref_month end as month,
        reporter_code,
        reporter_iso as reporter_iso_as_reported,
        partner_code,
        partner_iso as partner_iso_as_reported,
        partner2_code,
        flow_code,
        case flow_code when 'M' then 'import' when 'X' then 'export' end as direction,
        classification_code,
        cmd_code,
        length(cmd_code) as hs_digits,
        customs_code,
        mot_code,
        qty_unit_code,
        qty,
        -- Net weight in kg; when it is missing, a quantity reported in kg (unit code 8) stands in.
        coalesce(net_wgt_kg, case when qty_unit_code = 8 then qty end) as net_weight_kg,
        coalesce(net_wgt_kg, case when qty_unit_code = 8 then qty end) / 1000.0 as product_t,
        is_net_wgt_estimated,
        cif_value_usd,
        fob_value_usd,
        primary_value_usd,
        is_reported,
        is_aggregate
    from source
)

select * from final

{#- Codes whose share could hold any country, China included: WLD as a partner (partners not
    reported), XNI (the part of a published total no source allocates to a partner) and XXX (a
    first origin the tracing cannot place). OTH ("other countries") is known not to hold a country
    the same group itemizes. A literal list, for `in {{ unknown_origin_codes() }}`. -#}
{% macro unknown_origin_codes() -%}
    ('WLD', 'XNI', 'XXX')
{%- endmacro %}

{#- Whether a share is a lower bound: at least 100 - full_coverage_pct % of its whole is of
    unknown partner or origin (unknown_origin_codes), which may hold more of the same country. -#}
{% macro share_is_lower_bound(unknown_pct) -%}
    ({{ unknown_pct }} >= 100 - {{ var('full_coverage_pct') }})
{%- endmacro %}

{#- Concentration of one group of shares (the caller's GROUP BY), the same rule in every mart:
      hhi            sum of squared % shares of the countries (0-10,000); groups (WLD, OTH, XNI,
                     XXX) are not suppliers and stay out
      coverage_pct   sum of the shares whose partner or origin is known (countries and OTH): how
                     much of the whole the evidence places
      unknown_origin_pct  sum of the shares of unknown partner or origin (WLD, XNI, XXX)
      itemized_pct   sum of the countries' shares
      is_hhi_lower_bound  the countries cover less than var full_coverage_pct: the HHI of the rest
                     is unknown, so the HHI can only be higher
      china_share_pct     China's share where the group itemizes China; 0 where it does not and
                     the known shares cover the whole (coverage_pct >= full_coverage_pct); null
                     where China is not itemized and part of the whole is unknown or not printed
                     (unknown, not zero)
      is_china_share_lower_bound  China is itemized and at least 100 - full_coverage_pct % of the
                     whole is of unknown partner or origin (which may hold more Chinese material);
                     a printed list that leaves part of the whole unassigned does not make China's
                     printed share a bound (the rest is other countries)
      top_iso3, top_share_pct  the largest country; ties broken on the share rounded to 6 dp,
                     then the code, so reruns agree
      countries_itemized  how many countries the group names
    Results are rounded to 6 dp: parallel float sums differ in the last bits between runs. -#}
{% macro concentration_stats(share, code, is_aggregate) -%}
    {%- set full = var('full_coverage_pct') -%}
    {%- set unknown = code ~ ' in ' ~ unknown_origin_codes() -%}
    {#- each sum once; the columns below compare them -#}
    {%- set known_pct = 'round(sum(case when not (' ~ unknown ~ ') then ' ~ share ~ ' else 0 end), 6)' -%}
    {%- set unknown_pct = 'round(sum(case when ' ~ unknown ~ ' then ' ~ share ~ ' else 0 end), 6)' -%}
    {%- set itemized_pct = 'round(sum(case when not ' ~ is_aggregate ~ ' then ' ~ share ~ ' else 0 end), 6)' -%}
    round(sum(case when not {{ is_aggregate }} then {{ share }} * {{ share }} else 0 end), 6) as hhi,
    {{ known_pct }} as coverage_pct,
    {{ unknown_pct }} as unknown_origin_pct,
    {{ itemized_pct }} as itemized_pct,
    {{ itemized_pct }} < {{ full }} as is_hhi_lower_bound,
    case
        when bool_or({{ code }} = 'CHN') then round(max(case when {{ code }} = 'CHN' then {{ share }} end), 6)
        when {{ known_pct }} >= {{ full }} then 0
    end as china_share_pct,
    bool_or({{ code }} = 'CHN') and {{ share_is_lower_bound(unknown_pct) }} as is_china_share_lower_bound,
    first({{ code }} order by round({{ share }}, 6) desc, {{ code }}) filter (where not {{ is_aggregate }}) as top_iso3,
    round(max({{ share }}) filter (where not {{ is_aggregate }}), 6) as top_share_pct,
    count(*) filter (where not {{ is_aggregate }}) as countries_itemized
{%- endmacro %}

{#- The columns that make one set of import shares (int_import_shares_traced): one importer,
    element, stage, origin basis, year, period, kind of source, definition, share basis and HS
    line. Shares of different sets are never mixed; a partition or grouping over a set lists these. -#}
{% macro share_set_columns() -%}
    importer_iso3, element, stage, origin_basis, year, period_label, source_kind, definition, share_basis, hs6
{%- endmacro %}

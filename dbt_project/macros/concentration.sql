{#- Concentration of one group of shares (the caller's GROUP BY), the same rule in every mart:
      hhi            sum of squared % shares of the countries (0-10,000); groups (WLD, OTH, XXX)
                     are not suppliers and stay out
      coverage_pct   sum of every share in the group, groups included: how much of the whole the
                     source itemizes
      itemized_pct   sum of the countries' shares
      is_hhi_lower_bound  the countries cover less than var full_coverage_pct: the HHI of the rest
                     is unknown, so the HHI can only be higher
      china_share_pct     China's share where the group itemizes China; 0 where it does not but the
                     group covers the whole (coverage_pct >= full_coverage_pct: a fully traced
                     supply with its untraced part itemized as XXX counts as whole); null where
                     China is not itemized and coverage is partial (unknown, not zero)
      is_china_share_lower_bound  China is itemized but coverage is partial
      top_iso3, top_share_pct  the largest country; ties broken on the share rounded to 6 dp,
                     then the code, so reruns agree
      countries_itemized  how many countries the group names
    Results are rounded to 6 dp: parallel float sums differ in the last bits between runs. -#}
{% macro concentration_stats(share, code, is_aggregate) -%}
    {%- set full = var('full_coverage_pct') -%}
    round(sum(case when not {{ is_aggregate }} then {{ share }} * {{ share }} else 0 end), 6) as hhi,
    round(sum({{ share }}), 6) as coverage_pct,
    round(sum(case when not {{ is_aggregate }} then {{ share }} else 0 end), 6) as itemized_pct,
    round(sum(case when not {{ is_aggregate }} then {{ share }} else 0 end), 6) < {{ full }} as is_hhi_lower_bound,
    case
        when bool_or({{ code }} = 'CHN') then round(max(case when {{ code }} = 'CHN' then {{ share }} end), 6)
        when round(sum({{ share }}), 6) >= {{ full }} then 0
    end as china_share_pct,
    bool_or({{ code }} = 'CHN') and round(sum({{ share }}), 6) < {{ full }} as is_china_share_lower_bound,
    first({{ code }} order by round({{ share }}, 6) desc, {{ code }}) filter (where not {{ is_aggregate }}) as top_iso3,
    round(max({{ share }}) filter (where not {{ is_aggregate }}), 6) as top_share_pct,
    count(*) filter (where not {{ is_aggregate }}) as countries_itemized
{%- endmacro %}

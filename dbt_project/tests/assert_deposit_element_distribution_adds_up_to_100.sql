-- A facility's published distribution of TREO must add up to 100 % (printed to 0.1 %: more than
-- half a point off is a typo, as companies.yml's loader also checks).
select facility_id, published_in, sum(share_pct_of_treo) as total_pct
from {{ ref('deposit_element_distribution') }}
group by facility_id, published_in
having abs(sum(share_pct_of_treo) - 100) > 0.5

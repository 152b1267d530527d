-- int_stockpiles_pivoted reads the holder (national / private) from a stockpile figure's
-- definition: a figure whose definition names neither would silently drop out of the cover.
select figure_id, definition
from {{ ref('fct_published_figures') }}
where topic = 'stockpile'
  and not is_illustrative
  and lower(definition) not like 'national%'
  and lower(definition) not like 'private%'

-- How a figure is printed and how it is flagged must agree (the parser refuses these rows; this
-- test guards the warehouse against any other way in): only an exact figure is not an estimate,
-- an estimate says why, a range runs from value to value_high and only a range has a high end.
select figure_id, value_qualifier, value, value_high, is_estimate, method
from {{ ref('fct_published_figures') }}
where (value_qualifier <> 'exact' and not is_estimate)
   or (is_estimate and method is null)
   or (value_qualifier = 'range' and (value_high is null or value_high < value))
   or (value_qualifier <> 'range' and value_high is not null)

-- A diversification project's related_figure_ids name published figures that exist: the same
-- number is carried one figure a row in the register (fct_published_figures), cited there.
with projects as (select * from {{ ref('fct_diversification_projects') }}),

related as (
    select projects.project_id, projects.source_publication, trim(related.figure_id) as figure_id
    from projects
    cross join unnest(string_split(projects.related_figure_ids, ';')) as related (figure_id)
    where projects.related_figure_ids is not null
)

select related.*
from related
left join {{ ref('fct_published_figures') }} as figures using (figure_id)
where figures.figure_id is null

-- Origin tracing walks var chain_stages in order: it must be the stages seed in chain_order.
{%- set chain = var('chain_stages') %}
with expected (stage, chain_order) as (
    values {% for stage in chain %}('{{ stage }}', {{ loop.index }}){% if not loop.last %}, {% endif %}{% endfor %}
),

seeded as (
    select stage, chain_order from {{ ref('stages') }}
)

select coalesce(expected.stage, seeded.stage) as stage, expected.chain_order as expected_order,
    seeded.chain_order as seeded_order
from expected
full outer join seeded using (stage)
where expected.chain_order is distinct from seeded.chain_order

"""campaigns: a time zone for the times they show, and a folded text for word search

Revision ID: f5084c8dc8b7
Revises: ee47a172a927
Create Date: 2026-11-22 11:01:00+00:00

"""
import unicodedata
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = 'f5084c8dc8b7'
down_revision: Union[str, Sequence[str], None] = 'ee47a172a927'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _fold(text: str) -> str:
    # The same folding as app/campaigns/search.py::fold, frozen here with this revision.
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def upgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False))
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))

    # Existing campaigns become searchable at once.
    bind = op.get_bind()
    campaigns = sa.table(
        'campaigns', sa.column('id', sa.Integer), sa.column('title', sa.String),
        sa.column('beneficiary', sa.String), sa.column('place', sa.String),
        sa.column('search_text', sa.Text),
    )
    hashtags = sa.table('hashtags', sa.column('campaign_id', sa.Integer), sa.column('tag', sa.String))
    tags: dict[int, list[str]] = {}
    for campaign_id, tag in bind.execute(sa.select(hashtags.c.campaign_id, hashtags.c.tag)):
        tags.setdefault(campaign_id, []).append(f"#{tag}")
    rows = bind.execute(
        sa.select(campaigns.c.id, campaigns.c.title, campaigns.c.beneficiary, campaigns.c.place)
    ).all()
    for campaign_id, title, beneficiary, place in rows:
        text = " ".join([title or "", beneficiary or "", place or "", *tags.get(campaign_id, [])])
        bind.execute(
            campaigns.update().where(campaigns.c.id == campaign_id).values(search_text=_fold(text))
        )


def downgrade() -> None:
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('search_text')
        batch_op.drop_column('time_zone')

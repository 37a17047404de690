"""donations.client_key: which client started a pending gift (a daily keyed hash, not its IP)

Revision ID: 18e7d111c3e4
Revises: fa9116b83258
Create Date: 2026-11-22 11:40:00.000000+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '18e7d111c3e4'
down_revision: Union[str, Sequence[str], None] = 'fa9116b83258'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_key', sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('donations', schema=None) as batch_op:
        batch_op.drop_column('client_key')

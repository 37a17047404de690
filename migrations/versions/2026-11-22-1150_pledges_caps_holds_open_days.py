"""pledges: per-pledge maximum per need, short holds for pledges far ahead, open weekdays

Revision ID: 744a637c34c7
Revises: 18e7d111c3e4
Create Date: 2026-11-22 11:00:00.000000+00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import app.db  # noqa: F401  (custom column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision: str = '744a637c34c7'
down_revision: Union[str, Sequence[str], None] = '18e7d111c3e4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('inkind_needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_per_pledge', sa.Integer(), nullable=True))

    with op.batch_alter_table('inkind_drop_off_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_weekdays', sa.String(length=7), server_default='1234567', nullable=False))

    with op.batch_alter_table('inkind_pledges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_expires_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_inkind_pledges_hold_expires_at'), ['hold_expires_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('inkind_pledges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inkind_pledges_hold_expires_at'))
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('hold_expires_at')

    with op.batch_alter_table('inkind_drop_off_points', schema=None) as batch_op:
        batch_op.drop_column('open_weekdays')

    with op.batch_alter_table('inkind_needs', schema=None) as batch_op:
        batch_op.drop_column('max_per_pledge')

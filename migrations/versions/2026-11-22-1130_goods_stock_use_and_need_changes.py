"""goods used from stock, and the history of need quantities

Revision ID: fa9116b83258
Revises: f5084c8dc8b7
Create Date: 2026-11-22 11:30:00.000000+00:00

The in-kind ledger gains a "used" count (goods handed out or used), so what is on hand is
received minus used; each submit of the use form is a row in inkind_stock_uses. A need's target
or daily rate may change: inkind_need_changes keeps every former value, who and when.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import app.db  # noqa: F401  (custom column types such as UTCDateTime)


# revision identifiers, used by Alembic.
revision: str = 'fa9116b83258'
down_revision: Union[str, Sequence[str], None] = 'f5084c8dc8b7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('inkind_stock_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('used_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_inkind_stock_uses_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_inkind_stock_uses_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inkind_stock_uses')),
    sa.UniqueConstraint('campaign_id', 'idempotency_key', name=op.f('uq_inkind_stock_uses_campaign_id_idempotency_key')),
    )
    with op.batch_alter_table('inkind_stock_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inkind_stock_uses_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('inkind_need_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('old_value', sa.Integer(), nullable=True),
    sa.Column('new_value', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_inkind_need_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['inkind_needs.id'], name=op.f('fk_inkind_need_changes_need_id_inkind_needs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inkind_need_changes')),
    )
    with op.batch_alter_table('inkind_need_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inkind_need_changes_need_id'), ['need_id'], unique=False)

    with op.batch_alter_table('inkind_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_delta', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('use_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_inkind_entries_use_id_inkind_stock_uses'), 'inkind_stock_uses', ['use_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('inkind_totals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('inkind_totals', schema=None) as batch_op:
        batch_op.drop_column('used')

    with op.batch_alter_table('inkind_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_inkind_entries_use_id_inkind_stock_uses'), type_='foreignkey')
        batch_op.drop_column('use_id')
        batch_op.drop_column('used_delta')

    with op.batch_alter_table('inkind_need_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inkind_need_changes_need_id'))
    op.drop_table('inkind_need_changes')

    with op.batch_alter_table('inkind_stock_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inkind_stock_uses_campaign_id'))
    op.drop_table('inkind_stock_uses')

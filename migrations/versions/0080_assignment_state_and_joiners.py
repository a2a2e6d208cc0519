"""assignments: pause and archive, and a due date of their own for people who join later

Revision ID: 0080
Revises: 0070
Create Date: 2026-12-04 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0080'
down_revision = '0070'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=20), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('join_days', sa.Integer(), nullable=True))
    with op.batch_alter_table('assignment_target', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('assignment_target', schema=None) as batch_op:
        batch_op.drop_column('due_on')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('join_days')
        batch_op.drop_column('state')

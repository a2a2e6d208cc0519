"""report status: each person's training hours per year and source

Revision ID: 0090
Revises: 0040
Create Date: 2026-12-05 02:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0090'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('learner_hours',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('online', sa.Float(), nullable=False),
    sa.Column('classroom', sa.Float(), nullable=False),
    sa.Column('external', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_learner_hours_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'year', name=op.f('pk_learner_hours'))
    )
    # filled from the sources by `flask reports rebuild` (run it once after this upgrade)


def downgrade():
    op.drop_table('learner_hours')

"""people import: each HR user's column mapping, kept for the next file

Revision ID: 0081
Revises: 0080
Create Date: 2026-12-04 22:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0081'
down_revision = '0080'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_column_map',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_import_column_map_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_import_column_map'))
    )


def downgrade():
    op.drop_table('import_column_map')

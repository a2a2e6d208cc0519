"""published content version (cache key shared by every app instance) and the course search text

Revision ID: 0070
Revises: 0031
Create Date: 2026-12-04 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0070'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_state'))
    )
    # filled by the next `flask content sync`; until then search matches nothing by lesson heading
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('search_text')
    op.drop_table('content_state')

"""published question banks, their images and exams: served from the database like the courses

Revision ID: 0091
Revises: 0090
Create Date: 2026-12-05 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0091'
down_revision = '0090'
branch_labels = None
depends_on = None


def upgrade():
    # filled by the next `flask content sync` (run on every deploy); until then no bank or exam is served
    op.create_table('quiz_source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('version', sa.String(length=32), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_source')),
    sa.UniqueConstraint('kind', 'name', name=op.f('uq_quiz_source_kind'))
    )
    op.create_table('quiz_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('digest', sa.String(length=32), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_file')),
    sa.UniqueConstraint('bank', 'name', name=op.f('uq_quiz_file_bank'))
    )


def downgrade():
    op.drop_table('quiz_file')
    op.drop_table('quiz_source')

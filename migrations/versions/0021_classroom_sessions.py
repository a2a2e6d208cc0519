"""classroom sessions and their seats (registration, waiting list, sign-in, credited hours)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 20:30:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('classroom_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=1, asdecimal=False), nullable=False),
    sa.Column('late_after_minutes', sa.Integer(), nullable=True),
    sa.Column('late_hours', sa.Numeric(precision=5, scale=1, asdecimal=False), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['trainer_id'], ['user_account.id'], name=op.f('fk_classroom_session_trainer_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_classroom_session_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classroom_session'))
    )
    with op.batch_alter_table('classroom_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classroom_session_unit_id'), ['unit_id'], unique=False)

    op.create_table('session_seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('waiting', sa.Boolean(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hours', sa.Numeric(precision=5, scale=1, asdecimal=False), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['marked_by_id'], ['user_account.id'], name=op.f('fk_session_seat_marked_by_id_user_account')),
    sa.ForeignKeyConstraint(['session_id'], ['classroom_session.id'], name=op.f('fk_session_seat_session_id_classroom_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_session_seat_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_seat')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_session_seat_session_id'))
    )
    with op.batch_alter_table('session_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_seat_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_seat_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('session_seat')
    op.drop_table('classroom_session')

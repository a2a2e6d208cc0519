"""classroom sessions gain a linked course, tier, description and self-registration with approval;
external training and certificates (外部培训与证书) with their scans

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 22:00:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('classroom_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('course_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tier', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('description', sa.String(length=2000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('open_registration', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key(batch_op.f('fk_classroom_session_course_id_course'), 'course', ['course_id'], ['id'])

    with op.batch_alter_table('session_seat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('assigned', sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table('external_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('number', sa.String(length=100), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('claimed_hours', sa.Numeric(precision=5, scale=1, asdecimal=False), nullable=False),
    sa.Column('scan_file', sa.String(length=80), nullable=False),
    sa.Column('scan_type', sa.String(length=40), nullable=False),
    sa.Column('scan_name', sa.String(length=120), nullable=False),
    sa.Column('scan_size', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=1, asdecimal=False), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_external_record_reviewed_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_external_record_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_external_record'))
    )
    with op.batch_alter_table('external_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_external_record_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_external_record_state'), ['state'], unique=False)


def downgrade():
    op.drop_table('external_record')
    with op.batch_alter_table('session_seat', schema=None) as batch_op:
        batch_op.drop_column('assigned')
        batch_op.drop_column('pending')
    with op.batch_alter_table('classroom_session', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_classroom_session_course_id_course'), type_='foreignkey')
        batch_op.drop_column('open_registration')
        batch_op.drop_column('description')
        batch_op.drop_column('tier')
        batch_op.drop_column('course_id')

"""identity sources (local, directory, OIDC), two-factor sign-in, and the privacy notice and leavers' clock

Revision ID: 0020
Revises: 0014_security_sessions
Create Date: 2026-12-04 19:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0014_security_sessions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_source', sa.String(length=10), server_default='local', nullable=False))
        batch_op.add_column(sa.Column('external_id', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_identity_source'), ['identity_source', 'external_id'])
        batch_op.add_column(sa.Column('privacy_notice_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('privacy_notice_read_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    # people who left before this revision: their retention period starts now, never earlier
    user_account = sa.table('user_account', sa.column('active', sa.Boolean()),
                            sa.column('deactivated_at', sa.DateTime(timezone=True)))
    op.execute(user_account.update().where(user_account.c.active == sa.false())
               .values(deactivated_at=sa.func.current_timestamp()))

    op.create_table('two_factor',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=255), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_step', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_two_factor_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_two_factor'))
    )
    op.create_table('recovery_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_recovery_code_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_code'))
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_code_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_code_user_id'))
    op.drop_table('recovery_code')
    op.drop_table('two_factor')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('privacy_notice_read_at')
        batch_op.drop_column('privacy_notice_version')
        batch_op.drop_constraint(batch_op.f('uq_user_account_identity_source'), type_='unique')
        batch_op.drop_column('external_id')
        batch_op.drop_column('identity_source')

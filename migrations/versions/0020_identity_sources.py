"""identity sources: each account signs in locally, through the directory (LDAP) or through OIDC

Revision ID: 0020
Revises: 0012
Create Date: 2026-12-04 19:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_source', sa.String(length=10), server_default='local', nullable=False))
        batch_op.add_column(sa.Column('external_id', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_user_account_identity_source'), ['identity_source', 'external_id'])


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_user_account_identity_source'), type_='unique')
        batch_op.drop_column('external_id')
        batch_op.drop_column('identity_source')

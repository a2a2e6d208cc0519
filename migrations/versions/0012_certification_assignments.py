"""certification assignments: an exam instead of courses, renewal before expiry, and their status rows

Revision ID: 0012
Revises: 0008
Create Date: 2026-11-25 18:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exam_id', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('renew_days', sa.Integer(), nullable=True))

    # no rows to fill: certification assignments begin with this revision
    op.create_table('learner_certification_status',
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('renewal', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_learner_certification_status_assignment_id_assignment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], name=op.f('fk_learner_certification_status_unit_id_org_unit')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_learner_certification_status_user_id_user_account')),
    sa.PrimaryKeyConstraint('assignment_id', 'user_id', name=op.f('pk_learner_certification_status'))
    )
    with op.batch_alter_table('learner_certification_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learner_certification_status_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_learner_certification_status_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('learner_certification_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learner_certification_status_user_id'))
        batch_op.drop_index(batch_op.f('ix_learner_certification_status_unit_id'))

    op.drop_table('learner_certification_status')
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('renew_days')
        batch_op.drop_column('exam_id')

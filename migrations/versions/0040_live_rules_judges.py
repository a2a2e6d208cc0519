"""live finals: scoring rules per event, round points and 加赛, judges, early buzzes, adjustments

Revision ID: 0040
Revises: 0081
Create Date: 2026-12-04 22:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0040'
down_revision = '0081'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rules', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('live_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('points', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('tiebreak', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('in_play', sa.JSON(), nullable=True))
    with op.batch_alter_table('live_answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('judged_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_live_answer_judged_by_user_account'), 'user_account', ['judged_by'], ['id'])
    with op.batch_alter_table('live_buzz', schema=None) as batch_op:
        batch_op.add_column(sa.Column('early', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table('live_judge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['live_event.id'], name=op.f('fk_live_judge_event_id_live_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_live_judge_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_judge')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_live_judge_event_id'))
    )
    with op.batch_alter_table('live_judge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_judge_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_judge_user_id'), ['user_id'], unique=False)
    op.create_table('live_adjustment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('player_id', sa.Integer(), nullable=True),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['live_event.id'], name=op.f('fk_live_adjustment_event_id_live_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['live_team.id'], name=op.f('fk_live_adjustment_team_id_live_team'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['player_id'], ['live_player.id'], name=op.f('fk_live_adjustment_player_id_live_player'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['live_question.id'], name=op.f('fk_live_adjustment_question_id_live_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_live_adjustment_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_adjustment'))
    )
    with op.batch_alter_table('live_adjustment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_adjustment_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('live_adjustment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_adjustment_event_id'))
    op.drop_table('live_adjustment')
    with op.batch_alter_table('live_judge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_judge_user_id'))
        batch_op.drop_index(batch_op.f('ix_live_judge_event_id'))
    op.drop_table('live_judge')
    with op.batch_alter_table('live_buzz', schema=None) as batch_op:
        batch_op.drop_column('early')
    with op.batch_alter_table('live_answer', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_live_answer_judged_by_user_account'), type_='foreignkey')
        batch_op.drop_column('judged_by')
    with op.batch_alter_table('live_question', schema=None) as batch_op:
        batch_op.drop_column('in_play')
        batch_op.drop_column('tiebreak')
        batch_op.drop_column('points')
    with op.batch_alter_table('live_event', schema=None) as batch_op:
        batch_op.drop_column('rules')

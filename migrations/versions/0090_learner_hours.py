"""report status: each person's training hours per year and source

Revision ID: 0090
Revises: 0040
Create Date: 2026-12-05 02:00:00

"""
import os
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

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
    # existing databases: fill it from the sources, years in the display time zone, as
    # academy.learning.services.hours_status does (`flask reports rebuild` gives the same rows)
    zone = ZoneInfo(os.environ.get("FLASK_DISPLAY_TIMEZONE", "Asia/Shanghai").strip('"'))
    bind = op.get_bind()
    sums = {}
    sources = (
        (0, "SELECT user_id, earned_at, hours FROM training_credit"),
        (1, "SELECT user_id, signed_in_at, hours FROM session_seat WHERE signed_in_at IS NOT NULL AND hours IS NOT NULL"),
        (2, "SELECT user_id, ended_on, hours FROM external_record WHERE state = 'approved'"),
    )
    for source, query in sources:
        for user_id, when, hours in bind.execute(sa.text(query)):
            if isinstance(when, str):  # SQLite hands back text
                when = datetime.fromisoformat(when) if source < 2 else date.fromisoformat(when)
            if isinstance(when, datetime):
                year = (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).astimezone(zone).year
            else:
                year = when.year
            sums.setdefault((user_id, year), [0.0, 0.0, 0.0])[source] += float(hours or 0)
    table = sa.table('learner_hours', sa.column('user_id'), sa.column('year'), sa.column('online'),
                     sa.column('classroom'), sa.column('external'))
    rows = [{"user_id": u, "year": y, "online": round(v[0], 1), "classroom": round(v[1], 1), "external": round(v[2], 1)}
            for (u, y), v in sums.items()]
    if rows:
        op.bulk_insert(table, rows)


def downgrade():
    op.drop_table('learner_hours')

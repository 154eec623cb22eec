"""Time and data (issue 11, item 5), written by hand:

- indexes attendance_record(cohort_id, day), notification(digested_at), alert(closed_at);
- one active enrolment of a student in a cohort: a partial unique index on
  enrolment(student_id, cohort_id) WHERE status = 'active' (both engines support it);
- the weekly allowance amount (setting allowance_weekly_amount) stored as a decimal string
  ("230.00"), no longer as a JSON float.

Timestamps need no change: the columns keep their DDL (DateTime(timezone=True)); the model's
UTCDateTime type only converts values, and SQLite already holds UTC text.

Revision ID: 50742631dcc4
Revises: b136bf303de1
Create Date: 2026-12-04 19:40:00

"""
from decimal import Decimal

from alembic import op
import sqlalchemy as sa


revision = '50742631dcc4'
down_revision = 'b136bf303de1'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'active'")
MONEY_KEYS = ('allowance_weekly_amount',)
setting = sa.table('setting', sa.column('key', sa.String), sa.column('value', sa.JSON))


def _convert_money(convert) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(setting.c.key, setting.c.value).where(setting.c.key.in_(MONEY_KEYS))
    ).all()
    for key, value in rows:
        if value is not None:
            connection.execute(
                setting.update().where(setting.c.key == key).values(value=convert(value))
            )


def upgrade():
    connection = op.get_bind()
    duplicates = connection.execute(
        sa.text(
            "SELECT student_id, cohort_id, COUNT(*) FROM enrolment WHERE status = 'active' "
            "GROUP BY student_id, cohort_id HAVING COUNT(*) > 1"
        )
    ).all()
    if duplicates:
        pairs = ', '.join(f'student {s} in cohort {c} ({n})' for s, c, n in duplicates)
        raise RuntimeError(
            'Two active enrolments of one student in one cohort; end all but one (status '
            f'withdrawn, transferred or completed) before upgrading: {pairs}'
        )

    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_record_cohort_id_day', ['cohort_id', 'day'], unique=False)

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_digested_at', ['digested_at'], unique=False)

    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_closed_at', ['closed_at'], unique=False)

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index(
            'uq_enrolment_student_id_cohort_id_active',
            ['student_id', 'cohort_id'],
            unique=True,
            sqlite_where=ACTIVE,
            postgresql_where=ACTIVE,
        )

    _convert_money(lambda value: str(Decimal(str(value)).quantize(Decimal('0.01'))))


def downgrade():
    _convert_money(float)

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index('uq_enrolment_student_id_cohort_id_active')

    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_closed_at')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_digested_at')

    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_record_cohort_id_day')

"""Regions and sites pages, cohort pages (issue 12): site.address, site.phone, site.active;
cohort.status (planned, ongoing, finished, cancelled; existing cohorts get theirs from their
dates) and cohort.past_schedules (the weekly schedules in force before the current one)
(written by hand).

Revision ID: 7e3b9c2a5d10
Revises: c4a1e7d2f9b3
Create Date: 2026-12-04 19:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7e3b9c2a5d10'
down_revision = 'c4a1e7d2f9b3'
branch_labels = None
depends_on = None

STATUS_KNOWN = "status IN ('planned', 'ongoing', 'finished', 'cancelled')"


def upgrade():
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('address', sa.String(length=300), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('phone', sa.String(length=40), server_default='', nullable=False)
        )
        batch_op.add_column(
            sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False)
        )

    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('past_schedules', sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
        batch_op.add_column(
            sa.Column('status', sa.String(length=20), server_default='planned', nullable=False)
        )
        batch_op.create_check_constraint(op.f('ck_cohort_status_known'), STATUS_KNOWN)

    # Cohorts that exist already: their status from their dates (ISO dates compare as text on
    # SQLite, as dates on PostgreSQL).
    op.execute("UPDATE cohort SET status = 'finished' WHERE end_on < CURRENT_DATE")
    op.execute(
        "UPDATE cohort SET status = 'ongoing' WHERE start_on <= CURRENT_DATE "
        "AND end_on >= CURRENT_DATE"
    )


def downgrade():
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_cohort_status_known'), type_='check')
        batch_op.drop_column('status')
        batch_op.drop_column('past_schedules')

    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('active')
        batch_op.drop_column('phone')
        batch_op.drop_column('address')

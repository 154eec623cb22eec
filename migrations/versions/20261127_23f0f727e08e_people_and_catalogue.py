"""People and catalogue: accounts, login throttling, audit log, regions, sites, courses,
cohorts and enrolments (read over by hand).

Revision ID: 23f0f727e08e
Revises: 
Create Date: 2026-11-27 13:35:12.406733

"""
from alembic import op
import sqlalchemy as sa


revision = '23f0f727e08e'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('level_min', sa.SmallInteger(), nullable=False),
    sa.Column('level_max', sa.SmallInteger(), nullable=False),
    sa.Column('weeks', sa.SmallInteger(), nullable=False),
    sa.Column('hours_per_week', sa.SmallInteger(), nullable=False),
    sa.Column('employer_adapted', sa.Boolean(), nullable=False),
    sa.CheckConstraint('hours_per_week > 0', name=op.f('ck_course_hours_positive')),
    sa.CheckConstraint('level_max BETWEEN level_min AND 12', name=op.f('ck_course_level_max_on_scale')),
    sa.CheckConstraint('level_min BETWEEN 1 AND 12', name=op.f('ck_course_level_min_on_scale')),
    sa.CheckConstraint('weeks > 0', name=op.f('ck_course_weeks_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course')),
    sa.UniqueConstraint('code', name=op.f('uq_course_code'))
    )
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
    sa.UniqueConstraint('code', name=op.f('uq_region_code'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('preferred_language', sa.String(length=5), nullable=False),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("preferred_language IN ('fr', 'en')", name=op.f('ck_user_account_language_known')),
    sa.CheckConstraint("role IN ('student', 'teacher', 'coordinator', 'admin')", name=op.f('ck_user_account_role_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('entity_type', sa.String(length=60), nullable=False),
    sa.Column('entity_id', sa.String(length=60), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_log_actor_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_entity', ['entity_type', 'entity_id'], unique=False)

    op.create_table('coordinator_region',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_coordinator_region_region_id_region'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_coordinator_region_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'region_id', name=op.f('pk_coordinator_region'))
    )
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_login_failure_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_login_failure_email_at', ['email', 'at'], unique=False)

    op.create_table('site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_site_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_site')),
    sa.UniqueConstraint('code', name=op.f('uq_site_code'))
    )
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_region_id'), ['region_id'], unique=False)

    op.create_table('cohort',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('capacity', sa.SmallInteger(), nullable=False),
    sa.Column('minutes_mon', sa.SmallInteger(), nullable=False),
    sa.Column('minutes_tue', sa.SmallInteger(), nullable=False),
    sa.Column('minutes_wed', sa.SmallInteger(), nullable=False),
    sa.Column('minutes_thu', sa.SmallInteger(), nullable=False),
    sa.Column('minutes_fri', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_cohort_capacity_positive')),
    sa.CheckConstraint('end_on >= start_on', name=op.f('ck_cohort_dates_ordered')),
    sa.CheckConstraint('minutes_mon BETWEEN 0 AND 720 AND minutes_tue BETWEEN 0 AND 720 AND minutes_wed BETWEEN 0 AND 720 AND minutes_thu BETWEEN 0 AND 720 AND minutes_fri BETWEEN 0 AND 720', name=op.f('ck_cohort_schedule_in_day')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_cohort_course_id_course')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_cohort_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort')),
    sa.UniqueConstraint('code', name=op.f('uq_cohort_code'))
    )
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cohort_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cohort_site_id'), ['site_id'], unique=False)

    op.create_table('cohort_teacher',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_cohort_teacher_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_cohort_teacher_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'user_id', name=op.f('pk_cohort_teacher'))
    )
    with op.batch_alter_table('cohort_teacher', schema=None) as batch_op:
        batch_op.create_index('ix_cohort_teacher_user_id', ['user_id'], unique=False)

    op.create_table('enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.CheckConstraint("status IN ('active', 'completed', 'withdrawn', 'transferred')", name=op.f('ck_enrolment_status_known')),
    sa.CheckConstraint('end_on IS NULL OR end_on >= start_on', name=op.f('ck_enrolment_dates_ordered')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_enrolment_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user_account.id'], name=op.f('fk_enrolment_student_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment'))
    )
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_cohort_id_status', ['cohort_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_enrolment_student_id'), ['student_id'], unique=False)



def downgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_student_id'))
        batch_op.drop_index('ix_enrolment_cohort_id_status')

    op.drop_table('enrolment')
    with op.batch_alter_table('cohort_teacher', schema=None) as batch_op:
        batch_op.drop_index('ix_cohort_teacher_user_id')

    op.drop_table('cohort_teacher')
    with op.batch_alter_table('cohort', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cohort_site_id'))
        batch_op.drop_index(batch_op.f('ix_cohort_course_id'))

    op.drop_table('cohort')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_region_id'))

    op.drop_table('site')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failure_email_at')

    op.drop_table('login_failure')
    op.drop_table('coordinator_region')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_entity')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))

    op.drop_table('audit_log')
    op.drop_table('user_account')
    op.drop_table('region')
    op.drop_table('course')

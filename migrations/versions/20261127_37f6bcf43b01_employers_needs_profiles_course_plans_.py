"""Partner employers and their employees (consent), needs profiles, versioned course-4
plans, workplace-task assessments (read over by hand).

Revision ID: 37f6bcf43b01
Revises: 8d4449596dec
Create Date: 2026-11-27 14:14:18.939458

"""
from alembic import op
import sqlalchemy as sa


revision = '37f6bcf43b01'
down_revision = '8d4449596dec'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('employer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('neq', sa.String(length=10), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('agreement_start_on', sa.Date(), nullable=True),
    sa.Column('agreement_end_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_employer_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer')),
    sa.UniqueConstraint('neq', name=op.f('uq_employer_neq'))
    )
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_region_id'), ['region_id'], unique=False)

    op.create_table('employer_employee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('consent_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_employer_employee_employer_id_employer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user_account.id'], name=op.f('fk_employer_employee_student_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_employee')),
    sa.UniqueConstraint('employer_id', 'student_id', name='uq_employer_employee_pair')
    )
    with op.batch_alter_table('employer_employee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_employer_employee_student_id'), ['student_id'], unique=False)

    op.create_table('cohort_employer',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_cohort_employer_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_cohort_employer_employer_id_employer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id', 'employer_id', name=op.f('pk_cohort_employer'))
    )
    with op.batch_alter_table('cohort_employer', schema=None) as batch_op:
        batch_op.create_index('ix_cohort_employer_employer_id', ['employer_id'], unique=False)

    op.create_table('course_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.SmallInteger(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_course_plan_status_known')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_course_plan_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_course_plan_created_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_plan')),
    sa.UniqueConstraint('cohort_id', 'version', name='uq_course_plan_cohort_version')
    )
    op.create_table('needs_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('tasks', sa.JSON(), nullable=False),
    sa.Column('skill_weights', sa.JSON(), nullable=False),
    sa.Column('vocabulary_themes', sa.Text(), nullable=False),
    sa.Column('schedule_constraints', sa.Text(), nullable=False),
    sa.Column('target_level', sa.SmallInteger(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(employer_id IS NULL) <> (cohort_id IS NULL)', name=op.f('ck_needs_profile_one_owner')),
    sa.CheckConstraint('target_level BETWEEN 1 AND 12', name=op.f('ck_needs_profile_target_on_scale')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_needs_profile_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], name=op.f('fk_needs_profile_employer_id_employer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs_profile')),
    sa.UniqueConstraint('cohort_id', name='uq_needs_profile_cohort_id'),
    sa.UniqueConstraint('employer_id', name='uq_needs_profile_employer_id')
    )
    op.create_table('task_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('task_key', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.CheckConstraint("kind IN ('placement', 'final')", name=op.f('ck_task_assessment_kind_known')),
    sa.CheckConstraint('score BETWEEN 1 AND 4', name=op.f('ck_task_assessment_score_in_range')),
    sa.ForeignKeyConstraint(['assessor_id'], ['user_account.id'], name=op.f('fk_task_assessment_assessor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_task_assessment_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user_account.id'], name=op.f('fk_task_assessment_student_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_key'], ['workplace_task.key'], name=op.f('fk_task_assessment_task_key_workplace_task')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_assessment'))
    )
    with op.batch_alter_table('task_assessment', schema=None) as batch_op:
        batch_op.create_index('ix_task_assessment_cohort_id', ['cohort_id'], unique=False)
        batch_op.create_index('ix_task_assessment_student_id_task', ['student_id', 'task_key'], unique=False)

    op.create_table('course_plan_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.SmallInteger(), nullable=False),
    sa.Column('hours', sa.SmallInteger(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('reason', sa.JSON(), nullable=False),
    sa.CheckConstraint('week BETWEEN 1 AND 52', name=op.f('ck_course_plan_item_week_in_course')),
    sa.ForeignKeyConstraint(['plan_id'], ['course_plan.id'], name=op.f('fk_course_plan_item_plan_id_course_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_course_plan_item_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_plan_item')),
    sa.UniqueConstraint('plan_id', 'unit_id', name='uq_course_plan_item_plan_unit')
    )
    with op.batch_alter_table('course_plan_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_plan_item_plan_id'), ['plan_id'], unique=False)



def downgrade():
    with op.batch_alter_table('course_plan_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_plan_item_plan_id'))

    op.drop_table('course_plan_item')
    with op.batch_alter_table('task_assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_task_assessment_student_id_task')
        batch_op.drop_index('ix_task_assessment_cohort_id')

    op.drop_table('task_assessment')
    op.drop_table('needs_profile')
    op.drop_table('course_plan')
    with op.batch_alter_table('cohort_employer', schema=None) as batch_op:
        batch_op.drop_index('ix_cohort_employer_employer_id')

    op.drop_table('cohort_employer')
    with op.batch_alter_table('employer_employee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_employee_student_id'))

    op.drop_table('employer_employee')
    with op.batch_alter_table('employer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_employer_region_id'))

    op.drop_table('employer')

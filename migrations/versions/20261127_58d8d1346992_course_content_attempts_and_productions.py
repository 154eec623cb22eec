"""Course content (programme, units, lessons, exercises), attempts and productions
(read over by hand).

Revision ID: 58d8d1346992
Revises: 23f0f727e08e
Create Date: 2026-11-27 13:50:49.629901

"""
from alembic import op
import sqlalchemy as sa


revision = '58d8d1346992'
down_revision = '23f0f727e08e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('domain',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_domain'))
    )
    op.create_table('level_descriptor',
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('skill', sa.String(length=2), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 12', name=op.f('ck_level_descriptor_level_on_scale')),
    sa.PrimaryKeyConstraint('level', 'skill', name=op.f('pk_level_descriptor'))
    )
    op.create_table('workplace_task',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_workplace_task'))
    )
    op.create_table('course_track',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_track_course_id_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_track')),
    sa.UniqueConstraint('course_id', 'key', name='uq_course_track_course_key')
    )
    op.create_table('situation',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('domain_key', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['domain_key'], ['domain.key'], name=op.f('fk_situation_domain_key_domain')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_situation'))
    )
    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.SmallInteger(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('hours', sa.SmallInteger(), nullable=False),
    sa.Column('track_key', sa.String(length=60), nullable=True),
    sa.Column('domain_key', sa.String(length=40), nullable=False),
    sa.Column('situation_key', sa.String(length=60), nullable=False),
    sa.Column('intentions', sa.JSON(), nullable=False),
    sa.Column('tasks', sa.JSON(), nullable=False),
    sa.Column('intro_md', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_unit_course_id_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['domain_key'], ['domain.key'], name=op.f('fk_unit_domain_key_domain')),
    sa.ForeignKeyConstraint(['situation_key'], ['situation.key'], name=op.f('fk_unit_situation_key_situation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('key', name=op.f('uq_unit_key'))
    )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.create_index('ix_unit_course_id_week', ['course_id', 'week'], unique=False)

    op.create_table('lesson',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text_md', sa.Text(), nullable=False),
    sa.Column('media', sa.String(length=300), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_lesson_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson')),
    sa.UniqueConstraint('key', name=op.f('uq_lesson_key'))
    )
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_unit_id'), ['unit_id'], unique=False)

    op.create_table('exercise',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('level BETWEEN 1 AND 12', name=op.f('ck_exercise_level_on_scale')),
    sa.ForeignKeyConstraint(['lesson_id'], ['lesson.id'], name=op.f('fk_exercise_lesson_id_lesson'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise')),
    sa.UniqueConstraint('key', name=op.f('uq_exercise_key'))
    )
    with op.batch_alter_table('exercise', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exercise_lesson_id'), ['lesson_id'], unique=False)

    op.create_table('attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('feedback', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score BETWEEN 0 AND 1', name=op.f('ck_attempt_score_in_range')),
    sa.ForeignKeyConstraint(['exercise_id'], ['exercise.id'], name=op.f('fk_attempt_exercise_id_exercise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user_account.id'], name=op.f('fk_attempt_student_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt'))
    )
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempt_exercise_id'), ['exercise_id'], unique=False)
        batch_op.create_index('ix_attempt_student_id_exercise_id', ['student_id', 'exercise_id'], unique=False)

    op.create_table('exercise_skill',
    sa.Column('exercise_id', sa.Integer(), nullable=False),
    sa.Column('skill', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['exercise_id'], ['exercise.id'], name=op.f('fk_exercise_skill_exercise_id_exercise'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('exercise_id', 'skill', name=op.f('pk_exercise_skill'))
    )
    op.create_table('production',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('file_name', sa.String(length=200), nullable=True),
    sa.Column('file_type', sa.String(length=100), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('graded_by_id', sa.Integer(), nullable=True),
    sa.Column('graded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rubric', sa.JSON(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('submitted', 'returned')", name=op.f('ck_production_status_known')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_production_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['exercise_id'], ['exercise.id'], name=op.f('fk_production_exercise_id_exercise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['graded_by_id'], ['user_account.id'], name=op.f('fk_production_graded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['user_account.id'], name=op.f('fk_production_student_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_production'))
    )
    with op.batch_alter_table('production', schema=None) as batch_op:
        batch_op.create_index('ix_production_cohort_id_status', ['cohort_id', 'status'], unique=False)
        batch_op.create_index('ix_production_student_id', ['student_id'], unique=False)



def downgrade():
    with op.batch_alter_table('production', schema=None) as batch_op:
        batch_op.drop_index('ix_production_student_id')
        batch_op.drop_index('ix_production_cohort_id_status')

    op.drop_table('production')
    op.drop_table('exercise_skill')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_student_id_exercise_id')
        batch_op.drop_index(batch_op.f('ix_attempt_exercise_id'))

    op.drop_table('attempt')
    with op.batch_alter_table('exercise', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exercise_lesson_id'))

    op.drop_table('exercise')
    with op.batch_alter_table('lesson', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_unit_id'))

    op.drop_table('lesson')
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_course_id_week')

    op.drop_table('unit')
    op.drop_table('situation')
    op.drop_table('course_track')
    op.drop_table('workplace_task')
    op.drop_table('level_descriptor')
    op.drop_table('domain')

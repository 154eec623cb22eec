"""Attendance (days with a version for optimistic locking, records in minutes), follow-up
(assessments, notes, remedial sessions, decisions), programme settings and closure days;
the withdrawal reason of an enrolment (read over by hand).

Revision ID: 50522b413f9a
Revises: 58d8d1346992
Create Date: 2026-11-27 14:01:34.559806

"""
from alembic import op
import sqlalchemy as sa


revision = '50522b413f9a'
down_revision = '58d8d1346992'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_setting_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('closure_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_closure_day_site_id_site'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closure_day')),
    sa.UniqueConstraint('site_id', 'day', name='uq_closure_day_site_day')
    )
    op.create_table('attendance_day',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_attendance_day_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taken_by_id'], ['user_account.id'], name=op.f('fk_attendance_day_taken_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_day')),
    sa.UniqueConstraint('cohort_id', 'day', name='uq_attendance_day_cohort_day')
    )
    op.create_table('attendance_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('minutes', sa.SmallInteger(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('comment', sa.String(length=500), nullable=True),
    sa.Column('scheduled_minutes', sa.SmallInteger(), nullable=False),
    sa.Column('attended_minutes', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint("status IN ('present', 'late', 'left_early', 'absent', 'justified')", name=op.f('ck_attendance_record_status_known')),
    sa.CheckConstraint('attended_minutes BETWEEN 0 AND scheduled_minutes', name=op.f('ck_attendance_record_attended_within_schedule')),
    sa.CheckConstraint('minutes >= 0', name=op.f('ck_attendance_record_minutes_positive')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_attendance_record_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user_account.id'], name=op.f('fk_attendance_record_student_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_record')),
    sa.UniqueConstraint('cohort_id', 'student_id', 'day', name='uq_attendance_record_student_day')
    )
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_record_student_id_day', ['student_id', 'day'], unique=False)

    op.create_table('followup_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('note_type', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("note_type IN ('entretien', 'appel', 'rencontre', 'reference', 'sortie', 'autre')", name=op.f('ck_followup_note_type_known')),
    sa.CheckConstraint("reason IN ('absences', 'apprentissage', 'personnelle', 'emploi', 'sante', 'autre')", name=op.f('ck_followup_note_reason_known')),
    sa.CheckConstraint("visibility IN ('team', 'student')", name=op.f('ck_followup_note_visibility_known')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_followup_note_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_followup_note_cohort_id_cohort'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_followup_note_owner_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['user_account.id'], name=op.f('fk_followup_note_student_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_note'))
    )
    with op.batch_alter_table('followup_note', schema=None) as batch_op:
        batch_op.create_index('ix_followup_note_owner_id_due_on', ['owner_id', 'due_on'], unique=False)
        batch_op.create_index('ix_followup_note_student_id_held_on', ['student_id', 'held_on'], unique=False)

    op.create_table('level_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('skill', sa.String(length=2), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('placement', 'mid', 'final', 'adhoc')", name=op.f('ck_level_assessment_kind_known')),
    sa.CheckConstraint("skill IN ('CO', 'PO', 'CE', 'PE')", name=op.f('ck_level_assessment_skill_known')),
    sa.CheckConstraint('level BETWEEN 1 AND 12', name=op.f('ck_level_assessment_level_on_scale')),
    sa.ForeignKeyConstraint(['assessor_id'], ['user_account.id'], name=op.f('fk_level_assessment_assessor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_level_assessment_cohort_id_cohort'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['user_account.id'], name=op.f('fk_level_assessment_student_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_level_assessment'))
    )
    with op.batch_alter_table('level_assessment', schema=None) as batch_op:
        batch_op.create_index('ix_level_assessment_cohort_id', ['cohort_id'], unique=False)
        batch_op.create_index('ix_level_assessment_student_id_skill', ['student_id', 'skill'], unique=False)

    op.create_table('remedial_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.SmallInteger(), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_remedial_session_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['teacher_id'], ['user_account.id'], name=op.f('fk_remedial_session_teacher_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remedial_session'))
    )
    with op.batch_alter_table('remedial_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remedial_session_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('progression_decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint("decision IN ('passe', 'reprend', 'reoriente', 'abandon')", name=op.f('ck_progression_decision_decision_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_progression_decision_decided_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolment.id'], name=op.f('fk_progression_decision_enrolment_id_enrolment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progression_decision')),
    sa.UniqueConstraint('enrolment_id', name='uq_progression_decision_enrolment_id')
    )
    op.create_table('remedial_invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['remedial_session.id'], name=op.f('fk_remedial_invite_session_id_remedial_session'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user_account.id'], name=op.f('fk_remedial_invite_student_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remedial_invite')),
    sa.UniqueConstraint('session_id', 'student_id', name='uq_remedial_invite_session_student')
    )
    with op.batch_alter_table('remedial_invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remedial_invite_student_id'), ['student_id'], unique=False)

    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawal_reason', sa.String(length=200), nullable=True))



def downgrade():
    with op.batch_alter_table('enrolment', schema=None) as batch_op:
        batch_op.drop_column('withdrawal_reason')

    with op.batch_alter_table('remedial_invite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remedial_invite_student_id'))

    op.drop_table('remedial_invite')
    op.drop_table('progression_decision')
    with op.batch_alter_table('remedial_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_remedial_session_cohort_id'))

    op.drop_table('remedial_session')
    with op.batch_alter_table('level_assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_level_assessment_student_id_skill')
        batch_op.drop_index('ix_level_assessment_cohort_id')

    op.drop_table('level_assessment')
    with op.batch_alter_table('followup_note', schema=None) as batch_op:
        batch_op.drop_index('ix_followup_note_student_id_held_on')
        batch_op.drop_index('ix_followup_note_owner_id_due_on')

    op.drop_table('followup_note')
    with op.batch_alter_table('attendance_record', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_record_student_id_day')

    op.drop_table('attendance_record')
    op.drop_table('attendance_day')
    op.drop_table('closure_day')
    op.drop_table('setting')

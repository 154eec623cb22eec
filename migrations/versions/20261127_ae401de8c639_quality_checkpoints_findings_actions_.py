"""Quality control: checkpoint templates and reviews (origin_key: one original review per
cohort and checkpoint; amendments reference the signed review), findings, corrective actions,
the anonymous end-of-course survey (read over by hand).

Revision ID: ae401de8c639
Revises: 37f6bcf43b01
Create Date: 2026-11-27 14:15:45.064289

"""
from alembic import op
import sqlalchemy as sa


revision = 'ae401de8c639'
down_revision = '37f6bcf43b01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkpoint_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('when_kind', sa.String(length=10), nullable=False),
    sa.Column('when_value', sa.SmallInteger(), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('manual_criteria', sa.JSON(), nullable=False),
    sa.Column('sample_size', sa.SmallInteger(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint("when_kind IN ('week', 'after_end')", name=op.f('ck_checkpoint_template_when_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoint_template')),
    sa.UniqueConstraint('key', name=op.f('uq_checkpoint_template_key'))
    )
    op.create_table('checkpoint_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('origin_key', sa.String(length=40), nullable=True),
    sa.Column('amends_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('sample', sa.JSON(), nullable=True),
    sa.Column('sample_drawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sample_drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('verdict', sa.String(length=30), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('due', 'signed')", name=op.f('ck_checkpoint_review_status_known')),
    sa.CheckConstraint("verdict IS NULL OR verdict IN ('conforme', 'conforme_avec_actions', 'non_conforme')", name=op.f('ck_checkpoint_review_verdict_known')),
    sa.ForeignKeyConstraint(['amends_id'], ['checkpoint_review.id'], name=op.f('fk_checkpoint_review_amends_id_checkpoint_review')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_checkpoint_review_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sample_drawn_by_id'], ['user_account.id'], name=op.f('fk_checkpoint_review_sample_drawn_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user_account.id'], name=op.f('fk_checkpoint_review_signed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['checkpoint_template.id'], name=op.f('fk_checkpoint_review_template_id_checkpoint_template')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkpoint_review')),
    sa.UniqueConstraint('origin_key', name='uq_checkpoint_review_origin_key')
    )
    with op.batch_alter_table('checkpoint_review', schema=None) as batch_op:
        batch_op.create_index('ix_checkpoint_review_cohort_id', ['cohort_id'], unique=False)

    op.create_table('survey_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_survey_completion_cohort_id_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['user_account.id'], name=op.f('fk_survey_completion_student_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_completion')),
    sa.UniqueConstraint('cohort_id', 'student_id', name='uq_survey_completion_student')
    )
    op.create_table('survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohort.id'], name=op.f('fk_survey_response_cohort_id_cohort'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response'))
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_cohort_id'), ['cohort_id'], unique=False)

    op.create_table('corrective_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'done', 'cancelled')", name=op.f('ck_corrective_action_status_known')),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_corrective_action_owner_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['checkpoint_review.id'], name=op.f('fk_corrective_action_review_id_checkpoint_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrective_action'))
    )
    with op.batch_alter_table('corrective_action', schema=None) as batch_op:
        batch_op.create_index('ix_corrective_action_owner_id_status', ['owner_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_corrective_action_review_id'), ['review_id'], unique=False)

    op.create_table('review_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('criterion', sa.String(length=60), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("result IN ('conforme', 'non_conforme', 'sans_objet')", name=op.f('ck_review_finding_result_known')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_review_finding_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['checkpoint_review.id'], name=op.f('fk_review_finding_review_id_checkpoint_review'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_finding')),
    sa.UniqueConstraint('review_id', 'criterion', name='uq_review_finding_review_criterion')
    )


def downgrade():
    op.drop_table('review_finding')
    with op.batch_alter_table('corrective_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corrective_action_review_id'))
        batch_op.drop_index('ix_corrective_action_owner_id_status')

    op.drop_table('corrective_action')
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_response_cohort_id'))

    op.drop_table('survey_response')
    op.drop_table('survey_completion')
    with op.batch_alter_table('checkpoint_review', schema=None) as batch_op:
        batch_op.drop_index('ix_checkpoint_review_cohort_id')

    op.drop_table('checkpoint_review')
    op.drop_table('checkpoint_template')

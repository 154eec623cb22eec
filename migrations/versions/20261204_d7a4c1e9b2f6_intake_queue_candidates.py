"""The intake queue: candidate (a student waiting for a cohort in a region) and candidate_site
(their preferred sites). Placement levels are level_assessment rows (cohort_id NULL until the
enrolment). Written by hand.

Revision ID: d7a4c1e9b2f6
Revises: 7e3b9c2a5d10
Create Date: 2026-12-04 20:35:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'd7a4c1e9b2f6'
down_revision = '7e3b9c2a5d10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'candidate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('available_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=20), server_default='waiting', nullable=False),
        sa.Column('enrolment_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('waiting', 'enrolled', 'withdrawn')",
            name=op.f('ck_candidate_status_known'),
        ),
        sa.ForeignKeyConstraint(
            ['student_id'], ['user_account.id'],
            name=op.f('fk_candidate_student_id_user_account'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['region_id'], ['region.id'], name=op.f('fk_candidate_region_id_region'),
        ),
        sa.ForeignKeyConstraint(
            ['enrolment_id'], ['enrolment.id'],
            name=op.f('fk_candidate_enrolment_id_enrolment'), ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['user_account.id'],
            name=op.f('fk_candidate_created_by_id_user_account'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_candidate')),
    )
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.create_index('ix_candidate_student_id', ['student_id'], unique=False)
        batch_op.create_index(
            'ix_candidate_region_id_status_available_on',
            ['region_id', 'status', 'available_on'],
            unique=False,
        )
    op.create_table(
        'candidate_site',
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['candidate_id'], ['candidate.id'],
            name=op.f('fk_candidate_site_candidate_id_candidate'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['site_id'], ['site.id'],
            name=op.f('fk_candidate_site_site_id_site'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('candidate_id', 'site_id', name=op.f('pk_candidate_site')),
    )


def downgrade():
    op.drop_table('candidate_site')
    with op.batch_alter_table('candidate', schema=None) as batch_op:
        batch_op.drop_index('ix_candidate_region_id_status_available_on')
        batch_op.drop_index('ix_candidate_student_id')
    op.drop_table('candidate')

"""Login throttling per client address: login_failure.ip (NULL for the rows recorded before),
with an index on (ip, at) like the one on (email, at) (written and read over by hand).

Revision ID: b136bf303de1
Revises: ae401de8c639
Create Date: 2026-12-04 18:50:14

"""
from alembic import op
import sqlalchemy as sa


revision = 'b136bf303de1'
down_revision = 'ae401de8c639'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ip', sa.String(length=45), nullable=True))
        batch_op.create_index('ix_login_failure_ip_at', ['ip', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failure_ip_at')
        batch_op.drop_column('ip')

"""Accounts people can get back into: one-time password reset links (only the token's SHA-256
is kept), temporary passwords (must_change_password, password_expires_at) and the user's phone
(written and read over by hand).

Revision ID: c4a1e7d2f9b3
Revises: 50742631dcc4
Create Date: 2026-12-04 19:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4a1e7d2f9b3'
down_revision = '50742631dcc4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=30), nullable=True))
        batch_op.add_column(
            sa.Column(
                'must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column('password_expires_at', sa.DateTime(timezone=True), nullable=True)
        )
    # The server default stays: changing it would make SQLite's batch mode copy user_account
    # (and dropping the old copy would cascade to every table that refers to it).

    op.create_table(
        'password_reset_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['user_account.id'],
            name=op.f('fk_password_reset_token_user_id_user_account'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['user_account.id'],
            name=op.f('fk_password_reset_token_created_by_id_user_account'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_token_token_hash')),
    )
    op.create_index(
        'ix_password_reset_token_user_id', 'password_reset_token', ['user_id'], unique=False
    )


def downgrade():
    op.drop_index('ix_password_reset_token_user_id', table_name='password_reset_token')
    op.drop_table('password_reset_token')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('password_expires_at')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('phone')

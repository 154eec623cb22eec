"""pytest-alembic's built-in checks, on the suite's database engine (SQLite or PostgreSQL), and
the data migrations."""

from datetime import UTC, datetime

import sqlalchemy as sa
from pytest_alembic.tests import (  # noqa: F401  (collected as tests)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)


def test_the_allowance_amount_becomes_a_decimal_string(alembic_runner, alembic_engine):
    setting = sa.table(
        "setting",
        sa.column("key", sa.String),
        sa.column("value", sa.JSON),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    amount = sa.select(setting.c.value).where(setting.c.key == "allowance_weekly_amount")
    alembic_runner.migrate_up_to("b136bf303de1")
    with alembic_engine.begin() as conn:
        conn.execute(
            setting.insert().values(
                key="allowance_weekly_amount",
                value=245.5,
                updated_at=datetime(2026, 11, 2, 14, 0, tzinfo=UTC),
            )
        )

    alembic_runner.migrate_up_one()
    with alembic_engine.connect() as conn:
        assert conn.scalar(amount) == "245.50"

    alembic_runner.migrate_down_one()
    with alembic_engine.connect() as conn:
        assert conn.scalar(amount) == 245.5

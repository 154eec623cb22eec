"""pytest-alembic's built-in checks, on the suite's database engine (SQLite or PostgreSQL)."""

from pytest_alembic.tests import (  # noqa: F401  (collected as tests)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

"""Alembic environment for Flask-Migrate and for pytest-alembic.

Flask-Migrate runs this inside an application context; pytest-alembic hands over a connection
in ``config.attributes["connection"]``. Both use the application's metadata and batch mode
(so that the same revisions run on SQLite and PostgreSQL).
"""

import logging
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Engine

config = context.config
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def _metadata():
    from lms import models  # noqa: F401  (registers every table)
    from lms.extensions import db

    return db.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=_metadata(),
        render_as_batch=True,
        compare_type=True,
    )


def run_migrations_offline() -> None:
    from flask import current_app

    url = current_app.extensions["migrate"].db.engine.url.render_as_string(hide_password=False)
    context.configure(
        url=url, target_metadata=_metadata(), literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if isinstance(connection, Engine):  # pytest-alembic may hand over an engine
        with connection.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
            conn.commit()
        return
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return

    from flask import current_app

    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

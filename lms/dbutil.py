"""Database helpers shared by the features."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# True while the current unit of work intends to write: on SQLite its transactions then start
# with BEGIN IMMEDIATE (see lms.create_app). Requests set it from their method; CLI commands
# and jobs that write use :func:`writing`.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)

# How long a SQLite connection waits for another writer (PRAGMA busy_timeout), set on every
# connection; a unit of work that must wait longer (the nightly scan behind another scan) asks
# for it with ``writing(wait_seconds=...)`` and the connection gets the default back when it
# returns to the pool.
SQLITE_BUSY_TIMEOUT_MS = 5000
lock_wait_ms: ContextVar[int | None] = ContextVar("lock_wait_ms", default=None)


@contextmanager
def writing(wait_seconds: float | None = None) -> Iterator[None]:
    """Transactions started inside take SQLite's write lock at BEGIN IMMEDIATE, waiting up to
    ``wait_seconds`` for it (default: :data:`SQLITE_BUSY_TIMEOUT_MS`)."""
    token = write_intent.set(True)
    wait_token = lock_wait_ms.set(None if wait_seconds is None else int(wait_seconds * 1000))
    try:
        yield
    finally:
        lock_wait_ms.reset(wait_token)
        write_intent.reset(token)

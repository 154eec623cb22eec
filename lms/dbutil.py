"""Database helpers shared by the features."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# True while the current unit of work intends to write: on SQLite its transactions then start
# with BEGIN IMMEDIATE (see lms.create_app). Requests set it from their method; CLI commands
# and jobs that write use :func:`writing`.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


@contextmanager
def writing() -> Iterator[None]:
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)

"""Ids out of the database's integer range are 404, never 500.

``<int:...>`` in a route is an id of a database row: ids out of the range of the database's
INTEGER columns (PostgreSQL's 4 bytes, the smaller of our two engines) cannot exist, so such a
URL matches no route and answers 404 without reaching the database. Ids read from query strings
and forms reach it: the driver's refusal (:func:`is_out_of_range`) is answered with a 404 by the
error handlers of :mod:`lms`.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1


class DatabaseIntConverter(IntegerConverter):
    """Werkzeug's ``int`` converter, bounded by default to the database integer range."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (Werkzeug's name)
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def is_out_of_range(error: BaseException) -> bool:
    """Did the database driver refuse an integer too large for its column type?

    SQLite's driver raises OverflowError before the query; PostgreSQL answers SQLSTATE 22003
    (numeric_value_out_of_range), which SQLAlchemy raises as a DataError.
    """
    if isinstance(error, OverflowError):
        return "SQLite INTEGER" in str(error)
    return getattr(getattr(error, "orig", None), "sqlstate", None) == "22003"

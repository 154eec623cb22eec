"""The one CSV writer of the app: every export (allowance, employer report, quality dashboard,
audit log) answers through :func:`csv_response`.

Format: UTF-8 with a BOM (so that Excel reads the accents), comma-separated, ``\\r\\n`` line
ends, a header row first.

Formula injection (OWASP "CSV injection"): a spreadsheet runs a cell whose text starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula. Such text cells get a
leading single quote, which spreadsheets show as text. Numbers (``int``, ``float``,
``Decimal``) are not text and are written as they are, so a negative number stays a number:
exports pass figures as numbers (see :func:`decimal_cell`), never as formatted strings, which
would be neutralised like any other text.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from flask import Response

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_FILENAME = re.compile(r'[^\x20-\x7e]|["\\]')


def neutralise(value: Any) -> Any:
    """The cell to write for ``value``: numbers as they are, ``None`` as an empty cell, any
    other value as its text, prefixed with ``'`` when a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def decimal_cell(value: float | Decimal | None, places: int = 2) -> Decimal | str:
    """``value`` rounded to ``places`` decimals as a number (``f"{value:.2f}"`` digits), or an
    empty cell for ``None``."""
    if value is None:
        return ""
    return Decimal(value).quantize(Decimal(1).scaleb(-places))


def _disposition(filename: str) -> str:
    """``attachment`` with an ASCII filename (quotes, backslashes and control characters
    replaced) and, when that changed it, the exact name in ``filename*`` (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", filename)
    ascii_name = "".join(c for c in ascii_name if not unicodedata.combining(c))
    ascii_name = _UNSAFE_FILENAME.sub("_", ascii_name)
    value = f'attachment; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def csv_response(header: Sequence[Any], rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """A ``text/csv`` download of ``header`` then ``rows``, every cell through
    :func:`neutralise`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": _disposition(filename)},
    )

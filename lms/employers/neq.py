"""The Quebec enterprise number (numéro d'entreprise du Québec, NEQ).

The Registraire des entreprises assigns every registered enterprise a NEQ of ten digits. We
check exactly that, after removing the spaces and dashes people type (« 1234 567 890 »,
« 1234-567-890 »). No checksum and no rule on the first digits is applied: none is published
that we could confirm, and refusing a real number would be worse than accepting a typo that the
coordinator can correct.
"""

from __future__ import annotations

import re

NEQ_LENGTH = 10
_SEPARATORS = re.compile(r"[\s\-\u00a0\u202f\u2010\u2011\u2012\u2013]+")


def normalize_neq(raw: str | None) -> str:
    """``raw`` without spaces (including non-breaking ones) and dashes."""
    return _SEPARATORS.sub("", raw or "")


def neq_problem(raw: str | None) -> str | None:
    """Why ``raw`` is not a NEQ, as a key (``empty``, ``not_digits``, ``length``), or ``None``."""
    value = normalize_neq(raw)
    if not value:
        return "empty"
    if not (value.isascii() and value.isdigit()):
        return "not_digits"
    if len(value) != NEQ_LENGTH:
        return "length"
    return None


def is_valid_neq(raw: str | None) -> bool:
    return neq_problem(raw) is None


def format_neq(value: str) -> str:
    """A stored NEQ grouped for reading: ``1234 567 890``."""
    if len(value) != NEQ_LENGTH:
        return value
    return f"{value[:4]} {value[4:7]} {value[7:]}"

"""The Quebec enterprise number (numéro d'entreprise du Québec, NEQ).

The Registraire des entreprises assigns every registered enterprise a NEQ of ten digits. We
check exactly that, after removing the spaces and dashes people type (« 1234 567 890 »,
« 1234-567-890 »). No checksum and no rule on the first digits is applied: none is published
that we could confirm, and refusing a real number would be worse than accepting a typo that the
coordinator can correct.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

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


def neq_message(raw: str | None) -> str | None:
    """The French message for a malformed NEQ, or ``None`` when it is well formed."""
    problem = neq_problem(raw)
    if problem is None:
        return None
    if problem == "empty":
        return _("Le NEQ est obligatoire.")
    if problem == "not_digits":
        return _(
            "Le NEQ ne contient que des chiffres (les espaces et les tirets sont acceptés), "
            "par exemple 1234 567 890."
        )
    return _(
        "Le NEQ compte exactement 10 chiffres; celui-ci en compte %(n)s.",
        n=len(normalize_neq(raw)),
    )


def is_valid_neq(raw: str | None) -> bool:
    return neq_problem(raw) is None


def format_neq(value: str) -> str:
    """A stored NEQ grouped for reading: ``1234 567 890``."""
    if len(value) != NEQ_LENGTH:
        return value
    return f"{value[:4]} {value[4:7]} {value[7:]}"

"""Common passwords, refused wherever a password is chosen (ASVS: breached or common passwords).

The list is the 30,000 most common passwords that the `zxcvbn` package ships (its
``frequency_lists``, compiled from leaked password sets), compared regardless of case and
surrounding spaces. The package is kept rather than a copy of its list in this repository.
"""

from __future__ import annotations

from functools import cache

from flask_babel import gettext as _
from zxcvbn.frequency_lists import FREQUENCY_LISTS

# The shortest password that may be chosen (forms, reset links, ``lms users create-admin``).
PASSWORD_MIN_LENGTH = 10


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(word.strip().lower() for word in FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Whether ``password`` is on the list, whatever its case and surrounding spaces."""
    return password.strip().lower() in common_passwords()


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be chosen (in the user's language), or ``None``: too short, or
    one of the common passwords. The forms check the same with their validators."""
    if len(password or "") < PASSWORD_MIN_LENGTH:
        return _("Le mot de passe doit compter au moins %(n)s caractères.", n=PASSWORD_MIN_LENGTH)
    if is_common(password):
        return _(
            "Ce mot de passe est trop courant : il figure parmi les plus utilisés et se "
            "devine facilement. Choisissez-en un autre."
        )
    return None

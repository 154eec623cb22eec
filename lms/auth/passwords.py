"""Common passwords, refused wherever a password is chosen (ASVS: breached or common passwords).

The list is the 30,000 most common passwords that the `zxcvbn` package ships (its
``frequency_lists``, compiled from leaked password sets), compared regardless of case and
surrounding spaces. The package is kept rather than a copy of its list in this repository.
"""

from __future__ import annotations

from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(word.strip().lower() for word in FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Whether ``password`` is on the list, whatever its case and surrounding spaces."""
    return password.strip().lower() in common_passwords()

"""Value lists (vocabularies) written once.

A status or type vocabulary is one :class:`enum.StrEnum` in the feature that owns it (its
``vocab.py``); the model's CHECK constraint is generated from it with :func:`check_in`, and its
French labels are a mapping checked against it with :func:`labels`. Stored values are the
members' values; a member compares equal to its value, so code and queries use the members.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import CheckConstraint

E = TypeVar("E", bound=enum.Enum)
V = TypeVar("V")


def check_in(
    column: str, values: Iterable[str], name: str, *, nullable: bool = False
) -> CheckConstraint:
    """``CHECK (column IN ('a', 'b', ...))`` in the order of ``values`` (``column IS NULL OR``
    first when ``nullable``), named ``name`` (the naming convention adds ``ck_<table>_``)."""
    listed = ", ".join(f"'{value}'" for value in values)
    condition = f"{column} IN ({listed})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=name)


def labels(vocabulary: type[E], mapping: Mapping[E, V]) -> dict[E, V]:
    """``mapping``, a label for each member of ``vocabulary``, as a dict in the order given
    (the order of a form's choices).

    :raises ValueError: at import time, if a member has no label or a key is not a member.
    """
    members = list(vocabulary)
    if set(mapping) != set(members) or len(mapping) != len(members):
        missing = [m.value for m in members if m not in mapping]
        extra = [k for k in mapping if k not in members]
        raise ValueError(f"labels of {vocabulary.__name__}: missing {missing}, unknown {extra}")
    return dict(mapping)


def label_of(mapping: Mapping[Any, Any], value: Any) -> Any:
    """The label of ``value`` in ``mapping`` (the value itself when unknown, "" for None)."""
    if value is None:
        return ""
    return mapping.get(value, value)

"""Form pieces shared by the features' forms."""

from __future__ import annotations

from typing import Any

from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes (rendered by the ``field`` macro as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(labels: dict[str, Any], keys: tuple[str, ...] | None = None) -> list[SelectChoice]:
    """Select choices from a vocabulary ``{value: label}`` (all of it, or ``keys`` in order)."""
    return [SelectChoice(k, labels[k]) for k in (keys or tuple(labels))]

"""The audit log's filters (validation only)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import Form, StringField


def _text(value: str | None) -> str | None:
    """Trimmed and cut to the log's 60 characters; empty filters nothing."""
    return (value or "").strip()[:60] or None


def _whole_number(value: str | None) -> int | None:
    raw = (value or "").strip()
    return int(raw) if raw.isdigit() else None


class IsoDateField(StringField):
    """A day written AAAA-MM-JJ; ``data`` is the date, ``None`` when left empty."""

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = valuelist[0] if valuelist else ""
        self.data = None
        if raw:
            try:
                self.data = date.fromisoformat(raw)
            except ValueError:
                message = _l("Date invalide : écrivez les dates sous la forme AAAA-MM-JJ.")
                raise ValueError(message) from None


class AuditFilterForm(Form):
    """Read from the query string (GET: no CSRF token). A value that is not one filters
    nothing; a date that is not AAAA-MM-JJ, or a start after the end, is the form's
    :attr:`error`, and then neither date filters."""

    user = StringField(filters=[_whole_number])
    entity = StringField(filters=[_text])
    entity_id = StringField(filters=[_text])
    action = StringField(filters=[_text])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        start, end = self["from"].data, self["to"].data
        if start and end and start > end:
            self.form_errors.append(_l("La date de début doit précéder la date de fin."))
            return False
        return True

    @property
    def error(self) -> str | None:
        """The first reason the filters were refused (after :meth:`validate`)."""
        for messages in self.errors.values():
            return str(messages[0])
        return None

    @property
    def dates(self) -> tuple[date | None, date | None]:
        """The period asked for (after :meth:`validate`): ``(None, None)`` when refused."""
        if self.error:
            return None, None
        return self["from"].data, self["to"].data


# The query string names the period « from » and « to », as on the quality dashboard; ``from``
# is a Python keyword, so both fields are added by name.
setattr(AuditFilterForm, "from", IsoDateField())  # noqa: B010
AuditFilterForm.to = IsoDateField()

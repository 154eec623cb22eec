"""One way to fail: services raise :class:`ServiceError`; views own the transaction with
:func:`unit_of_work`, which commits on success, and on a refusal rolls back and shows the
message on the form.

A view then reads::

    with unit_of_work(form) as work:
        services.add_note(student, ..., actor=current_user)
    if work.ok:
        flash(_("La note est enregistrée."), "success")
        return redirect(...)
    return render_template(..., form=form), work.status
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from wtforms import Field

from lms.extensions import db


class ServiceError(ValueError):
    """A request that a service refuses. ``message`` is for the user (French, through
    Flask-Babel); ``field`` names the form field it concerns (``None``: the whole form);
    ``status`` is what the view answers with: 422 bad input (default), 409 a conflict (the
    object changed or is locked), 404 an object outside the actor's scope."""

    status = 422

    def __init__(self, message: str, field: str | None = None, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


def show_on_form(form: Any, error: ServiceError) -> None:
    """Show ``error`` under the field it names, or at the top of the form."""
    target = getattr(form, error.field, None) if error.field else None
    if isinstance(target, Field):
        target.errors = [*target.errors, error.message]
    elif form is not None:
        form.form_errors.append(error.message)


@dataclass
class Work:
    """What :func:`unit_of_work` did: ``ok`` after a commit, else the refusal."""

    error: ServiceError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        return 200 if self.error is None else self.error.status


@contextmanager
def unit_of_work(form: Any = None) -> Iterator[Work]:
    """Run the body as one transaction: commit when it ends normally; on a
    :class:`ServiceError`, roll back, show the message on ``form`` (if given) and go on
    after the ``with`` block with ``work.error`` set. Any other exception rolls back and
    propagates (a 500)."""
    work = Work()
    try:
        yield work
        db.session.commit()
    except ServiceError as error:
        db.session.rollback()
        work.error = error
        show_on_form(form, error)
    except BaseException:
        db.session.rollback()
        raise

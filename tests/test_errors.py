"""One way to fail: a service's refusal rolls the unit of work back and shows on the form."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from lms.catalog.models import Region
from lms.errors import ServiceError, unit_of_work
from lms.extensions import db


class RegionForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()


def _regions() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Region.id)))


def test_a_unit_of_work_commits_when_the_service_succeeds(app):
    with app.test_request_context():
        with unit_of_work(RegionForm()) as work:
            db.session.add(Region(code="R-OK", name="Laurentides"))
        assert work.ok and work.status == 200
    assert _regions() == 1


@pytest.mark.parametrize(("field", "status"), [("name", 422), (None, 409)])
def test_a_refusal_writes_nothing_and_shows_where_it_belongs(app, field, status):
    with app.test_request_context():
        form = RegionForm()
        with unit_of_work(form) as work:
            db.session.add(Region(code="R-NO", name="Laurentides"))
            db.session.flush()
            raise ServiceError(
                "Ce nom est déjà pris.", field, status=None if status == 422 else 409
            )
        assert not work.ok and work.status == status
        if field:
            assert form.name.errors == ["Ce nom est déjà pris."] and form.form_errors == []
        else:
            assert form.form_errors == ["Ce nom est déjà pris."]
    assert _regions() == 0


def test_any_other_error_rolls_back_and_propagates(app):
    with app.test_request_context(), pytest.raises(RuntimeError), unit_of_work() as _work:
        db.session.add(Region(code="R-ERR", name="Laurentides"))
        db.session.flush()
        raise RuntimeError("bug")
    assert _regions() == 0

"""Answer forms: validation only. Exercises vary in shape, so answers are read from the
submitted fields by type; CSRF is checked for every POST by CSRFProtect."""

from __future__ import annotations

import hashlib
import random
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from lms.errors import ServiceError
from lms.learning.grading import cloze_blanks

MAX_TEXT = 2000


def shuffled(items: list, seed: str) -> list[int]:
    """A stable shuffle of ``range(len(items))`` for one student and exercise."""
    order = list(range(len(items)))
    random.Random(hashlib.sha256(seed.encode()).hexdigest()).shuffle(order)
    if order == list(range(len(items))) and len(items) > 1:
        order = order[1:] + order[:1]  # never show an ordering already solved
    return order


def parse_answer(kind: str, spec: dict, form: MultiDict) -> Any:
    """Read the answer to an exercise of type ``kind`` from the submitted form.

    :raises ServiceError: the answer is incomplete (the message tells the student what to do).
    """
    if kind in ("multiple_choice", "listening"):
        size = len(spec["choices"])
        picked = form.getlist("choice")
        try:
            values = sorted({int(v) for v in picked})
        except ValueError:
            raise ServiceError(_("Choisissez une réponse.")) from None
        if not values or any(not 0 <= v < size for v in values):
            raise ServiceError(_("Choisissez une réponse."))
        return values
    if kind == "cloze":
        blanks = cloze_blanks(spec["text"])
        answers = [form.get(f"blank-{i}", "")[:200] for i in range(len(blanks))]
        if not any(a.strip() for a in answers):
            raise ServiceError(_("Remplissez les espaces vides."))
        return answers
    if kind in ("short_answer", "dictation"):
        text = form.get("text", "")[:MAX_TEXT]
        if not text.strip():
            raise ServiceError(_("Écrivez votre réponse."))
        return text
    if kind == "ordering":
        size = len(spec["items"])
        positions: dict[int, int] = {}
        for item in range(size):
            raw = form.get(f"position-{item}", "")
            if not raw.isdigit() or not 1 <= int(raw) <= size:
                raise ServiceError(_("Donnez une position à chaque élément."))
            positions[item] = int(raw)
        if len(set(positions.values())) != size:
            raise ServiceError(_("Chaque position doit être utilisée une seule fois."))
        return [item for item, _pos in sorted(positions.items(), key=lambda kv: kv[1])]
    if kind == "matching":
        size = len(spec["pairs"])
        chosen = []
        for left in range(size):
            raw = form.get(f"match-{left}", "")
            if not raw.isdigit() or not 0 <= int(raw) < size:
                raise ServiceError(_("Associez chaque élément de gauche à un élément de droite."))
            chosen.append(int(raw))
        return chosen
    raise ServiceError(_("Ce type d'exercice ne se corrige pas automatiquement."))


class WrittenProductionForm(FlaskForm):
    text = TextAreaField(
        _l("Votre texte"),
        validators=[
            DataRequired(_l("Écrivez votre texte avant de l'envoyer.")),
            Length(max=20000, message=_l("Votre texte est trop long.")),
        ],
    )
    submit = SubmitField(_l("Envoyer à mon enseignant·e"))


class OralProductionForm(FlaskForm):
    recording = FileField(_l("Votre enregistrement"))
    submit = SubmitField(_l("Envoyer à mon enseignant·e"))


def rubric_form(criteria: list[tuple[str, Any]], max_score: int) -> type[FlaskForm]:
    """A grading form with one 0..max select per rubric criterion, a comment and a submit."""

    class RubricForm(FlaskForm):
        comment = TextAreaField(
            _l("Commentaire à l'élève"),
            validators=[
                InputRequired(_l("Écrivez un commentaire pour l'élève.")),
                Length(max=5000),
            ],
        )
        submit = SubmitField(_l("Retourner à l'élève"))

    for key, label in criteria:
        setattr(
            RubricForm,
            f"score_{key}",
            SelectField(
                label,
                choices=[SelectChoice(str(v), str(v)) for v in range(max_score + 1)],
                validators=[InputRequired()],
            ),
        )
    return RubricForm

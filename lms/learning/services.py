"""Learning verbs: answer an exercise, submit a production, return it graded.

They flush, never commit: the view owns the transaction.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms import clock
from lms.audit.services import record
from lms.auth.models import User
from lms.errors import ServiceError
from lms.extensions import db
from lms.learning import grading
from lms.learning.audio import InvalidContainer, check_container
from lms.learning.models import Attempt, Exercise, Production

# Rubric criteria per skill, each scored 0 (absent) to 4 (fully met).
RUBRIC_MAX = 4
RUBRICS: dict[str, list[tuple[str, Any]]] = {
    "PE": [
        ("task", _l("Adéquation à la tâche")),
        ("coherence", _l("Cohérence et organisation")),
        ("vocabulary", _l("Vocabulaire")),
        ("grammar", _l("Grammaire")),
        ("spelling", _l("Orthographe")),
    ],
    "PO": [
        ("task", _l("Adéquation à la tâche")),
        ("coherence", _l("Cohérence et organisation")),
        ("vocabulary", _l("Vocabulaire")),
        ("grammar", _l("Grammaire")),
        ("pronunciation", _l("Prononciation et fluidité")),
    ],
}

# Oral productions: what browsers record (MediaRecorder) and common phone formats.
AUDIO_TYPES = {
    ".webm": "audio/webm",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".mp4": "audio/mp4",
    ".wav": "audio/wav",
}
# Leading bytes of each container, checked so that a renamed file is refused.
_MAGIC = {
    "audio/webm": (b"\x1a\x45\xdf\xa3",),
    "audio/ogg": (b"OggS",),
    "audio/mpeg": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    "audio/mp4": (b"ftyp",),  # at offset 4
    "audio/wav": (b"RIFF",),
}


def rubric_for(exercise: Exercise) -> list[tuple[str, Any]]:
    return RUBRICS["PO" if exercise.type == "oral_production" else "PE"]


def submit_attempt(student: User, exercise: Exercise, answer: Any) -> Attempt:
    """Grade ``answer`` and keep it. :raises ValueError: the answer has the wrong shape."""
    result = grading.grade(exercise.type, exercise.spec, answer)
    attempt = Attempt(
        student_id=student.id,
        exercise_id=exercise.id,
        answer=answer,
        score=result.score,
        feedback={"messages": result.messages, "details": result.details},
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def word_count(text: str) -> int:
    return len([w for w in text.replace("’", "'").split() if any(c.isalnum() for c in w)])


def submit_written(student: User, exercise: Exercise, cohort_id: int, text: str) -> Production:
    """Submit a written production. :raises ServiceError: empty, too short or too long."""
    text = (text or "").strip()
    words = word_count(text)
    low, high = exercise.spec.get("min_words", 0), exercise.spec.get("max_words", 1000)
    if not words:
        raise ServiceError(_("Écrivez votre texte avant de l'envoyer."))
    if words < low:
        raise ServiceError(
            _("Votre texte compte %(n)s mots. Il en faut au moins %(min)s.", n=words, min=low)
        )
    if words > high:
        raise ServiceError(
            _("Votre texte compte %(n)s mots. Le maximum est %(max)s.", n=words, max=high)
        )
    production = Production(
        student_id=student.id, exercise_id=exercise.id, cohort_id=cohort_id, text=text
    )
    db.session.add(production)
    db.session.flush()
    record("production.submit", production, actor=student, after={"words": words})
    return production


def check_audio(filename: str, data: bytes, max_bytes: int) -> str:
    """The MIME type of an acceptable audio upload: a known extension, the leading bytes of its
    format, and the whole file well-formed in that format (:mod:`lms.learning.audio`).

    :raises ServiceError: otherwise.
    """
    size = len(data)
    if size == 0:
        raise ServiceError(_("Le fichier est vide."))
    if size > max_bytes:
        raise ServiceError(
            _(
                "Le fichier dépasse la taille permise (%(max)s Mo).",
                max=max_bytes // (1024 * 1024),
            )
        )
    suffix = Path(filename or "").suffix.lower()
    mime = AUDIO_TYPES.get(suffix)
    if mime is None:
        raise ServiceError(
            _(
                "Ce type de fichier n'est pas accepté. Envoyez un enregistrement audio "
                "(%(types)s).",
                types=", ".join(sorted(AUDIO_TYPES)),
            )
        )
    signatures = _MAGIC[mime]
    probe = data[4:8] if mime == "audio/mp4" else data[:16]
    try:
        if not any(probe.startswith(sig) for sig in signatures):
            raise InvalidContainer("leading bytes")
        check_container(mime, data)
    except InvalidContainer:
        raise ServiceError(
            _("Ce fichier n'est pas un enregistrement audio valide (%(ext)s).", ext=suffix)
        ) from None
    return mime


def submit_oral(
    student: User,
    exercise: Exercise,
    cohort_id: int,
    *,
    filename: str,
    stream,
    upload_dir: Path,
    max_bytes: int,
) -> Production:
    """Store an oral production. Nothing is stored if it is refused.

    :raises ServiceError: wrong type, empty or over ``max_bytes``.
    """
    data = stream.read(max_bytes + 1)
    mime = check_audio(filename, data, max_bytes)
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}{Path(filename).suffix.lower()}"
    path = upload_dir / stored
    path.write_bytes(data)
    try:
        production = Production(
            student_id=student.id,
            exercise_id=exercise.id,
            cohort_id=cohort_id,
            file_name=stored,
            file_type=mime,
            file_size=len(data),
        )
        db.session.add(production)
        db.session.flush()
        record("production.submit", production, actor=student, after={"bytes": len(data)})
    except Exception:
        path.unlink(missing_ok=True)  # nothing half-written
        raise
    return production


def return_production(
    production: Production,
    exercise: Exercise,
    teacher: User,
    scores: dict[str, int],
    comment: str,
) -> None:
    """Grade a production with the rubric and return it to the student.

    :raises ValueError: a criterion is missing or out of 0..4.
    """
    criteria = [key for key, _label in rubric_for(exercise)]
    if set(scores) != set(criteria) or not all(0 <= v <= RUBRIC_MAX for v in scores.values()):
        raise ValueError("rubric incomplete or out of range")
    before = {"status": production.status, "rubric": production.rubric, "score": production.score}
    production.rubric = {k: int(scores[k]) for k in criteria}
    production.score = round(sum(scores.values()) / (RUBRIC_MAX * len(criteria)), 4)
    production.comment = comment.strip()
    production.status = "returned"
    production.graded_by_id = teacher.id
    production.graded_at = clock.utcnow()
    db.session.flush()
    record(
        "production.return",
        production,
        actor=teacher,
        before=before,
        after={"status": "returned", "rubric": production.rubric, "score": production.score},
    )

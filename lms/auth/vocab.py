"""The people vocabularies: roles and interface languages, with their French labels."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from lms.vocab import labels


class Role(enum.StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Language(enum.StrEnum):
    FR = "fr"
    EN = "en"


ROLE_LABELS = labels(
    Role,
    {
        Role.STUDENT: _l("Élève"),
        Role.TEACHER: _l("Enseignant·e"),
        Role.COORDINATOR: _l("Conseiller·ère pédagogique"),
        Role.ADMIN: _l("Administrateur·trice"),
    },
)
# After a name, in lower case: « Marie Tremblay (enseignant·e) ».
ROLE_NOUNS = labels(
    Role,
    {
        Role.STUDENT: _l("élève"),
        Role.TEACHER: _l("enseignant·e"),
        Role.COORDINATOR: _l("conseiller·ère pédagogique"),
        Role.ADMIN: _l("administration"),
    },
)
# Each language is named in itself (not translated).
LANGUAGE_NAMES = labels(Language, {Language.FR: "Français", Language.EN: "English"})

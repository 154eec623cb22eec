"""Automatic grading of exercises, tolerant of how learners of French type.

Answers are compared after :func:`normalize` (case, spaces, apostrophes, quotes, final
punctuation and the œ/æ ligatures do not count). An answer right but for its accents earns half
the points, with a message naming the word and the letters to fix.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

AUTO_GRADED = frozenset(
    {
        "multiple_choice",
        "listening",
        "cloze",
        "ordering",
        "matching",
        "dictation",
        "short_answer",
    }
)

CORRECT, ACCENTS, WRONG = "correct", "accents", "wrong"

_CHARACTERS = str.maketrans(
    {
        "\u2019": "'",  # ’
        "\u2018": "'",  # ‘
        "\u02bc": "'",  # ʼ
        "`": "'",
        "\u00b4": "'",  # ´
        "«": '"',
        "»": '"',
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "…": "...",
    }
)
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
_BLANK = re.compile(r"\[\[(.*?)\]\]")
# A word: letters or digits, with its apostrophes and hyphens (« l'élève », « peut-être »).
_WORD = re.compile(r"\w+(?:['-]\w+)*")


@dataclass
class GradeResult:
    """The outcome of grading one answer."""

    score: float
    messages: list[str]
    details: list[dict] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return self.score == 1.0


def grade(exercise_type: str, spec: dict, answer: Any) -> GradeResult:
    """Grade ``answer`` to an exercise of ``exercise_type`` described by ``spec``."""
    if exercise_type not in AUTO_GRADED:
        raise ValueError(f"exercise type {exercise_type!r} is not graded automatically")
    return _GRADERS[exercise_type](spec, answer)


# --- Text comparison ---------------------------------------------------------------------------


def _clean(text: str, *, fold: bool) -> str:
    text = unicodedata.normalize("NFC", text)
    if fold:
        text = text.casefold()
    text = text.translate(_CHARACTERS)
    if fold:
        text = text.translate(_LIGATURES)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" (?=[?!:;,.])", "", text)
    text = re.sub(r"' ", "'", text)
    text = re.sub(r' ?" ?', '"', text)
    return re.sub(r"[\s.!?]+$", "", text.strip())


def normalize(text: str) -> str:
    """The tolerant comparison form of ``text``, accents kept."""
    return _clean(text, fold=True)


def strip_accents(text: str) -> str:
    """``text`` without its accents, cedillas and diaereses."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare)


def compare(given: str, expected: str) -> str:
    """``"correct"``, ``"accents"`` (right but for accents) or ``"wrong"``."""
    given, expected = normalize(given), normalize(expected)
    if given == expected:
        return CORRECT
    if strip_accents(given) == strip_accents(expected):
        return ACCENTS
    return WRONG


def _best_match(given: str, accepted: Sequence[str]) -> tuple[str, str]:
    """The best status of ``given`` against the accepted answers, and the answer it matched."""
    statuses = [(compare(given, a), a) for a in accepted]
    for wanted in (CORRECT, ACCENTS):
        for status, answer in statuses:
            if status == wanted:
                return status, answer
    return WRONG, accepted[0]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _accent_message(shown_given: str, shown_expected: str, given: str, expected: str) -> str:
    """A message naming the word and its accented letters; ``given``/``expected`` normalized."""
    missing: list[str] = []
    others: list[str] = []
    if len(given) == len(expected):
        for got, want in zip(given, expected, strict=True):
            if got == want:
                continue
            if want != strip_accents(want):
                if got == strip_accents(got):
                    missing.append(want)
                else:
                    others.append(_("%(expected)s et non %(given)s", expected=want, given=got))
            else:
                others.append(_("%(letter)s sans accent", letter=want))
    else:
        others = [c for c in expected if c != strip_accents(c)]
    names = {"given": shown_given, "expected": shown_expected}
    if missing and not others:
        letters = ", ".join(_unique(missing))
        if set(missing) == {"ç"}:
            return _(
                "« %(given)s » s'écrit « %(expected)s » : il manque la cédille (%(letters)s).",
                letters=letters,
                **names,
            )
        if set(missing) <= set("ëïüÿ"):
            return _(
                "« %(given)s » s'écrit « %(expected)s » : il manque le tréma sur %(letters)s.",
                letters=letters,
                **names,
            )
        if len(missing) == 1:
            return _(
                "« %(given)s » s'écrit « %(expected)s » : il manque l'accent sur %(letters)s.",
                letters=letters,
                **names,
            )
        return _(
            "« %(given)s » s'écrit « %(expected)s » : il manque les accents sur %(letters)s.",
            letters=letters,
            **names,
        )
    return _(
        "« %(given)s » s'écrit « %(expected)s » : attention aux accents (%(letters)s).",
        letters=", ".join(_unique(missing + others)),
        **names,
    )


def _words(text: str) -> tuple[list[str], list[str]]:
    """The words of ``text`` as typed (for messages) and normalized (for comparison)."""
    normalized = _WORD.findall(normalize(text))
    shown = _WORD.findall(_clean(text, fold=False))
    if len(shown) != len(normalized):
        shown = normalized
    return shown, normalized


def accent_messages(given: str, expected: str) -> list[str]:
    """One message per word of ``given`` that differs from ``expected`` only by its accents."""
    shown_given, words_given = _words(given)
    shown_expected, words_expected = _words(expected)
    messages = []
    if len(words_given) == len(words_expected):
        for sg, se, wg, we in zip(
            shown_given, shown_expected, words_given, words_expected, strict=True
        ):
            if wg != we and strip_accents(wg) == strip_accents(we):
                messages.append(_accent_message(sg, se, wg, we))
    if not messages:
        shown = _clean(given, fold=False), _clean(expected, fold=False)
        messages.append(_accent_message(*shown, normalize(given), normalize(expected)))
    return messages


# --- Cloze texts -------------------------------------------------------------------------------


def cloze_blanks(text: str) -> list[list[str]]:
    """The accepted answers of each ``[[a|b]]`` blank of ``text``, in order."""
    return [[a.strip() for a in inner.split("|") if a.strip()] for inner in _BLANK.findall(text)]


def cloze_segments(text: str) -> list[str | int]:
    """``text`` split into literal strings and blank indexes, for rendering."""
    segments: list[str | int] = []
    for number, part in enumerate(_BLANK.split(text)):
        if number % 2:
            segments.append(number // 2)
        elif part:
            segments.append(part)
    return segments


# --- Answer and spec shapes --------------------------------------------------------------------


def _spec_list(spec: dict, key: str) -> list:
    value = spec.get(key) if isinstance(spec, dict) else None
    if not isinstance(value, list) or not value:
        raise ValueError(f"the exercise spec needs a non-empty list {key!r}")
    return value


def _answer_list(answer: Any, length: int | None = None) -> list:
    if not isinstance(answer, list | tuple):
        raise ValueError(f"the answer must be a list, not {type(answer).__name__}")
    if length is not None and len(answer) != length:
        raise ValueError(f"the answer must have {length} item(s), not {len(answer)}")
    return list(answer)


def _index(value: Any, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"an answer index must be a whole number, not {value!r}")
    if not 0 <= value < size:
        raise ValueError(f"answer index {value} is out of range (0 to {size - 1})")
    return value


def _text_answer(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"a written answer must be text, not {type(value).__name__}")
    return value


def _score(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 4)


def _bravo() -> str:
    return _("Bravo, tout est juste.")


# --- Graders -----------------------------------------------------------------------------------


def _grade_choices(spec: dict, answer: Any) -> GradeResult:
    choices = _spec_list(spec, "choices")
    picked = [_index(v, len(choices)) for v in _answer_list(answer)]
    selected = set(picked)
    if len(selected) != len(picked):
        raise ValueError("the answer selects the same choice twice")
    right = {i for i, choice in enumerate(choices) if choice.get("correct")}
    if not right:
        raise ValueError("the exercise spec has no correct choice")
    wrong_picked = sorted(selected - right)
    missing = right - selected
    if len(right) == 1:
        score = 1.0 if selected == right else 0.0
    else:
        score = (len(selected & right) - len(wrong_picked)) / len(right)
    messages = []
    if not selected:
        messages.append(_("Vous n'avez choisi aucune réponse."))
    for i in wrong_picked:
        feedback = choices[i].get("feedback")
        messages.append(
            feedback
            or _("« %(choice)s » n'est pas une bonne réponse.", choice=choices[i].get("text", ""))
        )
    if selected and len(right) == 1 and len(selected) > 1:
        messages.append(_("Il faut choisir une seule réponse."))
    elif selected and missing and len(right) > 1:
        messages.append(
            ngettext(
                "Il manque une bonne réponse.",
                "Il manque %(num)s bonnes réponses.",
                len(missing),
            )
        )
    if score == 1.0:
        messages.append(_bravo())
    details = [
        {"index": i, "selected": i in selected, "correct": bool(choice.get("correct"))}
        for i, choice in enumerate(choices)
    ]
    return GradeResult(_score(score), messages, details)


def _grade_cloze(spec: dict, answer: Any) -> GradeResult:
    text = spec.get("text") if isinstance(spec, dict) else None
    blanks = cloze_blanks(text) if isinstance(text, str) else []
    if not blanks or not all(blanks):
        raise ValueError("the cloze text needs blanks, each with an answer")
    given = [_text_answer(v) for v in _answer_list(answer, len(blanks))]
    points = 0.0
    messages: list[str] = []
    details = []
    for number, (typed, accepted) in enumerate(zip(given, blanks, strict=True)):
        status, matched = _best_match(typed, accepted)
        details.append({"index": number, "given": typed, "expected": accepted[0], "status": status})
        if status == CORRECT:
            points += 1
        elif status == ACCENTS:
            points += 0.5
            messages.extend(accent_messages(typed, matched))
        elif not typed.strip():
            messages.append(_("L'espace %(number)s est vide.", number=number + 1))
        else:
            messages.append(
                _(
                    "Espace %(number)s : « %(given)s » n'est pas la bonne réponse.",
                    number=number + 1,
                    given=typed.strip(),
                )
            )
    score = points / len(blanks)
    if score == 1.0:
        messages.append(_bravo())
    return GradeResult(_score(score), messages, details)


def _grade_short_answer(spec: dict, answer: Any) -> GradeResult:
    accepted = [a for a in _spec_list(spec, "answers") if isinstance(a, str) and a.strip()]
    if not accepted:
        raise ValueError("the exercise spec has no accepted answer")
    typed = _text_answer(answer)
    status, matched = _best_match(typed, accepted)
    details = [{"index": 0, "given": typed, "expected": accepted[0], "status": status}]
    if status == CORRECT:
        return GradeResult(1.0, [_bravo()], details)
    if status == ACCENTS:
        return GradeResult(0.5, accent_messages(typed, matched), details)
    if not typed.strip():
        messages = [_("Vous n'avez pas répondu.")]
    else:
        messages = [spec.get("feedback") or _("Ce n'est pas la bonne réponse.")]
    return GradeResult(0.0, messages, details)


def _grade_dictation(spec: dict, answer: Any) -> GradeResult:
    transcript = spec.get("transcript") if isinstance(spec, dict) else None
    shown_expected, expected = _words(transcript) if isinstance(transcript, str) else ([], [])
    if not expected:
        raise ValueError("the exercise spec needs a 'transcript' with words")
    shown_given, given = _words(_text_answer(answer))
    matcher = difflib.SequenceMatcher(
        None,
        [strip_accents(w) for w in expected],
        [strip_accents(w) for w in given],
        autojunk=False,
    )
    points = 0.0
    wrong = missing = extra = 0
    accent_lines: list[str] = []
    details: list[dict] = []
    for op, e1, e2, g1, g2 in matcher.get_opcodes():
        if op == "equal":
            for e, g in zip(range(e1, e2), range(g1, g2), strict=True):
                if given[g] == expected[e]:
                    status = CORRECT
                    points += 1
                else:
                    status = ACCENTS
                    points += 0.5
                    accent_lines.append(
                        _accent_message(shown_given[g], shown_expected[e], given[g], expected[e])
                    )
                details.append(
                    {
                        "index": e,
                        "given": shown_given[g],
                        "expected": shown_expected[e],
                        "status": status,
                    }
                )
            continue
        paired = min(e2 - e1, g2 - g1)
        wrong += paired
        missing += (e2 - e1) - paired
        extra += (g2 - g1) - paired
        for offset, e in enumerate(range(e1, e2)):
            typed = shown_given[g1 + offset] if offset < paired else None
            details.append(
                {
                    "index": e,
                    "given": typed,
                    "expected": shown_expected[e],
                    "status": WRONG if typed is not None else "missing",
                }
            )
    messages = _unique(accent_lines)
    if wrong:
        messages.append(ngettext("Un mot est mal écrit.", "%(num)s mots sont mal écrits.", wrong))
    if missing:
        messages.append(ngettext("Il manque un mot.", "Il manque %(num)s mots.", missing))
    if extra:
        messages.append(ngettext("Il y a un mot en trop.", "Il y a %(num)s mots en trop.", extra))
    score = points / len(expected)
    if score == 1.0 and not extra:
        messages.append(_bravo())
    return GradeResult(_score(score), messages, details)


def _grade_ordering(spec: dict, answer: Any) -> GradeResult:
    items = _spec_list(spec, "items")
    order = [_index(v, len(items)) for v in _answer_list(answer, len(items))]
    if sorted(order) != list(range(len(items))):
        raise ValueError("the answer must use every item exactly once")
    details = [{"position": p, "item": item, "correct": item == p} for p, item in enumerate(order)]
    misplaced = sum(not d["correct"] for d in details)
    messages = (
        [
            ngettext(
                "Un élément n'est pas à la bonne place.",
                "%(num)s éléments ne sont pas à la bonne place.",
                misplaced,
            )
        ]
        if misplaced
        else [_bravo()]
    )
    return GradeResult(_score(1 - misplaced / len(items)), messages, details)


def _grade_matching(spec: dict, answer: Any) -> GradeResult:
    pairs = _spec_list(spec, "pairs")
    chosen = [
        None if v is None else _index(v, len(pairs)) for v in _answer_list(answer, len(pairs))
    ]
    details = [{"index": i, "given": j, "correct": i == j} for i, j in enumerate(chosen)]
    wrong = [f"« {pairs[d['index']].get('left', '')} »" for d in details if not d["correct"]]
    if wrong:
        messages = [
            ngettext(
                "Cette association n'est pas juste : %(items)s.",
                "Ces %(num)s associations ne sont pas justes : %(items)s.",
                len(wrong),
                items=", ".join(wrong),
            )
        ]
    else:
        messages = [_bravo()]
    return GradeResult(_score(1 - len(wrong) / len(pairs)), messages, details)


_GRADERS = {
    "multiple_choice": _grade_choices,
    "listening": _grade_choices,
    "cloze": _grade_cloze,
    "short_answer": _grade_short_answer,
    "dictation": _grade_dictation,
    "ordering": _grade_ordering,
    "matching": _grade_matching,
}

"""Checks of the learner-visible text in ``courses/``: French spelling, lessons, programme ids.

The spell check uses pyspellchecker's French dictionary plus the project's word list
``courses/wordlist.txt`` (proper nouns, Quebec words, inflections the dictionary lacks).
Words written in capitals and at most 6 letters long (RAMQ, CLSC, CNESST...) are taken as
acronyms and not checked. When the test fails, fix the spelling in the course file, or, if the
word is correct French, add it in lowercase to the word list (never a misspelling).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from spellchecker import SpellChecker

COURSES = Path(__file__).resolve().parent.parent / "courses"
WORDLIST = COURSES / "wordlist.txt"
MIN_EXERCISES = 4

# Elided words written before an apostrophe: l'école, qu'il, jusqu'à, presqu'île...
ELISIONS = frozenset(
    {"c", "ç", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
    | {"presqu", "quelqu"}
)
APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "‑": "-", "‐": "-"})
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})

# Markdown and other non-words removed before splitting text into words.
NON_WORDS = [
    re.compile(r"<!--.*?-->", re.S),  # HTML comments
    re.compile(r"`[^`]*`"),  # code spans
    re.compile(r"\]\([^)]*\)"),  # link and image targets: [text](url)
    re.compile(r"\b(?:https?://|www\.)\S+"),  # bare URLs
    re.compile(r"\S+@\S+\.\w+"),  # e-mail addresses
    re.compile(r"</?[a-zA-Z][^>]*>"),  # HTML tags
    re.compile(r"&#?\w+;"),  # HTML entities
    re.compile(r"\S+\.(?:docx?|xlsx?|pdf|txt|csv|jpe?g|png)\b", re.I),  # file names
]
CLOZE_BLANK = re.compile(r"\[\[([^\]]*)\]\]")
# A word, with the hyphen of a word part written alone (stems and endings: "devr-", "-ons").
WORD = re.compile(r"-?\w+(?:['-]\w+)*-?")


# --- reading the content ----------------------------------------------------------------------


def _front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """The YAML front matter (between the first two ``---`` lines) and the Markdown after it."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines and lines[0].rstrip() == "---", f"{path}: no front matter"
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    assert end is not None, f"{path}: front matter is not closed by ---"
    return yaml.safe_load("\n".join(lines[1:end])) or {}, "\n".join(lines[end + 1 :])


def _rel(path: Path) -> str:
    return str(path.relative_to(COURSES.parent))


@cache
def programme() -> dict[str, Any]:
    return yaml.safe_load((COURSES / "programme.yml").read_text(encoding="utf-8"))


@cache
def units() -> list[tuple[str, dict[str, Any], str]]:
    """``(file, front matter, introduction)`` of every unit file."""
    paths = sorted(COURSES.glob("ftc-*/units/*.md")) + sorted(COURSES.glob("ftc-*/tracks/*/*.md"))
    return [(_rel(path), *_front_matter(path)) for path in paths]


def _cloze_words(text: str) -> str:
    """``[[a|b]]`` becomes ``a b``: every accepted answer is checked."""
    return CLOZE_BLANK.sub(lambda m: " " + m.group(1).replace("|", " ") + " ", text)


def _exercise_texts(exercise: dict[str, Any]) -> Iterator[str]:
    yield exercise.get("prompt") or ""
    for choice in exercise.get("choices") or []:
        yield choice.get("text") or ""
        yield choice.get("feedback") or ""
    if exercise.get("type") == "cloze":
        yield _cloze_words(exercise.get("text") or "")
    yield from exercise.get("answers") or []
    yield exercise.get("feedback") or ""
    yield exercise.get("transcript") or ""
    yield from exercise.get("items") or []
    for pair in exercise.get("pairs") or []:
        yield pair.get("left") or ""
        yield pair.get("right") or ""


def learner_texts() -> Iterator[tuple[str, str, Any]]:
    """Every learner-visible text as ``(file, where in the file, text)``.

    ``text`` is whatever the YAML holds: an unquoted ``a : b`` list item is a mapping, not text.
    """
    prog = programme()
    source = "courses/programme.yml"
    for level in prog.get("levels") or []:
        for skill, text in (level.get("descriptors") or {}).items():
            yield source, f"level {level.get('level')} {skill}", text
    for key in ("skills", "stages", "domains", "situations", "tasks"):
        for item in prog.get(key) or []:
            yield source, f"{key} {item.get('id') or item.get('code')}", item.get("name") or ""

    for path in sorted(COURSES.glob("ftc-*/course.yml")):
        course = yaml.safe_load(path.read_text(encoding="utf-8"))
        yield _rel(path), "title", course.get("title") or ""
        yield _rel(path), "description", course.get("description") or ""
        for track in course.get("tracks") or []:
            yield _rel(path), f"track {track.get('id')}", track.get("title") or ""

    for source, unit, intro in units():
        yield source, "title", unit.get("title") or ""
        for intention in unit.get("intentions") or []:
            yield source, "intentions", intention
        yield source, "introduction", intro
        for lesson in unit.get("lessons") or []:
            yield source, lesson.get("id", "lesson"), lesson.get("title") or ""
            yield source, lesson.get("id", "lesson"), lesson.get("text") or ""
            for exercise in lesson.get("exercises") or []:
                for text in _exercise_texts(exercise):
                    yield source, exercise.get("id", "exercise"), text


# --- spelling --------------------------------------------------------------------------------


def _normalize(word: str) -> str:
    return unicodedata.normalize("NFC", word).lower().translate(LIGATURES)


def _sort_key(word: str) -> tuple[str, str]:
    bare = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
    return bare, word


def read_wordlist() -> list[str]:
    lines = WORDLIST.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@cache
def dictionary_words() -> frozenset[str]:
    checker = SpellChecker(language="fr", distance=1)
    return frozenset(_normalize(w) for w in checker.word_frequency)


@cache
def known_words() -> frozenset[str]:
    wordlist = {_normalize(w.translate(APOSTROPHES)) for w in read_wordlist()}
    return dictionary_words() | wordlist


def _is_acronym(part: str) -> bool:
    return part.isupper() and len(part) <= 6


def unknown_parts(token: str, known: frozenset[str]) -> list[str]:
    """The parts of a word that are not known: ``[]`` when the word is correct.

    A word is correct when the whole is known; otherwise a hyphenated word is correct when each
    part is, and ``l'école`` when ``l'`` is an elision and ``école`` is correct.
    """
    if len(token) <= 1 or _is_acronym(token) or _normalize(token) in known:
        return []
    if "'" in token:
        head, tail = token.split("'", 1)
        if _normalize(head) in ELISIONS:
            return unknown_parts(tail, known)
    if "-" in token:
        return [bad for part in token.split("-") for bad in unknown_parts(part, known)]
    return [_normalize(token)]


def words_of(text: str) -> Iterator[str]:
    text = unicodedata.normalize("NFC", text).translate(APOSTROPHES)
    for pattern in NON_WORDS:
        text = pattern.sub(" ", text)
    text = text.replace("*", "").replace("_", " ")  # emphasis, even inside a word: parl**ons**
    for token in WORD.findall(text):
        if token[0] != "-" and token[-1] != "-" and not any(c.isdigit() for c in token):
            yield token


def test_wordlist_is_sorted_lowercase_and_unique():
    lines = WORDLIST.read_text(encoding="utf-8").splitlines()
    assert lines and lines[0].startswith("#"), "the word list starts with a # comment line"
    words = read_wordlist()
    assert [w for w in words if w != w.lower()] == [], "word list entries are lowercase"
    assert [w for w, n in Counter(words).items() if n > 1] == [], "duplicate word list entries"
    dictionary = dictionary_words()
    assert [w for w in words if _normalize(w) in dictionary] == [], "already in the dictionary"
    assert words == sorted(words, key=_sort_key), (
        "keep courses/wordlist.txt sorted (accents ignored): "
        + ", ".join(a for a, b in zip(words, sorted(words, key=_sort_key), strict=True) if a != b)
    )


def test_learner_text_is_spelled_correctly():
    known = known_words()
    counts: Counter[str] = Counter()
    places: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    not_text = []
    for source, where, text in learner_texts():
        if not isinstance(text, str):
            not_text.append(f"{source} [{where}]: {text!r} is not text (quote it in the YAML)")
            continue
        for token in words_of(text):
            for word in unknown_parts(token, known):
                counts[word] += 1
                spots = places[word][source]
                if where not in spots:
                    spots.append(where)
    report = [
        f"  {word} ({counts[word]}x): "
        + "; ".join(f"{source} [{', '.join(spots)}]" for source, spots in places[word].items())
        for word in sorted(counts, key=_sort_key)
    ]
    assert not_text == []
    assert not report, (
        f"{len(report)} unknown words in the course text. Fix the spelling in the file, or add a "
        f"correct word (lowercase) to courses/wordlist.txt:\n" + "\n".join(report)
    )


def test_tokenizer_handles_french_words():
    known = frozenset(
        {"école", "après", "midi", "oeuvre", "est", "ce", "quelqu'un", "nous", "parlons"}
        | {"hydro-québec", "saint"}
    )
    text = (
        "L'école, l’après-midi, qu'est-ce [x](https://a.b/c) `code` 8 h 30 RAMQ quelqu'un, "
        "nous parl**ons**, devr- -iez, 2e cv_final.docx www.quebec.ca"
    )
    tokens = list(words_of(text))
    assert tokens == [
        "L'école",
        "l'après-midi",
        "qu'est-ce",
        "x",
        "h",
        "RAMQ",
        "quelqu'un",
        "nous",
        "parlons",
    ]
    assert [w for t in tokens for w in unknown_parts(t, known)] == []
    assert unknown_parts("l'écolle", known) == ["écolle"]
    assert unknown_parts("d'Hydro-Québec", known) == []
    assert unknown_parts("Saint-Laurent", known) == ["laurent"]
    assert unknown_parts("Œuvre", known) == []
    assert unknown_parts("CANADIENS", known) == ["canadiens"]


# --- structure -------------------------------------------------------------------------------


def test_every_lesson_has_text_and_enough_exercises():
    problems = []
    for source, unit, _intro in units():
        for lesson in unit.get("lessons") or []:
            text = lesson.get("text")
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{source} {lesson.get('id')}: empty text")
            exercises = lesson.get("exercises") or []
            if len(exercises) < MIN_EXERCISES:
                problems.append(
                    f"{source} {lesson.get('id')}: {len(exercises)} exercises "
                    f"(at least {MIN_EXERCISES})"
                )
    assert problems == []


def test_unit_ids_exist_in_programme():
    prog = programme()
    situations = {s["id"] for s in prog["situations"]}
    domains = {d["id"] for d in prog["domains"]}
    tasks = {t["id"] for t in prog["tasks"]}
    assert len(domains) == 5
    assert {s["domain"] for s in prog["situations"]} <= domains
    problems = []
    for source, unit, _intro in units():
        if unit.get("situation") not in situations:
            problems.append(f"{source}: unknown situation {unit.get('situation')!r}")
        if unit.get("domain") not in domains:
            problems.append(f"{source}: unknown domain {unit.get('domain')!r}")
        problems += [
            f"{source}: unknown task {task!r}"
            for task in unit.get("tasks") or []
            if task not in tasks
        ]
    assert units() and problems == []

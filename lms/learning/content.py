"""Course content from ``courses/``: read and validate everything, then upsert by stable id.

``read_content`` never writes; it returns every error found, each with its file and line.
``write_content`` upserts programme data, courses, tracks, units, lessons and exercises by
their stable ids, so re-loading keeps students' attempts; content that disappeared from the
files is retired (hidden), never deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, insert, select

from lms.catalog.course_files import (
    ContentError,
    CourseSpec,
    LineDict,
    LineLoader,
    line_of,
    read_courses,
    upsert_courses,
)
from lms.catalog.models import Course
from lms.extensions import db
from lms.learning.grading import cloze_blanks
from lms.learning.models import (
    EXERCISE_TYPES,
    SKILLS,
    CourseTrack,
    Domain,
    Exercise,
    Lesson,
    LevelDescriptor,
    Situation,
    Unit,
    WorkplaceTask,
    exercise_skill,
)

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STAGES = ("debutant", "intermediaire", "avance")


@dataclass
class ProgrammeSpec:
    domains: dict[str, str] = field(default_factory=dict)
    situations: dict[str, tuple[str, str]] = field(default_factory=dict)  # key: (name, domain)
    tasks: dict[str, str] = field(default_factory=dict)
    levels: list[tuple[int, str, str, str]] = field(
        default_factory=list
    )  # level, skill, stage, text


@dataclass
class ExerciseSpec:
    key: str
    type: str
    skills: list[str]
    level: int
    prompt: str
    spec: dict[str, Any]
    line: int = 0


@dataclass
class LessonSpec:
    key: str
    title: str
    text: str
    media: str | None
    exercises: list[ExerciseSpec]
    line: int = 0


@dataclass
class UnitSpec:
    key: str
    course_code: str
    week: int
    hours: int
    title: str
    track: str | None
    domain: str
    situation: str
    intentions: list[str]
    tasks: list[str]
    intro: str
    source: str
    lessons: list[LessonSpec]
    line: int = 0


@dataclass
class ContentSet:
    programme: ProgrammeSpec
    courses: list[CourseSpec]
    units: list[UnitSpec]


class _Collector:
    """Collects errors for one file, with line numbers shifted by ``offset``."""

    def __init__(self, path: str, offset: int = 0) -> None:
        self.path = path
        self.offset = offset
        self.errors: list[ContentError] = []

    def __call__(self, node: Any, key: str | None, message: str) -> None:
        line = line_of(node, key) if isinstance(node, LineDict) else 0
        self.errors.append(ContentError(self.path, (line or 1) + self.offset, message))


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _load_yaml(text: str, err: _Collector) -> Any:
    try:
        return yaml.load(text, Loader=LineLoader)  # noqa: S506 - LineLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        err.errors.append(
            ContentError(
                err.path,
                (mark.line + 1 if mark else 1) + err.offset,
                f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
            )
        )
        return None


def _text(node: LineDict, key: str, err: _Collector, *, required: bool = True) -> str | None:
    value = node.get(key)
    if value is None:
        if required:
            err(node, None, f"missing '{key}'")
        return None
    if not isinstance(value, str) or not value.strip():
        err(node, key, f"'{key}' must be non-empty text")
        return None
    return value.strip()


def _int(node: LineDict, key: str, err: _Collector, low: int, high: int) -> int | None:
    value = node.get(key)
    if value is None:
        err(node, None, f"missing '{key}'")
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        err(node, key, f"'{key}' must be a whole number from {low} to {high}")
        return None
    return value


def _str_list(node: LineDict, key: str, err: _Collector, *, minimum: int = 0) -> list[str]:
    value = node.get(key, [])
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        err(node, key, f"'{key}' must be a list of non-empty texts")
        return []
    if len(value) < minimum:
        err(node, key, f"'{key}' needs at least {minimum} entries")
    return [v.strip() for v in value]


# --- programme -------------------------------------------------------------------------------


def read_programme(root: Path) -> tuple[ProgrammeSpec, list[ContentError]]:
    path = root / "programme.yml"
    rel = _rel(path, root)
    err = _Collector(rel)
    programme = ProgrammeSpec()
    if not path.exists():
        err.errors.append(ContentError(rel, 0, "missing programme file"))
        return programme, err.errors
    data = _load_yaml(path.read_text(encoding="utf-8"), err)
    if not isinstance(data, LineDict):
        if not err.errors:
            err.errors.append(ContentError(rel, 1, "expected a mapping"))
        return programme, err.errors

    def entries(key: str) -> list[LineDict]:
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, LineDict) for v in value):
            err(data, key if key in data else None, f"'{key}' must be a list of mappings")
            return []
        return value

    for item in entries("domains"):
        key, name = _text(item, "id", err), _text(item, "name", err)
        if key and name:
            programme.domains[key] = name
    for item in entries("situations"):
        key, name, domain = (_text(item, k, err) for k in ("id", "name", "domain"))
        if key and name and domain:
            if domain not in programme.domains:
                err(item, "domain", f"unknown domain '{domain}'")
            programme.situations[key] = (name, domain)
    for item in entries("tasks"):
        key, name = _text(item, "id", err), _text(item, "name", err)
        if key and name:
            programme.tasks[key] = name
    seen_levels: set[int] = set()
    for item in entries("levels"):
        level = _int(item, "level", err, 1, 12)
        stage = _text(item, "stage", err)
        if stage and stage not in STAGES:
            err(item, "stage", f"unknown stage '{stage}' (expected {', '.join(STAGES)})")
        descriptors = item.get("descriptors")
        if not isinstance(descriptors, LineDict) or set(descriptors) != set(SKILLS):
            err(item, "descriptors", "'descriptors' must give CO, PO, CE and PE")
            continue
        if level is None or stage is None:
            continue
        seen_levels.add(level)
        for skill in SKILLS:
            text = _text(descriptors, skill, err)
            if text:
                programme.levels.append((level, skill, stage, text))
    if seen_levels != set(range(1, 13)):
        err(data, "levels", "the scale must describe every level from 1 to 12")
    return programme, err.errors


# --- units ----------------------------------------------------------------------------------


def _read_exercise(node: Any, err: _Collector, parent: LineDict) -> ExerciseSpec | None:
    if not isinstance(node, LineDict):
        err(parent, "exercises", "each exercise must be a mapping")
        return None
    key = _text(node, "id", err)
    kind = _text(node, "type", err)
    prompt = _text(node, "prompt", err)
    level = _int(node, "level", err, 1, 12)
    skills = _str_list(node, "skills", err, minimum=1)
    unknown = [s for s in skills if s not in SKILLS]
    if unknown:
        err(node, "skills", f"unknown skill(s) {', '.join(unknown)} (expected CO, PO, CE, PE)")
    if kind and kind not in EXERCISE_TYPES:
        err(node, "type", f"unknown exercise type '{kind}'")
        return None
    spec: dict[str, Any] = {}
    if kind in ("multiple_choice", "listening"):
        choices = node.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            err(node, "choices" if "choices" in node else None, "needs at least 2 choices")
        else:
            clean = []
            for choice in choices:
                if not isinstance(choice, LineDict) or not isinstance(choice.get("text"), str):
                    err(node, "choices", "each choice needs a 'text'")
                    continue
                correct = choice.get("correct", False)
                if not isinstance(correct, bool):
                    err(choice, "correct", "'correct' must be true or false")
                feedback = choice.get("feedback")
                if feedback is not None and not isinstance(feedback, str):
                    err(choice, "feedback", "'feedback' must be text")
                clean.append(
                    {"text": str(choice["text"]), "correct": correct is True, "feedback": feedback}
                )
            if clean and not any(c["correct"] for c in clean):
                err(node, "choices", "no choice is marked correct: the exercise cannot be answered")
            spec["choices"] = clean
        if kind == "listening":
            transcript = _text(node, "transcript", err, required="audio" not in node)
            spec["transcript"] = transcript
            spec["audio"] = node.get("audio")
    elif kind == "cloze":
        text = _text(node, "text", err)
        if text is not None:
            blanks = cloze_blanks(text)
            if not blanks:
                err(node, "text", "a cloze text needs at least one [[answer]] blank")
            elif any(not any(a.strip() for a in answers) for answers in blanks):
                err(node, "text", "a blank has no answer")
            spec["text"] = text
    elif kind == "ordering":
        items = _str_list(node, "items", err, minimum=3)
        if len(set(items)) != len(items):
            err(node, "items", "items must all differ (the order would be ambiguous)")
        spec["items"] = items
    elif kind == "matching":
        pairs = node.get("pairs")
        clean_pairs = []
        if not isinstance(pairs, list) or len(pairs) < 3:
            err(node, "pairs" if "pairs" in node else None, "needs at least 3 pairs")
        else:
            for pair in pairs:
                if not (
                    isinstance(pair, LineDict)
                    and isinstance(pair.get("left"), str)
                    and isinstance(pair.get("right"), str)
                ):
                    err(node, "pairs", "each pair needs 'left' and 'right' texts")
                    continue
                clean_pairs.append({"left": pair["left"], "right": pair["right"]})
            rights = [p["right"] for p in clean_pairs]
            if len(set(rights)) != len(rights):
                err(node, "pairs", "right-hand items must all differ")
        spec["pairs"] = clean_pairs
    elif kind == "dictation":
        spec["transcript"] = _text(node, "transcript", err)
        spec["audio"] = node.get("audio")
    elif kind == "short_answer":
        spec["answers"] = _str_list(node, "answers", err, minimum=1)
        feedback = node.get("feedback")
        if feedback is not None and not isinstance(feedback, str):
            err(node, "feedback", "'feedback' must be text")
        spec["feedback"] = feedback
    elif kind == "written_production":
        low = node.get("min_words", 0)
        high = node.get("max_words", 1000)
        if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high <= 5000):
            err(node, "min_words", "'min_words' and 'max_words' must be whole numbers, min ≤ max")
        spec.update(min_words=low, max_words=high)
    elif kind == "oral_production":
        seconds = node.get("max_seconds", 120)
        if not isinstance(seconds, int) or not 5 <= seconds <= 600:
            err(node, "max_seconds", "'max_seconds' must be from 5 to 600")
        spec["max_seconds"] = seconds
    if None in (key, kind, prompt, level):
        return None
    return ExerciseSpec(key, kind, skills, level, prompt, spec, line_of(node, "id") + err.offset)


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line of the body's first line) or None if there is none."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return None


def read_unit_file(
    path: Path,
    root: Path,
    course: CourseSpec,
    programme: ProgrammeSpec,
) -> tuple[UnitSpec | None, list[ContentError]]:
    rel = _rel(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [ContentError(rel, 1, "the file is not UTF-8 text")]
    parts = split_front_matter(text)
    if parts is None:
        return None, [ContentError(rel, 1, "expected YAML front matter between '---' lines")]
    front, body, _body_line = parts
    err = _Collector(rel, offset=1)
    data = _load_yaml(front, err)
    if not isinstance(data, LineDict):
        if not err.errors:
            err.errors.append(ContentError(rel, 2, "the front matter must be a mapping"))
        return None, err.errors

    key = _text(data, "id", err)
    title = _text(data, "title", err)
    week = _int(data, "week", err, 1, course.weeks)
    hours = _int(data, "hours", err, 1, course.hours_per_week)
    domain = _text(data, "domain", err)
    if domain and domain not in programme.domains:
        err(data, "domain", f"unknown domain '{domain}'")
    situation = _text(data, "situation", err)
    if situation and situation not in programme.situations:
        err(data, "situation", f"unknown situation '{situation}'")
    intentions = _str_list(data, "intentions", err, minimum=1)
    tasks = _str_list(data, "tasks", err)
    for task in tasks:
        if task not in programme.tasks:
            err(data, "tasks", f"unknown workplace task '{task}'")
    track = data.get("track")
    track_ids = {t["id"] for t in course.tracks}
    if track in (None, "core"):
        track = None
    elif not course.employer_adapted or track not in track_ids:
        err(data, "track", f"unknown track '{track}' for {course.code}")

    lessons: list[LessonSpec] = []
    raw_lessons = data.get("lessons")
    if not isinstance(raw_lessons, list) or not raw_lessons:
        err(data, "lessons" if "lessons" in data else None, "a unit needs at least one lesson")
        raw_lessons = []
    for raw in raw_lessons:
        if not isinstance(raw, LineDict):
            err(data, "lessons", "each lesson must be a mapping")
            continue
        lesson_key = _text(raw, "id", err)
        lesson_title = _text(raw, "title", err)
        lesson_text = _text(raw, "text", err)
        media = raw.get("media")
        if media is not None and (
            not isinstance(media, str) or not (path.parent.parent / media).is_file()
        ):
            err(raw, "media", f"media file '{media}' not found in the course folder")
        raw_exercises = raw.get("exercises")
        exercises: list[ExerciseSpec] = []
        if not isinstance(raw_exercises, list) or not raw_exercises:
            err(raw, "exercises" if "exercises" in raw else None, "a lesson needs exercises")
        else:
            for raw_exercise in raw_exercises:
                exercise = _read_exercise(raw_exercise, err, raw)
                if exercise:
                    if not (course.level_min - 1 <= exercise.level <= course.level_max + 1):
                        err(
                            raw_exercise,
                            "level",
                            f"level {exercise.level} is far from the course's levels "
                            f"{course.level_min}-{course.level_max}",
                        )
                    exercises.append(exercise)
        if lesson_key and lesson_title and lesson_text:
            lessons.append(
                LessonSpec(
                    lesson_key,
                    lesson_title,
                    lesson_text,
                    media,
                    exercises,
                    line_of(raw, "id") + err.offset,
                )
            )

    if err.errors:
        return None, err.errors
    return (
        UnitSpec(
            key=key,
            course_code=course.code,
            week=week,
            hours=hours,
            title=title,
            track=track,
            domain=domain,
            situation=situation,
            intentions=intentions,
            tasks=tasks,
            intro=body.strip(),
            source=rel,
            lessons=lessons,
            line=line_of(data, "id") + err.offset,
        ),
        [],
    )


def read_content(root: Path) -> tuple[ContentSet | None, list[ContentError]]:
    """Read and validate all of ``root`` (programme, courses, units). Writes nothing."""
    programme, errors = read_programme(root)
    courses, course_errors = read_courses(root)
    errors = errors + course_errors
    units: list[UnitSpec] = []
    for course in courses:
        folder = course.folder
        files = sorted(folder.glob("units/*.md")) + sorted(folder.glob("tracks/*/*.md"))
        if not files:
            errors.append(ContentError(_rel(folder, root), 0, "no unit files (units/*.md)"))
        for path in files:
            unit, unit_errors = read_unit_file(path, root, course, programme)
            errors.extend(unit_errors)
            if unit:
                units.append(unit)

    # Stable ids are unique across all courses.
    seen: dict[str, str] = {}
    for unit in units:
        items = [(unit.key, "unit", unit.line)]
        for lesson in unit.lessons:
            items.append((lesson.key, "lesson", lesson.line))
            items.extend((e.key, "exercise", e.line) for e in lesson.exercises)
        for key, what, line in items:
            if not ID_RE.match(key):
                errors.append(
                    ContentError(unit.source, line, f"{what} id '{key}' must be a-z, 0-9 and -")
                )
            if key in seen:
                errors.append(
                    ContentError(
                        unit.source, line, f"{what} id '{key}' is also used at {seen[key]}"
                    )
                )
            else:
                seen[key] = f"{unit.source}:{line}"
    if errors:
        return None, errors
    return ContentSet(programme, courses, units), []


# --- writing ---------------------------------------------------------------------------------


def _upsert_reference(model, key_attr: str, rows: dict[str, dict[str, Any]]) -> None:
    existing = {getattr(o, key_attr): o for o in db.session.scalars(select(model))}
    for key, values in rows.items():
        obj = existing.get(key)
        if obj is None:
            db.session.add(model(**{key_attr: key}, **values))
        else:
            for attr, value in values.items():
                setattr(obj, attr, value)


def write_content(content: ContentSet) -> dict[str, int]:
    """Upsert everything by stable id (flush, no commit); retire what left the files."""
    counts = upsert_courses(content.courses)
    programme = content.programme
    _upsert_reference(Domain, "key", {k: {"name": v} for k, v in programme.domains.items()})
    db.session.flush()
    _upsert_reference(
        Situation,
        "key",
        {k: {"name": n, "domain_key": d} for k, (n, d) in programme.situations.items()},
    )
    _upsert_reference(WorkplaceTask, "key", {k: {"name": v} for k, v in programme.tasks.items()})
    levels = {(lv.level, lv.skill): lv for lv in db.session.scalars(select(LevelDescriptor))}
    for level, skill, stage, text in programme.levels:
        row = levels.get((level, skill))
        if row is None:
            db.session.add(LevelDescriptor(level=level, skill=skill, stage=stage, text=text))
        else:
            row.stage, row.text = stage, text
    db.session.flush()

    course_ids = {
        code: course_id for code, course_id in db.session.execute(select(Course.code, Course.id))
    }
    tracks = {(t.course_id, t.key): t for t in db.session.scalars(select(CourseTrack))}
    for course in content.courses:
        for track in course.tracks:
            row = tracks.get((course_ids[course.code], track["id"]))
            if row is None:
                db.session.add(
                    CourseTrack(
                        course_id=course_ids[course.code], key=track["id"], title=track["title"]
                    )
                )
            else:
                row.title = track["title"]

    units = {u.key: u for u in db.session.scalars(select(Unit))}
    lessons = {lesson.key: lesson for lesson in db.session.scalars(select(Lesson))}
    exercises = {e.key: e for e in db.session.scalars(select(Exercise))}
    seen_units, seen_lessons, seen_exercises = set(), set(), set()
    changed_skills: dict[int, list[str]] = {}
    for position, spec in enumerate(content.units):
        values = {
            "course_id": course_ids[spec.course_code],
            "week": spec.week,
            "position": position,
            "title": spec.title,
            "hours": spec.hours,
            "track_key": spec.track,
            "domain_key": spec.domain,
            "situation_key": spec.situation,
            "intentions": spec.intentions,
            "tasks": spec.tasks,
            "intro_md": spec.intro,
            "source": spec.source,
            "active": True,
        }
        unit = _upsert(Unit, units, spec.key, values)
        seen_units.add(spec.key)
        for lesson_position, lesson_spec in enumerate(spec.lessons, start=1):
            lesson = _upsert(
                Lesson,
                lessons,
                lesson_spec.key,
                {
                    "unit_id": unit.id,
                    "position": lesson_position,
                    "title": lesson_spec.title,
                    "text_md": lesson_spec.text,
                    "media": lesson_spec.media,
                    "active": True,
                },
            )
            seen_lessons.add(lesson_spec.key)
            for exercise_position, ex in enumerate(lesson_spec.exercises, start=1):
                exercise = _upsert(
                    Exercise,
                    exercises,
                    ex.key,
                    {
                        "lesson_id": lesson.id,
                        "position": exercise_position,
                        "type": ex.type,
                        "skills": ex.skills,
                        "level": ex.level,
                        "prompt": ex.prompt,
                        "spec": ex.spec,
                        "active": True,
                    },
                )
                seen_exercises.add(ex.key)
                changed_skills[exercise.id] = ex.skills
    for registry, seen in (
        (units, seen_units),
        (lessons, seen_lessons),
        (exercises, seen_exercises),
    ):
        for key, obj in registry.items():
            if key not in seen:
                obj.active = False
    db.session.flush()
    if changed_skills:
        db.session.execute(delete(exercise_skill))
        db.session.execute(
            insert(exercise_skill),
            [
                {"exercise_id": i, "skill": s}
                for i, skills in changed_skills.items()
                for s in skills
            ],
        )
    db.session.flush()
    return {
        **counts,
        "units": len(seen_units),
        "lessons": len(seen_lessons),
        "exercises": len(seen_exercises),
        "retired": sum(
            1
            for registry, seen in (
                (units, seen_units),
                (lessons, seen_lessons),
                (exercises, seen_exercises),
            )
            for key in registry
            if key not in seen
        ),
    }


def _upsert(model, registry: dict, key: str, values: dict[str, Any]):
    obj = registry.get(key)
    if obj is None:
        obj = model(key=key, **values)
        db.session.add(obj)
        db.session.flush()
        registry[key] = obj
    else:
        for attr, value in values.items():
            if getattr(obj, attr) != value:
                setattr(obj, attr, value)
    return obj

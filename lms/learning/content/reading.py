"""Reading and validating ``courses/``: the programme, the courses, their units. Writes
nothing; every error found is returned, each with its file and line."""

from __future__ import annotations

import re
from pathlib import Path

from lms.catalog.course_files import ContentError, CourseSpec, LineDict, line_of, read_courses
from lms.learning.content.exercises import read_exercise
from lms.learning.content.fields import (
    Collector,
    int_field,
    load_yaml,
    relative_path,
    text_field,
    text_list,
)
from lms.learning.content.specs import (
    ContentSet,
    ExerciseSpec,
    LessonSpec,
    ProgrammeSpec,
    UnitSpec,
)
from lms.learning.models import SKILLS

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STAGES = ("debutant", "intermediaire", "avance")


# --- programme -------------------------------------------------------------------------------


def read_programme(root: Path) -> tuple[ProgrammeSpec, list[ContentError]]:
    path = root / "programme.yml"
    rel = relative_path(path, root)
    err = Collector(rel)
    programme = ProgrammeSpec()
    if not path.exists():
        err.errors.append(ContentError(rel, 0, "missing programme file"))
        return programme, err.errors
    data = load_yaml(path.read_text(encoding="utf-8"), err)
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
        key, name = text_field(item, "id", err), text_field(item, "name", err)
        if key and name:
            programme.domains[key] = name
    for item in entries("situations"):
        key, name, domain = (text_field(item, k, err) for k in ("id", "name", "domain"))
        if key and name and domain:
            if domain not in programme.domains:
                err(item, "domain", f"unknown domain '{domain}'")
            programme.situations[key] = (name, domain)
    for item in entries("tasks"):
        key, name = text_field(item, "id", err), text_field(item, "name", err)
        if key and name:
            programme.tasks[key] = name
    seen_levels: set[int] = set()
    for item in entries("levels"):
        level = int_field(item, "level", err, 1, 12)
        stage = text_field(item, "stage", err)
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
            text = text_field(descriptors, skill, err)
            if text:
                programme.levels.append((level, skill, stage, text))
    if seen_levels != set(range(1, 13)):
        err(data, "levels", "the scale must describe every level from 1 to 12")
    return programme, err.errors


# --- units ----------------------------------------------------------------------------------


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
    rel = relative_path(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [ContentError(rel, 1, "the file is not UTF-8 text")]
    parts = split_front_matter(text)
    if parts is None:
        return None, [ContentError(rel, 1, "expected YAML front matter between '---' lines")]
    front, body, _body_line = parts
    err = Collector(rel, offset=1)
    data = load_yaml(front, err)
    if not isinstance(data, LineDict):
        if not err.errors:
            err.errors.append(ContentError(rel, 2, "the front matter must be a mapping"))
        return None, err.errors

    key = text_field(data, "id", err)
    title = text_field(data, "title", err)
    week = int_field(data, "week", err, 1, course.weeks)
    hours = int_field(data, "hours", err, 1, course.hours_per_week)
    domain = text_field(data, "domain", err)
    if domain and domain not in programme.domains:
        err(data, "domain", f"unknown domain '{domain}'")
    situation = text_field(data, "situation", err)
    if situation and situation not in programme.situations:
        err(data, "situation", f"unknown situation '{situation}'")
    intentions = text_list(data, "intentions", err, minimum=1)
    tasks = text_list(data, "tasks", err)
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
        lesson_key = text_field(raw, "id", err)
        lesson_title = text_field(raw, "title", err)
        lesson_text = text_field(raw, "text", err)
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
                exercise = read_exercise(raw_exercise, err, raw)
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
            errors.append(
                ContentError(relative_path(folder, root), 0, "no unit files (units/*.md)")
            )
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

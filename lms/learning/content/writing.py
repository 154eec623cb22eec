"""Writing the content read from ``courses/``: upsert by stable id (so re-loading keeps
students' attempts); what left the files is retired (hidden), never deleted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select

from lms.catalog.course_files import upsert_courses
from lms.catalog.models import Course
from lms.extensions import db
from lms.learning.content.specs import ContentSet
from lms.learning.models import (
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

"""What the course files describe, once read and validated: the programme, the units, their
lessons and exercises (the courses themselves: :class:`lms.catalog.course_files.CourseSpec`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lms.catalog.course_files import CourseSpec


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

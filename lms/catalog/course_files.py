"""Course metadata from ``courses/<course>/course.yml``: validated first, then upserted by code.

Every error names its file and line; if there is any error, nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from lms.audit.services import record
from lms.catalog.models import Course
from lms.extensions import db

CODE_RE = re.compile(r"^[A-Z]{2,6}-[0-9A-Z]{1,4}$")


class LineDict(dict):
    """A mapping that remembers the line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]


class LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {k.value: k.start_mark.line + 1 for k, _v in node.value}
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def line_of(mapping: Any, key: str | None = None) -> int:
    if isinstance(mapping, LineDict):
        if key is not None and key in mapping.key_lines:
            return mapping.key_lines[key]
        return mapping.line
    return 0


@dataclass(frozen=True)
class ContentError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class CourseSpec:
    code: str
    title: str
    level_min: int
    level_max: int
    weeks: int
    hours_per_week: int
    employer_adapted: bool
    description: str
    tracks: list[dict[str, str]] = field(default_factory=list)
    folder: Path | None = None


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def read_course_file(path: Path, root: Path) -> tuple[CourseSpec | None, list[ContentError]]:
    """Parse and validate one ``course.yml``."""
    rel = _rel(path, root)
    errors: list[ContentError] = []

    def err(line: int, message: str) -> None:
        errors.append(ContentError(rel, line, message))

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=LineLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        err(mark.line + 1 if mark else 1, f"invalid YAML: {getattr(exc, 'problem', exc)}")
        return None, errors
    except UnicodeDecodeError:
        err(1, "the file is not UTF-8 text")
        return None, errors
    if not isinstance(data, dict):
        err(1, "expected a mapping with code, title, levels, weeks, hours_per_week")
        return None, errors

    def need(key: str, kind: type | tuple[type, ...], label: str) -> Any:
        if key not in data:
            err(data.line if isinstance(data, LineDict) else 1, f"missing '{key}' ({label})")
            return None
        value = data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            err(line_of(data, key), f"'{key}' must be {label}")
            return None
        return value

    code = need("code", str, "a course code such as FTC-1")
    if code is not None and not CODE_RE.match(code):
        err(line_of(data, "code"), f"'code' {code!r} is not a course code such as FTC-1")
        code = None
    title = need("title", str, "a title")
    if title is not None and not title.strip():
        err(line_of(data, "title"), "'title' is empty")
    levels = need("levels", list, "a list [first level, last level]")
    level_min = level_max = None
    if levels is not None:
        if (
            len(levels) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in levels)
            or not 1 <= levels[0] <= levels[1] <= 12
        ):
            err(line_of(data, "levels"), "'levels' must be two levels 1-12 in order, e.g. [1, 2]")
        else:
            level_min, level_max = levels
    weeks = need("weeks", int, "a whole number of weeks")
    if weeks is not None and not 1 <= weeks <= 52:
        err(line_of(data, "weeks"), "'weeks' must be between 1 and 52")
    hours = need("hours_per_week", int, "a whole number of hours")
    if hours is not None and not 1 <= hours <= 40:
        err(line_of(data, "hours_per_week"), "'hours_per_week' must be between 1 and 40")
    adapted = data.get("employer_adapted", False)
    if not isinstance(adapted, bool):
        err(line_of(data, "employer_adapted"), "'employer_adapted' must be true or false")
    description = data.get("description", "")
    if not isinstance(description, str):
        err(line_of(data, "description"), "'description' must be text")
    tracks = data.get("tracks", []) or []
    if not isinstance(tracks, list) or not all(
        isinstance(t, dict) and isinstance(t.get("id"), str) and isinstance(t.get("title"), str)
        for t in tracks
    ):
        err(line_of(data, "tracks"), "'tracks' must be a list of {id, title}")
        tracks = []
    if errors:
        return None, errors
    return (
        CourseSpec(
            code=code,
            title=title.strip(),
            level_min=level_min,
            level_max=level_max,
            weeks=weeks,
            hours_per_week=hours,
            employer_adapted=adapted,
            description=(description or "").strip(),
            tracks=[{"id": t["id"], "title": t["title"]} for t in tracks],
            folder=path.parent,
        ),
        [],
    )


def read_courses(root: Path) -> tuple[list[CourseSpec], list[ContentError]]:
    """Read every ``<root>/*/course.yml``; returns the specs and all the errors found."""
    specs: list[CourseSpec] = []
    errors: list[ContentError] = []
    files = sorted(root.glob("*/course.yml"))
    if not files:
        errors.append(ContentError(str(root), 0, "no course folder with a course.yml"))
    seen: dict[str, str] = {}
    for path in files:
        spec, errs = read_course_file(path, root)
        errors.extend(errs)
        if spec is None:
            continue
        if spec.code in seen:
            errors.append(
                ContentError(
                    _rel(path, root),
                    1,
                    f"course code {spec.code} already used in {seen[spec.code]}",
                )
            )
            continue
        seen[spec.code] = _rel(path, root)
        specs.append(spec)
    return specs, errors


def upsert_courses(specs: list[CourseSpec]) -> dict[str, int]:
    """Insert or update courses by code (flush, no commit). Returns created/updated counts."""
    existing = {
        c.code: c
        for c in db.session.scalars(select(Course).where(Course.code.in_([s.code for s in specs])))
    }
    created = updated = 0
    for spec in specs:
        values = {
            "title": spec.title,
            "description": spec.description,
            "level_min": spec.level_min,
            "level_max": spec.level_max,
            "weeks": spec.weeks,
            "hours_per_week": spec.hours_per_week,
            "employer_adapted": spec.employer_adapted,
        }
        course = existing.get(spec.code)
        if course is None:
            course = Course(code=spec.code, **values)
            db.session.add(course)
            db.session.flush()
            record("course.create", course, after={"code": spec.code, **values})
            created += 1
            continue
        before = {k: getattr(course, k) for k in values}
        if before != values:
            for key, value in values.items():
                setattr(course, key, value)
            record("course.update", course, before=before, after=values)
            updated += 1
    db.session.flush()
    return {"created": created, "updated": updated, "unchanged": len(specs) - created - updated}

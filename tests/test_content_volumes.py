"""The shipped courses: volumes the programme asks for, and every exercise gradable."""

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from lms.config import ROOT
from lms.learning import grading
from lms.learning.content import read_content
from lms.learning.grading import cloze_blanks


@pytest.fixture(scope="module")
def content():
    loaded, errors = read_content(Path(ROOT / "courses"))
    assert not errors, [str(e) for e in errors]
    return loaded


def test_each_course_has_11_weekly_units_of_3_lessons_of_4_exercises(content):
    weeks = defaultdict(set)
    for unit in content.units:
        assert len(unit.lessons) >= 3, unit.key
        assert all(len(lesson.exercises) >= 4 for lesson in unit.lessons), unit.key
        if unit.track is None:
            weeks[unit.course_code].add(unit.week)
    assert {code: sorted(w) for code, w in weeks.items()} == {
        code: list(range(1, 12)) for code in ("FTC-1", "FTC-2", "FTC-3", "FTC-4")
    }


def test_each_course_covers_the_4_skills_and_the_5_domains(content):
    for code in ("FTC-1", "FTC-2", "FTC-3", "FTC-4"):
        units = [u for u in content.units if u.course_code == code]
        skills = {
            s for u in units for lesson in u.lessons for e in lesson.exercises for s in e.skills
        }
        assert skills == {"CO", "PO", "CE", "PE"}, code
        assert {u.domain for u in units} == set(content.programme.domains), code


def test_ftc4_has_4_sector_tracks_of_3_workplace_units(content):
    tracks = Counter(u.track for u in content.units if u.course_code == "FTC-4" and u.track)
    assert tracks == {
        "sante": 3,
        "fabrication": 3,
        "commerce-tourisme": 3,
        "services-administratifs": 3,
    }
    for unit in content.units:
        if unit.track:
            assert unit.tasks, unit.key


def _right_answer(kind: str, spec: dict):
    if kind in ("multiple_choice", "listening"):
        return [i for i, c in enumerate(spec["choices"]) if c["correct"]]
    if kind == "cloze":
        return [answers[0] for answers in cloze_blanks(spec["text"])]
    if kind == "short_answer":
        return spec["answers"][0]
    if kind == "dictation":
        return spec["transcript"]
    if kind == "ordering":
        return list(range(len(spec["items"])))
    if kind == "matching":
        return list(range(len(spec["pairs"])))
    raise AssertionError(kind)


def test_every_exercise_is_gradable_and_its_right_answer_scores_100(content):
    graded = 0
    for unit in content.units:
        for lesson in unit.lessons:
            for exercise in lesson.exercises:
                if exercise.type not in grading.AUTO_GRADED:
                    continue
                result = grading.grade(
                    exercise.type, exercise.spec, _right_answer(exercise.type, exercise.spec)
                )
                assert result.score == 1.0, (exercise.key, result.messages)
                graded += 1
    assert graded > 600

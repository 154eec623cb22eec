"""One exercise of a lesson, checked according to its type (choices, cloze, ordering,
matching, dictation, short answer, productions)."""

from __future__ import annotations

from typing import Any

from lms.catalog.course_files import LineDict, line_of
from lms.learning.content.fields import Collector, int_field, text_field, text_list
from lms.learning.content.specs import ExerciseSpec
from lms.learning.grading import cloze_blanks
from lms.learning.models import EXERCISE_TYPES, SKILLS


def read_exercise(node: Any, err: Collector, parent: LineDict) -> ExerciseSpec | None:
    if not isinstance(node, LineDict):
        err(parent, "exercises", "each exercise must be a mapping")
        return None
    key = text_field(node, "id", err)
    kind = text_field(node, "type", err)
    prompt = text_field(node, "prompt", err)
    level = int_field(node, "level", err, 1, 12)
    skills = text_list(node, "skills", err, minimum=1)
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
            transcript = text_field(node, "transcript", err, required="audio" not in node)
            spec["transcript"] = transcript
            spec["audio"] = node.get("audio")
    elif kind == "cloze":
        text = text_field(node, "text", err)
        if text is not None:
            blanks = cloze_blanks(text)
            if not blanks:
                err(node, "text", "a cloze text needs at least one [[answer]] blank")
            elif any(not any(a.strip() for a in answers) for answers in blanks):
                err(node, "text", "a blank has no answer")
            spec["text"] = text
    elif kind == "ordering":
        items = text_list(node, "items", err, minimum=3)
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
        spec["transcript"] = text_field(node, "transcript", err)
        spec["audio"] = node.get("audio")
    elif kind == "short_answer":
        spec["answers"] = text_list(node, "answers", err, minimum=1)
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

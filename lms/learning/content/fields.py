"""Reading the YAML of the course files: every error names its file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lms.catalog.course_files import ContentError, LineDict, LineLoader, line_of


class Collector:
    """Collects errors for one file, with line numbers shifted by ``offset``."""

    def __init__(self, path: str, offset: int = 0) -> None:
        self.path = path
        self.offset = offset
        self.errors: list[ContentError] = []

    def __call__(self, node: Any, key: str | None, message: str) -> None:
        line = line_of(node, key) if isinstance(node, LineDict) else 0
        self.errors.append(ContentError(self.path, (line or 1) + self.offset, message))


def relative_path(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def load_yaml(text: str, err: Collector) -> Any:
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


def text_field(node: LineDict, key: str, err: Collector, *, required: bool = True) -> str | None:
    value = node.get(key)
    if value is None:
        if required:
            err(node, None, f"missing '{key}'")
        return None
    if not isinstance(value, str) or not value.strip():
        err(node, key, f"'{key}' must be non-empty text")
        return None
    return value.strip()


def int_field(node: LineDict, key: str, err: Collector, low: int, high: int) -> int | None:
    value = node.get(key)
    if value is None:
        err(node, None, f"missing '{key}'")
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        err(node, key, f"'{key}' must be a whole number from {low} to {high}")
        return None
    return value


def text_list(node: LineDict, key: str, err: Collector, *, minimum: int = 0) -> list[str]:
    value = node.get(key, [])
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        err(node, key, f"'{key}' must be a list of non-empty texts")
        return []
    if len(value) < minimum:
        err(node, key, f"'{key}' needs at least {minimum} entries")
    return [v.strip() for v in value]

"""Course content from ``courses/``: read and validate everything, then upsert by stable id.

``read_content`` never writes; it returns every error found, each with its file and line.
``write_content`` upserts programme data, courses, tracks, units, lessons and exercises by
their stable ids, so re-loading keeps students' attempts; content that disappeared from the
files is retired (hidden), never deleted.

One module a step: what the files describe (``specs``), reading YAML with errors that name
their file and line (``fields``), each type of exercise (``exercises``), reading and validating
everything (``reading``), writing it (``writing``).
"""

from lms.learning.content.reading import read_content
from lms.learning.content.specs import ContentSet
from lms.learning.content.writing import write_content

__all__ = ["ContentSet", "read_content", "write_content"]

"""The English catalog is complete: every French string has a translation with its placeholders."""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from lms.config import ROOT

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_message_is_translated_with_the_same_placeholders(tmp_path: Path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--ignore-dirs",
            ".* __pycache__",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        source = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with (ROOT / "lms/translations/en/LC_MESSAGES/messages.po").open("rb") as f:
        catalog = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(f) if m.id}
    missing = sorted(source - set(catalog))
    assert not missing, f"strings not in the English catalog (run make messages): {missing}"
    for msgid in source:
        message = catalog[msgid]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {msgid!r}"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for translated in strings:
            assert set(PLACEHOLDER.findall(translated)) <= expected | {"num"}, msgid

"""Redirect targets that come from the request (``next``): only paths of this site."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Browsers drop tabs and line breaks anywhere in a URL and C0 controls or spaces around it, so
# that "/\t/evil.example" becomes "//evil.example" (another host): remove them first.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a path of this site, else None (the caller picks a default).

    Control characters (\\x00-\\x1f, \\x7f) and surrounding whitespace are removed; what is left
    must start with one ``/`` (not ``//``), hold no backslash (browsers read ``/\\host`` as
    ``//host``) and have no scheme nor host once parsed.
    """
    if not target:
        return None
    cleaned = _CONTROL.sub("", target).strip()
    if not cleaned.startswith("/") or cleaned.startswith("//") or "\\" in cleaned:
        return None
    if any(ch.isspace() for ch in cleaned):
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    return cleaned

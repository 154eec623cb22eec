"""HTTP security headers on every response (OWASP ASVS 5.0, V3.4 and V14.3).

Pages carry no inline script or style (a test scans templates/ for them), so the policy allows
scripts and styles from the application only. Images may be ``data:`` URIs (Bootstrap's CSS
draws its icons that way); media may be ``blob:`` URLs (the preview of a recording made in the
browser).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"
# Files that are the same for everyone (CSS, JS of the application and of Bootstrap): the
# browser may keep them. Everything else (pages, errors, CSV exports, recordings) may hold
# someone's data and is never stored.
PUBLIC_ASSET_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    if current_app.config.get("LMS_ENV") == "production":
        headers["Strict-Transport-Security"] = HSTS
    if request.endpoint not in PUBLIC_ASSET_ENDPOINTS or response.status_code >= 400:
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
        headers.pop("Pragma", None)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)

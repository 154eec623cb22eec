"""Browser tests: Debian's Chromium driven by Playwright against the app served from a thread.

The app runs on a temporary SQLite database prepared as ``make run`` does it: migrations,
courses, demo data.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.config import TestConfig

CHROMIUM = "/usr/bin/chromium"
DEMO_PASSWORD = "mot-de-passe-demo"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app served to the browser, on a database prepared like ``make run`` does."""
    from flask_migrate import upgrade

    db_file = Path(tmp_path_factory.mktemp("e2e")) / "e2e.sqlite3"
    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app(
        {
            **settings,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        }
    )
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    for args in (["lms", "courses", "load"], ["lms", "demo", "--password", DEMO_PASSWORD]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session")
def live_server(live_app) -> str:
    app = live_app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(page):
    """Every browser test also fails on a Content-Security-Policy violation (an inline script
    or style that the policy blocks would break the page for real users)."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    assert not violations, violations

#!/usr/bin/env python3
"""A class logging in at once: 40 logins at the same instant under ``gunicorn -w 4`` on SQLite.

Builds a throwaway SQLite database (migrations, courses, ``lms demo``), starts gunicorn with 4 workers on
a free local port and the production password hashing (``Config.PASSWORD_HASH_METHOD``, scrypt
N = 2^17), fetches 40 login pages (each with its own cookie and CSRF token), then sends the 40
``POST /auth/login`` together (a barrier), one demo student each. Exit 0 only when every answer
is a 302 to the home page (no 500, no 429, no « database is locked »). Prints one line with the
counts and the wall time. Standard library only; ``make burst``; run by .ci/run.

Usage: .venv/bin/python scripts/login_burst.py [--logins 40] [--workers 4]
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "burst-demo-password-2026"
TOTAL_TIMEOUT = 120  # seconds, the whole run
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def student_email(n: int) -> str:
    return "eleve@demo.lms" if n == 1 else f"eleve{n:02d}@demo.lms"


def cookie_of(response: http.client.HTTPResponse) -> str:
    pairs = [h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"]
    return "; ".join(pairs)


def request(port: int, method: str, path: str, *, body: str | None = None, cookie: str = ""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), cookie_of(response), response.read()
    finally:
        conn.close()


def run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=TOTAL_TIMEOUT,
    )
    if done.returncode:
        sys.stderr.write(done.stdout.decode(errors="replace"))
        raise RuntimeError(f"flask {' '.join(args)}: exit {done.returncode}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    options = parser.parse_args()
    started = time.monotonic()

    def too_long(_signum, _frame):
        raise TimeoutError(f"the login burst took more than {TOTAL_TIMEOUT} s")

    signal.signal(signal.SIGALRM, too_long)  # the whole run is bounded; finally cleans up
    signal.alarm(TOTAL_TIMEOUT)
    tmp = Path(tempfile.mkdtemp(prefix="lms-burst-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'burst.sqlite3'}",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "LMS_ENV": "development",
        "LMS_PROXY_COUNT": "0",
        "WEB_CONCURRENCY": str(options.workers),
        "BIND": f"127.0.0.1:{port}",
    }
    env.pop("LMS_SCHEDULER", None)
    server = None
    log = open(tmp / "gunicorn.log", "w+b")  # noqa: SIM115 - closed in finally
    try:
        run(env, "db", "upgrade")
        run(env, "lms", "courses", "load")
        run(env, "lms", "demo", "--password", PASSWORD)
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while True:  # /healthz answers once a worker is up
            if server.poll() is not None or time.monotonic() - started > 60:
                raise RuntimeError("gunicorn did not start")
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)

        # One login page per student: its own session cookie and CSRF token.
        forms = []
        for n in range(1, options.logins + 1):
            status, _headers, cookie, html = request(port, "GET", "/auth/login")
            token = CSRF_RE.search(html.decode())
            if status != 200 or token is None or not cookie:
                raise RuntimeError(f"login page: {status}, no CSRF token or cookie")
            body = urllib.parse.urlencode(
                {"email": student_email(n), "password": PASSWORD, "csrf_token": token.group(1)}
            )
            forms.append((body, cookie))

        barrier = threading.Barrier(options.logins)
        outcomes: list[str] = [""] * options.logins

        def login(i: int) -> None:
            body, cookie = forms[i]
            barrier.wait(timeout=30)
            try:
                status, headers, _cookie, _body = request(
                    port, "POST", "/auth/login", body=body, cookie=cookie
                )
                location = urllib.parse.urlsplit(headers.get("Location", "")).path
                outcomes[i] = f"{status}" + (f"->{location}" if status in (301, 302, 303) else "")
            except Exception as exc:  # noqa: BLE001 - counted, reported
                outcomes[i] = type(exc).__name__

        burst_start = time.monotonic()
        threads = [
            threading.Thread(target=login, args=(i,), daemon=True) for i in range(options.logins)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(1, TOTAL_TIMEOUT - (time.monotonic() - started)))
        burst_seconds = time.monotonic() - burst_start
        counts = collections.Counter(o or "no answer" for o in outcomes)
        ok = counts.get("302->/", 0) == options.logins
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        print(
            f"login burst: {options.logins} logins at once, gunicorn -w {options.workers}, "
            f"SQLite: {summary}; {burst_seconds:.1f} s for the burst, "
            f"{time.monotonic() - started:.1f} s in all: {'OK' if ok else 'FAILED'}"
        )
        if not ok:
            log.seek(0)
            tail = log.read().decode(errors="replace").splitlines()
            print("\n".join(line for line in tail if "GET /" not in line)[-4000:], file=sys.stderr)
        return 0 if ok else 1
    finally:
        signal.alarm(0)
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

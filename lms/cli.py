"""``flask --app wsgi lms ...``: the project's commands. Each reporting command takes --json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.dbutil import writing
from lms.extensions import db


def _emit(as_json: bool, payload: dict, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False))
    else:
        for line in lines:
            click.echo(line)


@click.group("lms")
def lms_group() -> None:
    """Francisation LMS commands."""


@lms_group.group("courses")
def courses_group() -> None:
    """Course content in courses/."""


@courses_group.command("load")
@click.option("--path", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def courses_load(path: Path | None, as_json: bool) -> None:
    """Validate every course file, then upsert everything (nothing written on any error)."""
    from lms.learning.content import read_content, write_content

    root = path or Path(current_app.config["COURSES_DIR"])
    content, errors = read_content(root)
    if errors:
        db.session.rollback()
        _emit(
            as_json,
            {"ok": False, "errors": [str(e) for e in errors]},
            [f"error: {e}" for e in errors] + [f"{len(errors)} error(s); nothing was written."],
        )
        raise SystemExit(1)
    with writing():
        counts = write_content(content)
        db.session.commit()
    codes = [c.code for c in content.courses]
    _emit(
        as_json,
        {"ok": True, "courses": codes, **counts},
        [
            f"{len(codes)} course(s) loaded: {', '.join(codes)} ({counts['created']} created, "
            f"{counts['updated']} updated); {counts['units']} units, {counts['lessons']} "
            f"lessons, {counts['exercises']} exercises; {counts['retired']} retired."
        ],
    )


@courses_group.command("report")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def courses_report(as_json: bool) -> None:
    """Volumes per course: units, lessons, exercises, per skill, domain and type; tracks."""
    from lms.learning.queries import content_report

    report = content_report()
    lines = []
    for code, r in report.items():
        lines.append(
            f"{code}: {r['units']} units, {r['lessons']} lessons, {r['exercises']} exercises"
        )
        lines.append("  skills: " + ", ".join(f"{k} {v}" for k, v in r["per_skill"].items()))
        lines.append("  domains: " + ", ".join(f"{k} {v}" for k, v in r["per_domain"].items()))
        lines.append("  types: " + ", ".join(f"{k} {v}" for k, v in r["per_type"].items()))
        if r["tracks"]:
            lines.append(
                "  tracks: "
                + ", ".join(f"{k} ({v['units']} units)" for k, v in r["tracks"].items())
            )
    _emit(as_json, {"courses": report}, lines)


@lms_group.group("alerts")
def alerts_group() -> None:
    """Pedagogical alerts."""


@alerts_group.command("scan")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def alerts_scan(as_json: bool) -> None:
    """Run every alert rule now: opens, keeps or clears alerts (twice changes nothing)."""
    from lms.alerts.jobs import run_alert_scan

    counts = run_alert_scan()
    _emit(
        as_json,
        counts,
        [
            f"Alerts: {counts['opened']} opened, {counts['kept']} kept, {counts['closed']} "
            f"closed, {counts['escalated']} escalated."
        ],
    )


@lms_group.group("quality")
def quality_group() -> None:
    """Quality-control checkpoints."""


@quality_group.command("evaluate")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def quality_evaluate(as_json: bool) -> None:
    """Create the checkpoint reviews that are due and compute their automatic criteria."""
    from lms.quality.jobs import run_quality_evaluate

    counts = run_quality_evaluate()
    _emit(
        as_json,
        counts,
        [f"Reviews: {counts['created']} created, {counts['evaluated']} evaluated."],
    )


@lms_group.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs (production: one such process; a second one stands by)."""
    import signal
    import threading

    from lms.scheduler import build_scheduler, catch_up, claim_lease, owner_id, release_lease

    app = current_app._get_current_object()
    owner = owner_id()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_args: stop.set())
    held = claim_lease(owner)
    click.echo(f"scheduler {owner}: {'running jobs' if held else 'standing by'}")
    scheduler = build_scheduler(app, owner)
    scheduler.start()
    try:
        catch_up(app, owner)
        while not stop.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown(wait=True)
        release_lease(owner)


@lms_group.group("users")
def users_group() -> None:
    """Accounts."""


def _refuse(as_json: bool, message: str) -> None:
    """Print why nothing was done (in French) and exit with status 1."""
    if as_json:
        click.echo(json.dumps({"created": False, "error": message}, ensure_ascii=False))
    else:
        click.echo(message, err=True)
    raise SystemExit(1)


@users_group.command("create-admin")
@click.argument("email")
@click.option("--name", default=None, help="Full name (default: the e-mail's local part).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def users_create_admin(email: str, name: str | None, password_stdin: bool, as_json: bool) -> None:
    """Create the first admin account (refused when an admin exists)."""
    from email_validator import EmailNotValidError, validate_email
    from flask_babel import gettext as _

    from lms.auth.passwords import password_problem
    from lms.auth.services import check_first_admin, create_first_admin, hash_password
    from lms.errors import ServiceError

    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        _refuse(as_json, _("Ce courriel n'est pas valide : %(email)s", email=email))
    try:  # refuse before asking for a password
        check_first_admin(email)
    except ServiceError as error:
        _refuse(as_json, error.message)
    finally:
        db.session.rollback()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            _("Mot de passe"),
            hide_input=True,
            confirmation_prompt=_("Confirmez le mot de passe"),
            err=True,
        )
    problem = password_problem(password)
    if problem:
        _refuse(as_json, problem)
    password_hash = hash_password(password)  # slow: before the write transaction
    name = (name or "").strip() or email.partition("@")[0]
    with writing():
        try:
            user = create_first_admin(email=email, name=name, password_hash=password_hash)
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            _refuse(as_json, error.message)
    _emit(
        as_json,
        {"created": True, "id": user.id, "email": user.email, "name": user.name},
        [_("Compte administrateur créé : %(email)s (%(name)s).", email=user.email, name=user.name)],
    )


@lms_group.command("demo")
@click.option("--password", default=None, help="Password for every demo account.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def demo(password: str | None, as_json: bool) -> None:
    """Create the demo data (idempotent) and print the accounts."""
    from lms.demo import seed_demo

    if password is not None and len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    try:
        report = seed_demo(password)
    except RuntimeError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    lines = ["Demo accounts:"]
    for account in report.accounts:
        lines.append(f"  {account['role']:<12} {account['email']:<40} {account['name']}")
    if report.password:
        lines.append(f"Password: {report.password}")
    else:
        lines.append("Passwords unchanged (give --password to set one).")
    lines.append("Created: " + ", ".join(f"{k} {v}" for k, v in report.created.items()))
    _emit(
        as_json,
        {"accounts": report.accounts, "password": report.password, "created": report.created},
        lines,
    )


@lms_group.command("generate")
@click.option(
    "--size", type=click.Choice(["XS", "S", "M", "L", "XL"]), required=True, help="DESIGN §6."
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@click.option("--password", default=None, help="Password for every account (demo ones too).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def generate_command(size: str, seed: int, password: str | None, as_json: bool) -> None:
    """Synthetic data with the demo accounts, on an empty database (courses loaded)."""
    import time

    from lms.generate import GenerateRefused, generate

    began = time.perf_counter()
    if password is not None and len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    try:
        with writing():
            report = generate(size, seed=seed, password=password)
            db.session.commit()
        report.seconds = round(time.perf_counter() - began, 2)  # the commit included
    except GenerateRefused as refused:
        db.session.rollback()
        _refuse(as_json, str(refused))
    payload = {
        "size": report.size,
        "seed": report.seed,
        "password": report.password,
        "seconds": report.seconds,
        "accounts": report.accounts,
        **report.counts,
    }
    lines = [f"Generated size {size} (seed {seed}) in {report.seconds} s:"]
    lines += [f"  {key}: {value}" for key, value in report.counts.items()]
    lines.append("Accounts: " + ", ".join(a["email"] for a in report.accounts))
    lines.append(f"Password: {report.password}")
    _emit(as_json, payload, lines)

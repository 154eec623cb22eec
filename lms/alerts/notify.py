"""The daily e-mail digest of in-app notifications.

Transactional outbox (:mod:`lms.mail.outbox`): the digests are first written to the outbox
together with the notifications they cover (marked digested), in one commit; only then are they
sent through ``MAIL_SERVER`` when it is set. A second run finds nothing left to digest and sends
nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select, update

from lms import clock
from lms.alerts.models import Notification
from lms.auth.models import User
from lms.dbutil import writing
from lms.extensions import db
from lms.mail.models import OutboxMessage
from lms.mail.outbox import send_outbox_messages


def digest_subject(count: int) -> str:
    return ngettext(
        "Francisation — %(num)s nouvelle alerte",
        "Francisation — %(num)s nouvelles alertes",
        count,
    )


def digest_body(name: str, items: list[Notification], base_url: str = "") -> str:
    """The digest's text: one line per notification and the path of its alert."""
    lines = [
        _("Bonjour %(name)s,", name=name),
        "",
        ngettext(
            "Voici la nouvelle alerte qui vous concerne :",
            "Voici les %(num)s nouvelles alertes qui vous concernent :",
            len(items),
        ),
        "",
    ]
    for item in items:
        lines.append(f"- {item.message}")
        if item.alert_id:
            lines.append(f"  {base_url}/alerts/{item.alert_id}")
    lines += [
        "",
        _(
            "Vous trouverez toutes vos alertes dans la boîte des alertes : %(path)s",
            path=f"{base_url}/alerts/",
        ),
        "",
        _("Ce message est envoyé une fois par jour par la plateforme Francisation."),
    ]
    return "\n".join(lines) + "\n"


def _queue_digests(now: datetime) -> list[int]:
    """Write one outbox message per user with notifications not yet digested, and mark them
    digested; commits. :returns: the ids of the new outbox messages."""
    base_url = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with writing():
        try:
            rows = db.session.execute(
                select(Notification, User.email, User.name, User.active)
                .join(User, User.id == Notification.user_id)
                .where(Notification.digested_at.is_(None))
                .order_by(Notification.user_id, Notification.created_at, Notification.id)
            ).all()
            per_user: dict[int, list[Notification]] = defaultdict(list)
            people: dict[int, tuple[str, str, bool]] = {}
            for notification, email, name, active in rows:
                per_user[notification.user_id].append(notification)
                people[notification.user_id] = (email, name, active)
            created: list[OutboxMessage] = []
            for user_id, items in per_user.items():
                # Claim the notifications: a digest running at the same time claims none of them.
                claimed = db.session.execute(
                    update(Notification)
                    .where(
                        Notification.id.in_([n.id for n in items]),
                        Notification.digested_at.is_(None),
                    )
                    .values(digested_at=now)
                    .execution_options(synchronize_session=False)
                ).rowcount
                email, name, active = people[user_id]
                if claimed != len(items) or not active:
                    continue
                message = OutboxMessage(
                    to_address=email,
                    subject=digest_subject(len(items)),
                    body=digest_body(name, items, base_url),
                    created_at=now,
                )
                db.session.add(message)
                created.append(message)
            db.session.flush()
            ids = [m.id for m in created]
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return ids


def send_digests(now: datetime | None = None) -> dict[str, int]:
    """The daily digest job: one e-mail per user with new notifications (run in an app context;
    commits). Idempotent: a second run sends nothing.

    :returns: ``{"messages", "sent", "failed", "queued"}``: digests written, sent through
        MAIL_SERVER, failed to send (kept in the outbox with their error), and kept in the outbox
        because MAIL_SERVER is not set.
    """
    now = now or clock.utcnow()
    ids = _queue_digests(now)
    if not ids:
        return {"messages": 0, "sent": 0, "failed": 0, "queued": 0}
    if not current_app.config.get("MAIL_SERVER"):
        return {"messages": len(ids), "sent": 0, "failed": 0, "queued": len(ids)}
    sent, failed = send_outbox_messages(ids)
    return {"messages": len(ids), "sent": sent, "failed": failed, "queued": 0}

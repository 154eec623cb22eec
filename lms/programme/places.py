"""Regions and sites (admins): create, change, deactivate; a site that has cohorts is never
deleted. Each write goes to the audit log with its before and after. Flush, never commit."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select

from lms.audit.services import record
from lms.auth.models import User
from lms.catalog.models import Cohort, Region, Site
from lms.errors import ServiceError
from lms.extensions import db

REGION_FIELDS = ("code", "name")
SITE_FIELDS = ("code", "name", "region_id", "city", "address", "phone", "active")


def _values(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def _unique(model: type, column: str, value: Any, own_id: int | None, message: str) -> None:
    other = db.session.scalar(select(model.id).where(getattr(model, column) == value))
    if other is not None and other != own_id:
        raise ServiceError(message, column, status=422)


def _save(model: type, obj: Any, values: dict[str, Any], fields, kind: str, actor: User):
    """Create ``model`` from ``values`` (``obj=None``) or change ``obj``; audit what changed
    (``<kind>.create`` or ``<kind>.update``, before and after)."""
    before = _values(obj, fields) if obj is not None else None
    if obj is None:
        obj = model(**values)
        db.session.add(obj)
    else:
        for key, value in values.items():
            setattr(obj, key, value)
    db.session.flush()
    after = _values(obj, fields)
    if after != before:
        action = f"{kind}.create" if before is None else f"{kind}.update"
        record(action, obj, actor=actor, before=before, after=after)
    return obj


def save_region(region: Region | None, values: dict[str, Any], *, actor: User) -> Region:
    """Create a region (``region=None``) or change it.

    :param values: ``code`` and ``name``.
    :raises ServiceError: (``code``) the code is another region's.
    """
    values = _clean(values)
    _unique(
        Region,
        "code",
        values["code"],
        region.id if region else None,
        _("Le code « %(code)s » est déjà celui d'une autre région.", code=values["code"]),
    )
    return _save(Region, region, values, REGION_FIELDS, "region", actor)


def save_site(site: Site | None, values: dict[str, Any], *, actor: User) -> Site:
    """Create a site (``site=None``) or change it (deactivating included).

    :param values: the :data:`SITE_FIELDS`.
    :raises ServiceError: (``code``) the code is another site's; (``region_id``) no such region.
    """
    values = _clean(values)
    if db.session.get(Region, values["region_id"]) is None:
        raise ServiceError(_("Choisissez une région."), "region_id")
    _unique(
        Site,
        "code",
        values["code"],
        site.id if site else None,
        _("Le code « %(code)s » est déjà celui d'un autre site.", code=values["code"]),
    )
    return _save(Site, site, values, SITE_FIELDS, "site", actor)


def site_has_cohorts(site_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Cohort.site_id == site_id))))


def delete_site(site: Site, *, actor: User) -> None:
    """Delete a site that never had a cohort (its closure days go with it).

    :raises ServiceError: (409) the site has cohorts: deactivate it instead.
    """
    if site_has_cohorts(site.id):
        raise ServiceError(
            _(
                "Le site « %(name)s » a des groupes : il ne peut pas être supprimé, seulement "
                "désactivé.",
                name=site.name,
            ),
            status=409,
        )
    record("site.delete", site, actor=actor, before=_values(site, SITE_FIELDS))
    db.session.delete(site)
    db.session.flush()

from sqlalchemy import select

from lms.audit.models import AuditLog
from lms.auth.models import Role, User
from lms.catalog.models import cohort_teacher, coordinator_region
from lms.extensions import db
from tests.conftest import csrf_token, login


def _form(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


def test_the_new_password_is_hashed_before_the_write_transaction(
    client, login_as, make_user, monkeypatch
):
    """scrypt (~0.5 s) inside the transaction would hold SQLite's one write lock meanwhile."""
    from lms.auth import services as auth_services

    in_transaction: list[bool] = []
    real_hash = auth_services.hash_password

    def spy(password: str) -> str:
        in_transaction.append(db.session().in_transaction())
        return real_hash(password)

    monkeypatch.setattr(auth_services, "hash_password", spy)
    monkeypatch.setattr("lms.admin.views.hash_password", spy)
    login_as(make_user(Role.ADMIN.value))
    response = _form(
        client,
        "/admin/users/new",
        email="hash@example.org",
        name="Quelqu'un",
        role="student",
        preferred_language="fr",
        password="un-mot-de-passe-solide",
    )
    assert response.status_code == 302
    assert in_transaction == [False]


def test_admin_creates_a_coordinator_with_a_region(client, login_as, make_user, make_region):
    admin = make_user(Role.ADMIN.value)
    region = make_region("Estrie")
    login_as(admin)
    response = _form(
        client,
        "/admin/users/new",
        email="Nouvelle.Conseillere@Example.org",
        name="Nouvelle Conseillère",
        role="coordinator",
        preferred_language="fr",
        active="y",
        password="un-mot-de-passe-solide",
        region_ids=str(region.id),
        cohort_codes="",
    )
    assert response.status_code == 302
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "nouvelle.conseillere@example.org"))
    assert user.role == "coordinator"
    assert (
        db.session.scalar(
            select(coordinator_region.c.region_id).where(coordinator_region.c.user_id == user.id)
        )
        == region.id
    )
    actions = set(db.session.scalars(select(AuditLog.action).where(AuditLog.actor_id == admin.id)))
    assert {"user.create", "user.scopes"} <= actions
    assert (
        login(client.application.test_client(), user, "un-mot-de-passe-solide").status_code == 302
    )


def test_duplicate_email_is_refused_case_insensitively(client, login_as, make_user):
    make_user(email="existe@example.org")
    login_as(make_user(Role.ADMIN.value))
    response = _form(
        client,
        "/admin/users/new",
        email="EXISTE@example.org",
        name="X",
        role="student",
        preferred_language="fr",
        password="un-mot-de-passe-solide",
    )
    assert response.status_code == 422
    assert "Un compte existe déjà avec ce courriel." in response.get_data(as_text=True)


def test_bad_input_gets_french_messages_and_writes_nothing(client, login_as, make_user):
    login_as(make_user(Role.ADMIN.value))
    before = db.session.scalar(select(db.func.count(User.id)))
    response = _form(
        client,
        "/admin/users/new",
        email="pas un courriel",
        name="",
        role="student",
        preferred_language="fr",
        password="court",
        cohort_codes="INCONNU-1",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ce courriel n'est pas valide." in page
    assert "Groupes inconnus : INCONNU-1." in page
    assert "Le nom est obligatoire." in page
    assert "au moins 10 caractères" in page
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(User.id))) == before


def test_admin_assigns_cohorts_to_a_teacher_and_the_change_is_audited(
    client, login_as, make_user, make_cohort
):
    admin = make_user(Role.ADMIN.value)
    teacher = make_user(Role.TEACHER.value)
    cohort = make_cohort(code="FTC2-XYZ")
    login_as(admin)
    unknown = _form(
        client,
        f"/admin/users/{teacher.id}",
        email=teacher.email,
        name=teacher.name,
        role="teacher",
        preferred_language="fr",
        active="y",
        cohort_codes="NOPE-1",
    )
    assert unknown.status_code == 422
    assert "Groupes inconnus : NOPE-1." in unknown.get_data(as_text=True)
    ok = _form(
        client,
        f"/admin/users/{teacher.id}",
        email=teacher.email,
        name="Nom changé",
        role="teacher",
        preferred_language="en",
        active="y",
        cohort_codes="FTC2-XYZ",
    )
    assert ok.status_code == 302
    db.session.rollback()
    assert (
        db.session.scalar(
            select(cohort_teacher.c.cohort_id).where(cohort_teacher.c.user_id == teacher.id)
        )
        == cohort.id
    )
    entry = db.session.scalar(
        select(AuditLog).where(
            AuditLog.action == "user.update", AuditLog.entity_id == str(teacher.id)
        )
    )
    assert entry.before["name"] != entry.after["name"] == "Nom changé"
    assert "password_hash" not in entry.after


def test_role_change_drops_scopes_that_no_longer_fit(client, login_as, make_user, make_cohort):
    teacher = make_user(Role.TEACHER.value)
    make_cohort(teachers=(teacher,))
    login_as(make_user(Role.ADMIN.value))
    _form(
        client,
        f"/admin/users/{teacher.id}",
        email=teacher.email,
        name=teacher.name,
        role="student",
        preferred_language="fr",
        active="y",
        cohort_codes="",
    )
    db.session.rollback()
    assert (
        db.session.scalar(
            select(cohort_teacher.c.cohort_id).where(cohort_teacher.c.user_id == teacher.id)
        )
        is None
    )


def test_admin_cannot_remove_their_own_admin_role(client, login_as, make_user):
    admin = make_user(Role.ADMIN.value)
    login_as(admin)
    response = _form(
        client,
        f"/admin/users/{admin.id}",
        email=admin.email,
        name=admin.name,
        role="student",
        preferred_language="fr",
        active="y",
    )
    assert response.status_code == 422
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_user_list_filters_and_query_count(client, login_as, make_user, count_queries):
    admin = make_user(Role.ADMIN.value, name="Zoé Admin")
    login_as(admin)
    make_user(Role.STUDENT.value, name="Karim Student")
    with count_queries() as few:
        page = client.get("/admin/?role=student").get_data(as_text=True)
    assert "Karim Student" in page and admin.email not in page
    for _ in range(30):
        make_user(Role.STUDENT.value)
    with count_queries() as many:
        client.get("/admin/?role=student")
    assert len(few) == len(many)
    assert "Karim" in client.get("/admin/?q=karim").get_data(as_text=True)


def test_unknown_user_is_404(client, login_as, make_user):
    login_as(make_user(Role.ADMIN.value))
    assert client.get("/admin/users/999999").status_code == 404

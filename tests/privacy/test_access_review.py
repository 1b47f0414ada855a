"""The periodic access review (issue 19 item 6; SECURITY.md A6, A1): opening a review snapshots each active staff
member's roles, case teams, last sign-in, two-step verification and confidential reads in the period; each line
is confirmed, adjusted (with a note) or revoked, and revoking removes the roles or deactivates the account at once
(a signed-in client is signed out on its next request); management signs it off only once every line is decided,
and a signed-off review never changes (the service, the page's 409 and the database's triggers on SQLite and
PostgreSQL); an overdue review shows on the quality dashboard; the page costs the same queries for any staff size."""

from datetime import timedelta

import pytest
from peewee import DatabaseError
from playhouse.test_utils import count_queries

from core import audit
from core.db import db, transaction
from models.audit import AuditEvent
from models.cases import CaseMember
from models.privacy import AccessReview, AccessReviewLine
from models.users import User, UserRole, UserSession
from services.privacy import access_review as service
from tests.factories import make_case, make_client

pytestmark = pytest.mark.usefixtures("clock")


def _open(http, firm_today, start=None):
    start = start or firm_today - timedelta(days=90)
    response = http.post("/privacidad/revision-accesos",
                         data={"desde": start.isoformat(), "hasta": firm_today.isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)
    return AccessReview.select().order_by(AccessReview.id.desc()).first()


def _line(review, user):
    return AccessReviewLine.get(AccessReviewLine.review == review.id, AccessReviewLine.user == user.id)


def _decide(http, review, line, decision, note="", revoke=""):
    return http.post(f"/privacidad/revision-accesos/{review.id}/lineas/{line.id}",
                     data={"decision": decision, "note": note, "revoke": revoke})


def test_a_review_snapshots_each_active_staff_member(app, http, login_as, make_user, firm_today):
    manager = login_as("management")
    lawyer = make_user(roles=("operations", "service"), name="Laura Gómez")
    make_user(roles=("commercial",), name="Ex Empleado", active=False)
    no_2fa = make_user(roles=("commercial",), name="Sin Verificación", totp=False)
    with app.test_request_context():
        client = make_client(document_number="79111222")
        case = make_case(client=client, responsible=lawyer, title="Despido de Ana")
        CaseMember.get_or_create(case=case, user=lawyer)
        for _ in range(3):
            with transaction():
                audit.record("sensitive_read", client, actor=lawyer, fields=["document_number"], detail="client=1")
    review = _open(http, firm_today)
    lines = {line.user_id: line for line in AccessReviewLine.select().where(AccessReviewLine.review == review.id)}
    active = {u.id for u in User.select().where(User.is_active == True)}  # noqa: E712
    assert set(lines) == active  # the inactive account has no line
    line = lines[lawyer.id]
    assert line.role_list == ["operations", "service"] and line.reads == 3 and line.has_2fa
    assert line.team_list == [[case.id, "Despido de Ana"]]
    assert lines[no_2fa.id].has_2fa is False and lines[no_2fa.id].reads == 0
    assert lines[manager.id].last_login_at is not None  # signed in through the real flow
    page = http.get(f"/privacidad/revision-accesos/{review.id}").get_data(as_text=True)
    assert "Laura Gómez" in page and "Despido de Ana" in page and "Sin Verificación" in page
    reads_link = (f"/privacidad/accesos?persona={lawyer.id}&amp;desde={review.period_start.isoformat()}"
                  f"&amp;hasta={review.period_end.isoformat()}")
    assert reads_link in page  # the person's reads in the review's period
    assert AuditEvent.select().where(AuditEvent.action == "access_review_open").count() == 1


def test_lifecycle_and_sign_off_refused_until_every_line_is_decided(app, http, login_as, make_user, firm_today):
    manager = login_as("management")
    quality_user = make_user(roles=("quality",), name="Quinta Calidad")
    clerk = make_user(roles=("commercial",), name="Carlos Comercial")
    review = _open(http, firm_today)
    response = http.post(f"/privacidad/revision-accesos/{review.id}/firmar")
    assert response.status_code == 409 and "todavía no se puede firmar" in response.get_data(as_text=True).lower()
    assert AccessReview.get_by_id(review.id).status == "open"
    # An adjustment needs its note, said beside the field (422), nothing written.
    response = _decide(http, review, _line(review, clerk), "adjusted")
    assert response.status_code == 422 and "Escribe qué cambió" in response.get_data(as_text=True)
    assert _line(review, clerk).decision is None
    assert _decide(http, review, _line(review, clerk), "adjusted", note="Sale del caso de Ana").status_code == 302
    assert _decide(http, review, _line(review, quality_user), "confirmed").status_code == 302
    # htmx: the row comes back decided.
    response = http.post(f"/privacidad/revision-accesos/{review.id}/lineas/{_line(review, manager).id}",
                         data={"decision": "confirmed", "note": "", "revoke": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and f'id="linea-{_line(review, manager).id}"' in response.get_data(as_text=True)
    assert service.undecided_count(review) == 0
    # Quality decides lines but cannot sign off.
    other = app.test_client()
    login_as(client=other, user=quality_user)
    assert other.post(f"/privacidad/revision-accesos/{review.id}/firmar").status_code == 403
    assert http.post(f"/privacidad/revision-accesos/{review.id}/firmar").status_code == 302
    review = AccessReview.get_by_id(review.id)
    assert review.is_signed and review.signed_by_id == manager.id and review.signed_on == firm_today
    assert _line(review, clerk).note == "Sale del caso de Ana" and _line(review, clerk).decided_by_id == manager.id
    listing = http.get("/privacidad/revision-accesos").get_data(as_text=True)
    assert review.code in listing and "access-review-ok" in listing


def test_a_signed_off_review_never_changes(app, http, login_as, make_user, firm_today):
    login_as("management")
    clerk = make_user(roles=("commercial",))
    review = _open(http, firm_today)
    for line in AccessReviewLine.select().where(AccessReviewLine.review == review.id):
        assert _decide(http, review, line, "confirmed").status_code == 302
    assert http.post(f"/privacidad/revision-accesos/{review.id}/firmar").status_code == 302
    line = _line(review, clerk)
    response = _decide(http, review, line, "revoked", revoke="account")
    assert response.status_code == 409 and "ya no puede cambiar" in response.get_data(as_text=True)
    assert http.post(f"/privacidad/revision-accesos/{review.id}/firmar").status_code == 409
    assert User.get_by_id(clerk.id).is_active and _line(review, clerk).decision == "confirmed"
    review = AccessReview.get_by_id(review.id)
    with app.test_request_context(), pytest.raises(service.AccessReviewError):
        service.decide(review, line, "revoked", "", "roles", clerk)
    # Below the application: the database refuses it too (SQLite and PostgreSQL, TEST_DATABASE_URL).
    attempts = [
        lambda: AccessReview.update(period_end=firm_today).where(AccessReview.id == review.id).execute(),
        lambda: AccessReview.update(status="open").where(AccessReview.id == review.id).execute(),
        lambda: AccessReview.delete().where(AccessReview.id == review.id).execute(),
        lambda: AccessReviewLine.update(decision="revoked").where(AccessReviewLine.id == line.id).execute(),
        lambda: AccessReviewLine.delete().where(AccessReviewLine.id == line.id).execute(),
        lambda: AccessReviewLine.insert(review=review.id, user_name="x", user_email="x@x", created_at=line.created_at,
                                        updated_at=line.created_at).execute(),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError):
            with db.atomic():
                attempt()
    assert AccessReview.get_by_id(review.id).status == "signed"
    assert AccessReviewLine.select().where(AccessReviewLine.review == review.id).count() == User.select().where(
        User.is_active == True).count()  # noqa: E712
    assert _line(review, clerk).decision == "confirmed"
    # An open review's lines still change: the triggers hold signed reviews only.
    fresh = _open(http, firm_today)
    AccessReviewLine.update(note="ok").where(AccessReviewLine.review == fresh.id).execute()


@pytest.mark.parametrize("what", ["roles", "account"])
def test_revoking_ends_the_person_s_session_at_once(app, http, login_as, make_user, firm_today, what):
    login_as("management")
    lawyer = make_user(roles=("operations",), name="Laura Gómez")
    theirs = app.test_client()
    login_as(client=theirs, user=lawyer)
    assert theirs.get("/casos/").status_code == 200
    review = _open(http, firm_today)
    assert _decide(http, review, _line(review, lawyer), "revoked", revoke="").status_code == 422  # which revocation?
    assert theirs.get("/casos/").status_code == 200
    assert _decide(http, review, _line(review, lawyer), "revoked", note="Dejó la firma", revoke=what).status_code == 302
    # Their next request finds them signed out.
    response = theirs.get("/casos/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/entrar")
    assert UserSession.select().where(UserSession.user == lawyer.id, UserSession.revoked_at.is_null()).count() == 0
    user = User.get_by_id(lawyer.id)
    if what == "roles":
        assert user.is_active and not UserRole.select().where(UserRole.user == lawyer.id).exists()
        assert AuditEvent.select().where(AuditEvent.action == "authz_change", AuditEvent.object_id == str(lawyer.id)).exists()
    else:
        assert not user.is_active
        assert AuditEvent.select().where(AuditEvent.action == "user_deactivate",
                                         AuditEvent.object_id == str(lawyer.id)).exists()
    assert _line(review, lawyer).revoked == what
    assert AuditEvent.select().where(AuditEvent.action == "access_review_decide").count() == 1


def test_revoking_the_last_administrator_is_refused_beside_the_field(app, http, login_as, make_user, firm_today):
    login_as("management")
    admins = [u for u in User.select() if "admin" in u.role_names and u.is_active]
    admin = admins[0] if admins else make_user(roles=("admin",), name="Única Admin")
    for other in User.select().where(User.id != admin.id):
        UserRole.delete().where(UserRole.user == other.id, UserRole.role == "admin").execute()
    review = _open(http, firm_today)
    response = _decide(http, review, _line(review, admin), "revoked", revoke="account")
    assert response.status_code == 422 and "administrador" in response.get_data(as_text=True)
    assert User.get_by_id(admin.id).is_active and _line(review, admin).decision is None


def test_an_overdue_review_shows_on_the_dashboard(app, http, login_as, firm_today, clock):
    manager = login_as("management")
    page = http.get("/calidad").get_data(as_text=True)
    assert 'data-testid="access-review-due"' in page  # none signed off yet
    with app.test_request_context():
        review = service.open_review(firm_today - timedelta(days=90), firm_today, manager)
        AccessReviewLine.update(decision="confirmed").where(AccessReviewLine.review == review.id).execute()
        service.sign_off(AccessReview.get_by_id(review.id), manager, firm_today)
    page = http.get("/calidad").get_data(as_text=True)
    assert 'data-testid="access-review-due"' not in page and 'data-testid="access-review-ok"' in page
    with app.app_context():
        assert not service.due(firm_today)["due"]
        in_three_months = service.months_ago(firm_today, -3)
        assert not service.due(in_three_months)["due"]  # signed exactly three months before: still within
        assert service.due(in_three_months + timedelta(days=1))["due"]  # a day more, none newer: overdue
        assert service.due(firm_today)["cycle"] == 3


def test_the_review_page_costs_the_same_queries_for_any_staff_size(app, http, login_as, make_user, firm_today):
    login_as("management")
    small = _open(http, firm_today)
    for n in range(60):
        make_user(roles=("commercial", "service"), name=f"Persona {n:02d}")
    large = _open(http, firm_today)
    urls = [f"/privacidad/revision-accesos/{small.id}", f"/privacidad/revision-accesos/{large.id}",
            f"/privacidad/revision-accesos/{large.id}?pagina=2",
            f"/privacidad/revision-accesos/{large.id}?estado=undecided&rol=service&q=persona"]
    http.get(urls[0])
    with count_queries() as before:
        assert http.get(urls[0]).status_code == 200
    for url in urls[1:]:
        with count_queries() as after:
            assert http.get(url).status_code == 200
        assert after.count == before.count, url
    # The page's own share: the review, one COUNT (lines, decided, shown) and the page of lines.
    with app.test_request_context():
        with count_queries() as own:
            review = service.for_page(large.id)
            page, progress = service.lines_page(review)
        assert own.count == 3 and len(page.items) == 50 and progress["total"] == page.total > 60


def test_the_reviewer_works_through_the_undecided_lines_first(app, http, login_as, make_user, firm_today):
    login_as("management")
    for n in range(55):
        make_user(roles=("commercial",) if n % 2 else ("service",), name=f"Persona {n:02d}")
    make_user(roles=("quality", "service"), name="Zoe Zapata", email="zoe@firma.example")
    review = _open(http, firm_today)
    url = f"/privacidad/revision-accesos/{review.id}"
    lines = list(AccessReviewLine.select().where(AccessReviewLine.review == review.id)
                 .order_by(AccessReviewLine.user_name, AccessReviewLine.id))
    first = lines[0]
    assert _decide(http, review, first, "confirmed").status_code == 302
    page = http.get(url).get_data(as_text=True)
    total = len(lines)
    assert f"1 de {total} decididas" in page and f"Quedan {total - 1} líneas sin decidir" in page
    assert page.count('data-testid="line-decision"') == 50 and f'id="linea-{first.id}"' not in page
    assert f'id="linea-{lines[1].id}"' in page and "Página 1 de 2" in page
    # The decided line comes after every undecided one, on the last page.
    last = http.get(url + "?pagina=2").get_data(as_text=True)
    assert f'id="linea-{first.id}"' in last and last.index("Zoe Zapata") < last.index(f'id="linea-{first.id}"')
    # Filters: by decision, by role, by name or email; htmx gets the list alone.
    decided = http.get(url + "?estado=decided").get_data(as_text=True)
    assert decided.count('data-testid="line-decision"') == 1 and f'id="linea-{first.id}"' in decided
    quality = http.get(url + "?rol=quality", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Zoe Zapata" in quality and "Persona 0" not in quality and "<html" not in quality
    assert 'id="revision-lineas"' in quality
    assert "Zoe Zapata" in http.get(url + "?q=ZOE@FIRMA").get_data(as_text=True)
    assert 'data-testid="no-lines"' in http.get(url + "?q=nadie-se-llama-asi").get_data(as_text=True)
    # The pager keeps the filter.
    undecided = http.get(url + "?estado=undecided").get_data(as_text=True)
    assert "?estado=undecided&amp;pagina=2" in undecided or "?pagina=2&amp;estado=undecided" in undecided
    # A value the filter refuses is said beside its field, and the page shows every line.
    response = http.get(url + "?estado=roto")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="estado-error"' in body and "Página 1 de 2" in body


def test_one_click_confirms_an_undecided_line(app, http, login_as, make_user, firm_today):
    login_as("management")
    clerk = make_user(roles=("commercial",), name="Carlos Comercial")
    review = _open(http, firm_today)
    line = _line(review, clerk)
    page = http.get(f"/privacidad/revision-accesos/{review.id}").get_data(as_text=True)
    row = page[page.index(f'id="linea-{line.id}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-testid="line-confirm"' in row and 'name="decision" value="confirmed"' in row
    response = http.post(f"/privacidad/revision-accesos/{review.id}/lineas/{line.id}", data={"decision": "confirmed"},
                         headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Confirmado" in body and 'data-testid="line-confirm"' not in body
    assert _line(review, clerk).decision == "confirmed"
    assert AuditEvent.select().where(AuditEvent.action == "access_review_decide").count() == 1


def test_who_may_use_the_access_review(app, http, login_as, firm_today):
    login_as("commercial")
    assert http.get("/privacidad/revision-accesos").status_code == 403
    assert http.post("/privacidad/revision-accesos", data={"desde": firm_today.isoformat(),
                                                           "hasta": firm_today.isoformat()}).status_code == 403
    assert AccessReview.select().count() == 0


def test_a_bad_period_is_said_beside_the_field(app, http, login_as, firm_today):
    login_as("quality")
    response = http.post("/privacidad/revision-accesos",
                         data={"desde": firm_today.isoformat(), "hasta": (firm_today - timedelta(days=1)).isoformat()})
    assert response.status_code == 422 and AccessReview.select().count() == 0
    response = http.post("/privacidad/revision-accesos", data={"desde": "no", "hasta": firm_today.isoformat()})
    assert response.status_code == 422


def test_an_overdue_review_shows_in_my_work_of_management_and_quality(app, http, login_as, firm_today):
    manager = login_as("management")
    assert 'data-testid="work-access-review-due"' in http.get("/mi-trabajo").get_data(as_text=True)
    other = app.test_client()
    login_as("quality", client=other)
    assert 'data-testid="work-access-review-due"' in other.get("/mi-trabajo").get_data(as_text=True)
    lawyer = app.test_client()
    login_as("operations", client=lawyer)
    assert 'data-testid="work-access-review-due"' not in lawyer.get("/mi-trabajo").get_data(as_text=True)
    with app.test_request_context():
        review = service.open_review(firm_today - timedelta(days=90), firm_today, manager)
        AccessReviewLine.update(decision="confirmed").where(AccessReviewLine.review == review.id).execute()
        service.sign_off(AccessReview.get_by_id(review.id), manager, firm_today)
    assert 'data-testid="work-access-review-due"' not in http.get("/mi-trabajo").get_data(as_text=True)

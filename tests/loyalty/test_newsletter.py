"""The newsletter's pages (issue 18, PRO 008 §5.5.2): who may write and send it (commercial, client service, management;
SECURITY.md A1), a draft written in Markdown and shown sanitized, the quality notes marked for the newsletter offered
as content, a test to oneself, the sending (draft → sending → sent) with its figures, the unsubscribe link's GET
that only asks and its POST that withdraws the consent, a link tampered with, and constant queries per page."""

from datetime import date

import pytest
from playhouse.test_utils import count_queries

from core.i18n import today_local
from models.audit import AuditEvent
from models.consent import Consent
from models.loyalty import NewsletterDelivery, NewsletterIssue, subscribers
from services import clients
from services.loyalty import newsletter
from services.quality import notes
from tests.factories import make_client, make_notice

pytestmark = pytest.mark.usefixtures("clock")
BASE = "https://traza.example.test"


def _subscriber(name, email, user=None):
    client = make_client(user, name=name, email=email, document_number=str(abs(hash(email)) % 10**9))
    make_notice()
    clients.record_consent(client, ["newsletter"], "written", today_local(), "", user)
    return client


def _issue(app, user, subject="Buenas prácticas de marzo", body="Conserve **todo** contrato."):
    with app.test_request_context():
        return newsletter.create(subject, body, user)


@pytest.mark.parametrize("role", ["commercial", "service", "management"])
def test_commercial_service_and_management_manage_the_newsletter(http, login_as, role):
    login_as(role)
    page = http.get("/fidelizacion/boletines")
    assert page.status_code == 200 and "Boletines" in page.get_data(as_text=True)
    partial = http.get("/fidelizacion/boletines", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and "<html" not in partial.get_data(as_text=True)


@pytest.mark.parametrize("role", ["operations", "quality", "admin"])
def test_other_roles_may_not(http, login_as, role):
    login_as(role)
    assert http.get("/fidelizacion/boletines").status_code == 403
    assert http.post("/fidelizacion/boletines/nuevo", data={"subject": "x", "body": "y"}).status_code == 403


def test_a_draft_is_written_in_markdown_shown_sanitized_and_carries_the_chosen_quality_notes(app, http, login_as):
    user = login_as("commercial")
    with app.test_request_context():
        note = notes.publish(title="Respuesta más rápida", body="Interno.", period_start=date(2026, 1, 1),
                             period_end=date(2026, 1, 31), user=user, client_summary="Respondemos en 24 horas.",
                             for_newsletter=True)
    form = http.get("/fidelizacion/boletines/nuevo").get_data(as_text=True)
    assert "Respuesta más rápida" in form  # offered as content

    bad = http.post("/fidelizacion/boletines/nuevo", data={"subject": "  ", "body": "Texto"})
    assert bad.status_code == 422 and "Escriba el asunto del boletín." in bad.get_data(as_text=True)
    assert NewsletterIssue.select().count() == 0

    done = http.post("/fidelizacion/boletines/nuevo", data={
        "subject": "Boletín de marzo", "body": "Hola **a todos**\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))",
        "notes": [str(note.id)]})
    assert done.status_code == 303
    issue = NewsletterIssue.get()
    assert (issue.number, issue.status) == (1, "draft") and "Respondemos en 24 horas." in issue.body
    assert "Lo que mejoramos gracias a sus respuestas" in issue.body
    page = http.get(done.headers["Location"]).get_data(as_text=True)
    assert "<strong>a todos</strong>" in page and "&lt;script&gt;alert(1)" in page  # raw HTML shown as text
    assert "<script>alert" not in page and 'href="javascript' not in page
    assert AuditEvent.get(AuditEvent.action == "newsletter_create").object_id == str(issue.id)

    edited = http.post(f"/fidelizacion/boletines/{issue.id}/editar", data={"subject": "Boletín de abril",
                                                                           "body": "Otro texto."})
    assert edited.status_code == 303 and NewsletterIssue.get_by_id(issue.id).subject == "Boletín de abril"


def test_a_test_goes_to_oneself_only_and_the_issue_stays_a_draft(app, http, login_as, mailbox):
    user = login_as("service")
    with app.test_request_context():
        _subscriber("Ana Suárez", "ana@correo.test", user)
    issue = _issue(app, user)
    assert http.post(f"/fidelizacion/boletines/{issue.id}/prueba").status_code == 303
    (message,) = mailbox.messages
    assert message["To"] == user.email and message["Subject"].startswith("[Prueba]")
    assert message["List-Unsubscribe"] is None
    assert NewsletterIssue.get_by_id(issue.id).status == "draft" and NewsletterDelivery.select().count() == 0


def test_sending_queues_one_message_per_subscriber_then_the_issue_is_sent_with_its_figures(app, http, login_as,
                                                                                            mailbox):
    user = login_as("management")
    with app.test_request_context():
        for i in range(3):
            _subscriber(f"Cliente {i}", f"c{i}@correo.test", user)
        withdrawn = _subscriber("Sin boletín", "no@correo.test", user)
        clients.withdraw_consent(withdrawn, "newsletter", "written", today_local(), user)
    issue = _issue(app, user)
    sent = http.post(f"/fidelizacion/boletines/{issue.id}/enviar")
    assert sent.status_code == 303
    assert sorted(m["To"] for m in mailbox.messages) == ["c0@correo.test", "c1@correo.test", "c2@correo.test"]
    page = http.get(f"/fidelizacion/boletines/{issue.id}").get_data(as_text=True)
    row = NewsletterIssue.get_by_id(issue.id)
    assert (row.status, row.recipients) == ("sent", 3) and "Enviado" in page
    assert NewsletterDelivery.figures([issue.id])[issue.id] == {"queued": 0, "sent": 3, "failed": 0,
                                                                "unsubscribed": 0, "total": 3}
    again = http.post(f"/fidelizacion/boletines/{issue.id}/enviar")  # twice: nothing more
    assert again.status_code == 303 and len(mailbox.messages) == 3
    edit = http.get(f"/fidelizacion/boletines/{issue.id}/editar")
    assert edit.status_code == 303 and NewsletterIssue.get_by_id(issue.id).subject == issue.subject


def test_sending_to_nobody_says_so_and_stays_a_draft(app, http, login_as):
    user = login_as("commercial")
    issue = _issue(app, user)
    http.post(f"/fidelizacion/boletines/{issue.id}/enviar")
    assert NewsletterIssue.get_by_id(issue.id).status == "draft"
    assert "Nadie ha dado su consentimiento" in http.get(f"/fidelizacion/boletines/{issue.id}").get_data(as_text=True)


@pytest.mark.csrf
def test_the_unsubscribe_link_asks_on_get_and_withdraws_on_post_from_its_page(app, http, login_as, mailbox):
    user = login_as("commercial")
    with app.test_request_context():
        client = _subscriber("Ana Suárez", "ana@correo.test", user)
    issue = _issue(app, user)
    http.post(f"/fidelizacion/boletines/{issue.id}/enviar")
    (message,) = mailbox.messages
    path = message["List-Unsubscribe"].strip().strip("<>")[len(BASE):]
    assert path in mailbox.text(message)  # the footer links to the same address

    visitor = app.test_client()  # a link scanner: GET only asks
    page = visitor.get(path)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'method="post"' in body and page.headers["Referrer-Policy"] == "no-referrer"
    assert Consent.has(client, "newsletter")

    done = visitor.post(path, data={}, csrf=False)  # the page's button: no CSRF token needed, the link is the proof
    assert done.status_code == 303 and done.headers["Location"].endswith("/boletin/baja")
    assert "no recibirá más" in visitor.get("/boletin/baja").get_data(as_text=True).lower()
    last = Consent.select().where(Consent.client == client.id, Consent.purpose == "newsletter").order_by(
        Consent.id.desc()).first()
    assert not last.granted and "enlace" in last.notes and f"{issue.number}" in last.notes
    assert subscribers().count() == 0

    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert visitor.get(tampered).status_code == 404
    assert visitor.post(tampered, data={"List-Unsubscribe": "One-Click"}, csrf=False).status_code == 404


def test_the_pages_run_a_constant_number_of_queries(app, http, login_as, mailbox):
    user = login_as("commercial")
    with app.test_request_context():
        _subscriber("Ana Suárez", "ana@correo.test", user)
    first = _issue(app, user)
    http.post(f"/fidelizacion/boletines/{first.id}/enviar")
    http.get("/fidelizacion/boletines")
    with count_queries() as few:
        http.get("/fidelizacion/boletines")
    with count_queries() as one:
        http.get(f"/fidelizacion/boletines/{first.id}")
    for i in range(5):
        _issue(app, user, subject=f"Borrador {i}")
    with app.test_request_context():
        for i in range(4):
            _subscriber(f"Otro {i}", f"otro{i}@correo.test", user)
    with count_queries() as many:
        http.get("/fidelizacion/boletines")
    with count_queries() as again:
        http.get(f"/fidelizacion/boletines/{first.id}")
    assert few.count == many.count and one.count == again.count

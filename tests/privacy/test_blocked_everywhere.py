"""A blocked client (Spain, LOPDGDD art. 32; issue 19 item 4; SECURITY.md PR5) is out of everyone's reach but the
legal-claims page: a client holding one record of every kind (case, interaction, meeting, complaint, crisis
incident, quotation, contract due for renewal, task, deadline, intervention, document, survey invitation and named
answer, newsletter consent) is blocked, and then, signed in as each role, no list, search, work queue, agenda or
calendar feed names it, its case code or its complaint number, its own pages answer 404 (or 403 to a role that
may not open them anyway), and the jobs that email clients or staff skip it; an unblocked control client with the
same records shows on the same pages, so every check can fail."""

import re
from datetime import datetime, time, timedelta

import pytest

from core.db import utcnow
from core.i18n import to_utc
from models.cases import Intervention
from models.clients import Client
from models.commercial import Contract, Quotation
from models.complaints import Complaint, CrisisIncident
from models.consent import Consent
from models.documents import Deadline, DocumentItem
from models.interactions import Interaction, Meeting
from models.loyalty import NewsletterDelivery, NewsletterIssue
from models.mail import OutboundEmail
from models.surveys import SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyResponse, SurveyTemplate
from models.tasks import Task
from services import surveys as survey_service
from services.documents.deadlines import create_feed
from services.loyalty import newsletter
from tests.factories import make_case, make_client, make_notice, make_user

pytestmark = pytest.mark.usefixtures("clock")

ROLES = ("admin", "management", "commercial", "operations", "service", "quality")
BLOCKED, CONTROL = "Berta Bloqueo Ibáñez", "Carla Control Díaz"


def _client_with_everything(name, number, owner, today, template, question):
    """A client with one record of each kind, every one of them in ``owner``'s hands (so Mi trabajo lists them)."""
    tag = name.split()[0].lower()
    client = make_client(name=name, document_number=f"52{number}777", email=f"{tag}@example.com")
    case = make_case(client=client, responsible=owner, title=f"Asunto de {tag}")
    Client.update(responsible=owner.id).where(Client.id == client.id).execute()
    now = utcnow()
    Interaction.create(client=client, case=case, occurred_at=now - timedelta(days=1), kind="question",
                       direction="in", summary=f"Pregunta de {tag}")
    Meeting.create(client=client, case=case, starts_at=now + timedelta(days=2), agenda=f"Reunión con {tag}",
                   organiser=owner)
    complaint = Complaint.create(number=f"Q-2026-{number:05d}", owner=owner, client=client, case=case,
                                 description=f"Demora con {tag}", received_at=now - timedelta(hours=3),
                                 response_due_at=now + timedelta(days=1), due_at=now + timedelta(days=5))
    incident = CrisisIncident.create(client=client, case=case, opened_by=owner, occurred_at=now, supervisor=owner,
                                     escalated_at=now)
    quotation = Quotation.create(client=client, number=number, valid_until=today + timedelta(days=30), status="sent")
    contract = Contract.create(client=client, quotation=quotation, start_date=today - timedelta(days=345),
                               end_date=today + timedelta(days=20), status="active")
    Task.create(title=f"Llamar a {tag}", due_on=today, owner=owner, client=client, case=case)
    deadline = Deadline.create(case=case, description=f"Contestar demanda de {tag}", responsible=owner,
                               due_at=to_utc(datetime.combine(today + timedelta(days=2), time(17))),
                               alert_from=today)
    Intervention.create(case=case, starts_at=now + timedelta(hours=1), assigned=owner, purpose=f"Visita a {tag}")
    DocumentItem.create(case=case, name=f"Poder de {tag}", status="received")
    invitation = SurveyInvitation.create(template=template, client=client, case=case, email=f"{tag}@example.com",
                                         send_on=today, expires_at=now + timedelta(days=20))
    response = SurveyResponse.create(template=template, client=client, case=case, answered_on=today,
                                     month=today.replace(day=1), has_comment=True)
    SurveyAnswer.create(response=response, question=question, value=f"Opinión de {tag}")
    notice = make_notice()
    for purpose in ("newsletter", "surveys"):
        Consent.create(client=client, purpose=purpose, granted=True, method="written", given_on=today,
                       notice=notice, notice_sha256=notice.sha256, collected_by=owner)
    return {"client": Client.get_by_id(client.id), "case": case, "complaint": complaint, "incident": incident,
            "quotation": quotation, "contract": contract, "deadline": deadline, "invitation": invitation,
            "response": response}


@pytest.fixture
def world(app, firm_today):
    with app.test_request_context():
        owner = make_user(roles=ROLES, name="Olga Todoterreno")
        template = SurveyTemplate.create(name="Satisfacción", family=4242)
        question = SurveyQuestion.create(template=template, kind="text", text="Comentarios")
        blocked = _client_with_everything(BLOCKED, 901, owner, firm_today, template, question)
        control = _client_with_everything(CONTROL, 902, owner, firm_today, template, question)
        token = create_feed(owner)
    # Blocked as the erasure service leaves it (services.privacy.erasure.block): kept, dated, out of reach.
    Client.update(blocked_on=firm_today, blocked_until=firm_today + timedelta(days=5 * 365)).where(
        Client.id == blocked["client"].id).execute()
    return {"owner": owner, "blocked": blocked, "control": control, "feed": f"/documentos/calendario/{token}.ics"}


def _markers(records) -> tuple[str, ...]:
    return (records["client"].name, records["case"].code, records["complaint"].number)


def _leaks(text: str, records, asked: str = "") -> list[str]:
    """The client's name, case code or complaint number in a page (but the text searched for, which the search box
    and the heading repeat), and links to any of its records."""
    found = [marker for marker in _markers(records) if marker != asked and marker in text]
    links = {"clientes": records["client"].id, "casos": records["case"].id, "quejas": records["complaint"].id,
             "crisis": records["incident"].id, "cotizaciones": records["quotation"].id,
             "contratos": records["contract"].id, "invitaciones": records["invitation"].id,
             "respuestas": records["response"].id}
    return found + [f"/{kind}/{row_id}" for kind, row_id in links.items()
                    if re.search(rf"/{kind}/{row_id}(?=[\"/?#])", text)]


def _lists(records) -> list[str]:
    """Every list, search and queue page (the search by every number and code the records have)."""
    client, case, complaint = records["client"], records["case"], records["complaint"]
    quotation, contract = records["quotation"], records["contract"]
    return ["/clientes", "/casos", "/quejas", "/quejas?estado=", f"/quejas?q={complaint.number}",
            f"/quejas?q={client.name.split()[1]}", "/quejas/analisis", "/crisis", "/comercial/renovaciones", "/fidelizacion/referencias",
            "/encuestas", "/encuestas/resultados/respuestas", "/encuestas/resultados/comentarios", "/mi-trabajo",
            "/casos/agenda", f"/buscar?q={client.name.split()[1]}", f"/buscar?q={case.code}",
            f"/buscar?q={complaint.number}", f"/buscar?q={quotation.code}", f"/buscar?q={contract.code}",
            f"/buscar?q={quotation.number}", "/encuestas/resultados/exportar.csv"]


def _pages(records) -> list[str]:
    """The single-object pages of one client's records."""
    client, case = records["client"], records["case"]
    meeting = Meeting.get(Meeting.client == client.id)
    entry = Interaction.get(Interaction.client == client.id)
    return [f"/clientes/{client.id}", f"/casos/{case.id}", f"/quejas/{records['complaint'].id}",
            f"/quejas/clientes/{client.id}", f"/crisis/{records['incident'].id}",
            f"/comercial/cotizaciones/{records['quotation'].id}", f"/comercial/contratos/{records['contract'].id}",
            f"/comercial/contratos/{records['contract'].id}/pdf",
            f"/fidelizacion/contratos/{records['contract'].id}/renovacion",
            f"/interacciones/{entry.id}", f"/interacciones/reuniones/{meeting.id}",
            f"/interacciones/reuniones/{meeting.id}/invitacion.ics", f"/documentos/casos/{case.id}",
            f"/documentos/casos/{case.id}/plazos", f"/encuestas/invitaciones/{records['invitation'].id}",
            f"/encuestas/resultados/respuestas/{records['response'].id}", f"/encuestas/enviar/cliente/{client.id}",
            f"/comercial/clientes/{client.id}/cotizaciones/nueva", f"/quejas/nueva?cliente={client.id}"]


def test_a_blocked_client_shows_in_no_list_search_or_work_queue_of_any_role(app, http, login_as, world, clock):
    blocked, control = world["blocked"], world["control"]
    shown = set()
    for role in ROLES:
        login_as(role)
        for url in _lists(blocked):
            answer = http.get(url, follow_redirects=True)
            assert answer.status_code in (200, 403), (role, url, answer.status_code)
            text = answer.get_data(as_text=True)
            asked = url.partition("q=")[2]
            assert not _leaks(text, blocked, asked), (role, url, _leaks(text, blocked, asked))
        for url in _lists(control):
            if _leaks(http.get(url, follow_redirects=True).get_data(as_text=True), control):
                shown.add(url)
        http.post("/salir")
    # The same pages list the control client (so the checks above can fail); Mi trabajo and the agenda are the
    # owner's (below), the analysis and the referrals name only clients with several complaints or referrals.
    assert set(_lists(control)) - shown == {"/quejas/analisis", "/fidelizacion/referencias", "/casos/agenda",
                                            "/mi-trabajo"}, set(_lists(control)) - shown

    # The one with every role and every record: Mi trabajo, the agenda and the calendar feed name only the control.
    clock.shift(timedelta(seconds=61))
    login_as(user=world["owner"])
    for url in ("/mi-trabajo", "/casos/agenda", "/encuestas/resultados/exportar.csv"):
        text = http.get(url).get_data(as_text=True)
        assert CONTROL in text and BLOCKED not in text, url
    work = http.get("/mi-trabajo").get_data(as_text=True)
    for what in ("Llamar a carla", "Contestar demanda de carla", "Visita a carla", "Poder de carla",
                 control["complaint"].number):
        assert what in work, what
    for section in ("crisis", "deadlines", "interventions", "tasks", "complaints", "documents", "questions", "renewals"):
        assert BLOCKED not in http.get(f"/mi-trabajo/{section}/mas?desde=0").get_data(as_text=True), section
    feed = http.get(world["feed"]).get_data(as_text=True)
    assert "Carla Control" in feed.replace("\r\n ", "") and "Berta" not in feed.replace("\r\n ", "")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_blocked_clients_records_answers_404_as_if_it_did_not_exist(app, http, login_as, world, role):
    login_as(role)
    for url in _pages(world["blocked"]):
        assert http.get(url).status_code in (403, 404), (role, url)


def test_the_same_pages_of_the_control_client_open_and_the_blocked_ones_are_404_to_someone_with_every_role(
        app, http, login_as, world):
    login_as(user=world["owner"])
    for blocked_url, control_url in zip(_pages(world["blocked"]), _pages(world["control"]), strict=True):
        assert http.get(control_url).status_code == 200, control_url
        assert http.get(blocked_url).status_code == 404, blocked_url
    # Writes on them are refused the same way.
    blocked = world["blocked"]
    token = http.csrf_token()
    for url in (f"/interacciones/reuniones/{Meeting.get(Meeting.client == blocked['client'].id).id}/cancelar",
                f"/fidelizacion/contratos/{blocked['contract'].id}/decision",
                f"/quejas/{blocked['complaint'].id}/responsable",
                f"/encuestas/invitaciones/{blocked['invitation'].id}/retirar",
                f"/mi-trabajo/tareas/{Task.get(Task.client == blocked['client'].id).id}/hecha"):
        assert http.post(url, data={"csrf_token": token}).status_code == 404, url


def test_a_blocked_client_is_sent_no_newsletter_survey_invitation_or_reminder(app, world, clock):
    blocked, control = world["blocked"]["client"], world["control"]["client"]
    with app.test_request_context():
        issue = NewsletterIssue.create(number=1, subject="Buenas prácticas", body="Texto", created_by=world["owner"])
        assert newsletter.send(issue, world["owner"]) == 1
        assert newsletter.subscriber_count() == 1
        assert [d.client_id for d in NewsletterDelivery.select()] == [control.id]
        assert survey_service.send_due_invitations() == 1
        clock.shift(timedelta(days=4))
        assert survey_service.send_due_reminders() == 1
    sent_to = [row.to_addr for row in OutboundEmail.select()]
    assert "carla@example.com" in sent_to and "berta@example.com" not in sent_to
    assert SurveyInvitation.get(SurveyInvitation.client == blocked.id).status == "pending"  # left as it was

"""The manual's review calendar and acknowledgements (issue 17, items 3 and 4): quality drafts a new version of
PRO 008 with its justification, management approves and publishes it, each commercial member of staff is asked by
email and in Mi trabajo to acknowledge it and does ("He leído y entiendo"); progress n of m with the names pending
and a once-a-day "Recordar"; the annual review reminder arrives through the outbox under a frozen clock; a review
records "still valid" (with the change in the law, if any) or drafts a new version; confidentiality agreements;
the quality dashboard's line; query counts constant."""

import re
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from playhouse.test_utils import count_queries

from models.audit import AuditEvent
from models.manual import ConfidentialityAgreement, ManualAck, ManualDocument, ManualReview, ManualVersion
from services import manual as service
from services.manual import follow, pro008

pytestmark = pytest.mark.usefixtures("clock")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def people(make_user):
    quality = make_user(roles=("quality",), name="Elena Gutiérrez", email="calidad@firma.test")
    boss = make_user(roles=("management",), name="Carlos Duarte", email="gerencia@firma.test")
    sellers = [make_user(roles=("commercial",), name=n, email=f"{n.split()[0].lower().replace('í', 'i')}@firma.test")
               for n in ("Laura Gómez", "Mateo Ríos", "Sofía Peña")]
    make_user(roles=("operations",), name="Otro Operativo", email="operativo@firma.test")
    make_user(roles=("commercial",), name="Ya No Está", email="inactivo@firma.test", active=False)
    return quality, boss, sellers


def _pro008(app, quality, boss):
    with app.test_request_context():
        return ManualDocument.get_by_id(pro008.load(quality, boss).id)


def _at(day: date, hour: int = 17):
    return time_machine.travel(datetime.combine(day, time(hour, 0), tzinfo=UTC), tick=True)


def _run(app):
    return app.test_cli_runner().invoke(args=["jobs", "run"])


def _new_version_of(http, boss_http, document):
    """Quality drafts, justifies and submits; management approves and publishes. Returns the new version."""
    assert http.post(f"/manual/{document.id}/versiones/nueva").status_code == 303
    version = ManualVersion.select().where(ManualVersion.document == document).order_by(ManualVersion.number.desc()).get()
    data = {**version.sections(), "change_summary": "Encuesta a los 3 días",
            "justification": "Los clientes olvidan el detalle del servicio si se les llama a los 5 días."}
    data["procedure"] = data["procedure"].replace("5 días", "3 días")
    assert http.post(f"/manual/{document.id}/versiones/{version.id}/editar", data=data).status_code == 303
    assert http.post(f"/manual/{document.id}/versiones/{version.id}/enviar").status_code == 303
    assert boss_http.post(f"/manual/{document.id}/versiones/{version.id}/aprobar").status_code == 303
    assert boss_http.post(f"/manual/{document.id}/versiones/{version.id}/publicar").status_code == 303
    return ManualVersion.get_by_id(version.id)


def test_done_when_new_pro008_acknowledged_by_commercial_staff_and_review_reminder(
        app, http, login_as, browser, people, mailbox, firm_today):
    quality, boss, sellers = people
    document = _pro008(app, quality, boss)
    login_as(user=quality)
    boss_http = browser(user=boss)
    # Quality sets the calendar: every 12 months, concerns the commercial department.
    response = http.post(f"/manual/{document.id}/calendario",
                         data={"review_months": "12", "next_review_on": "", "concerned_roles": ["commercial"]})
    assert response.status_code == 303
    document = ManualDocument.get_by_id(document.id)
    assert document.role_list == ["commercial"] and document.review_months == 12
    assert document.next_review_on == date(2025, 12, 1)  # a year after 01.12.2024, the day PRO 008 came into force
    mailbox.clear()

    version = _new_version_of(http, boss_http, document)
    assert version.state == "published" and version.published_on == firm_today
    document = ManualDocument.get_by_id(document.id)
    assert document.next_review_on == follow.add_months(firm_today, 12)
    # Each active commercial member of staff is asked, by email and in Mi trabajo; nobody else.
    acks = list(ManualAck.select().where(ManualAck.version == version.id))
    assert sorted(a.user_id for a in acks) == sorted(s.id for s in sellers)
    for seller in sellers:
        [mail] = mailbox.to(seller.email)
        assert "PRO 008" in mail["Subject"]
        assert f"/manual/{document.id}/versiones/{version.id}" in mailbox.text(mail)
    assert mailbox.to("operativo@firma.test") == [] and mailbox.to("inactivo@firma.test") == []

    laura = browser(user=sellers[0])
    work = laura.get("/mi-trabajo").get_data(as_text=True)
    assert 'id="work-reading"' in work and "Documentos por leer" in work and "PRO 008" in work
    page = laura.get(f"/manual/{document.id}/versiones/{version.id}").get_data(as_text=True)
    assert "He leído y entiendo" in page
    assert laura.post(f"/manual/{document.id}/versiones/{version.id}/leido").status_code == 303
    ack = ManualAck.get(ManualAck.version == version.id, ManualAck.user == sellers[0].id)
    assert ack.acknowledged_at is not None
    assert 'id="work-reading"' not in laura.get("/mi-trabajo").get_data(as_text=True)
    assert AuditEvent.select().where(AuditEvent.action == "manual_ack", AuditEvent.actor == sellers[0].id).count() == 1
    # Acknowledging twice changes nothing; someone not asked has nothing to acknowledge.
    laura.post(f"/manual/{document.id}/versiones/{version.id}/leido")
    assert ManualAck.get_by_id(ack.id).acknowledged_at == ack.acknowledged_at
    boss_http.post(f"/manual/{document.id}/versiones/{version.id}/leido")
    assert ManualAck.select().where(ManualAck.user == boss.id).count() == 0

    # Progress: 1 of 3, the names pending; "Recordar" mails only them, once a day.
    readers = boss_http.get(f"/manual/{document.id}/lecturas").get_data(as_text=True)
    assert "1 de 3" in readers and "Mateo Ríos" in readers and "Sofía Peña" in readers
    mailbox.clear()
    assert boss_http.post(f"/manual/{document.id}/lecturas/recordar").status_code == 303
    assert len(mailbox.to("mateo@firma.test")) == 1 and len(mailbox.to("sofia@firma.test")) == 1
    assert mailbox.to("laura@firma.test") == []
    assert boss_http.post(f"/manual/{document.id}/lecturas/recordar").status_code == 303
    assert len(mailbox.to("mateo@firma.test")) == 1  # not twice the same day
    for seller in sellers[1:]:
        assert browser(user=seller).post(f"/manual/{document.id}/versiones/{version.id}/leido").status_code == 303
    assert "3 de 3" in boss_http.get(f"/manual/{document.id}/lecturas").get_data(as_text=True)

    # The annual review reminder reaches the owner 30 and 7 days before, and on the day: once each.
    due = document.next_review_on
    mailbox.clear()
    with _at(date.fromordinal(due.toordinal() - 31)):
        assert "avisos_revision_manual: 0" in _run(app).output
    with _at(date.fromordinal(due.toordinal() - 30)):
        result = _run(app)
        assert "avisos_revision_manual: 1" in result.output, result.output
        assert "avisos_revision_manual: 0" in _run(app).output
    def reminders():
        return [m for m in mailbox.to("calidad@firma.test") if "revisión de PRO 008" in m["Subject"]]

    [reminder] = reminders()
    assert "PRO 008" in reminder["Subject"] and "30" in reminder["Subject"]
    assert f"/manual/{document.id}" in mailbox.text(reminder)
    with _at(date.fromordinal(due.toordinal() - 7)):
        assert "avisos_revision_manual: 1" in _run(app).output
    with _at(date.fromordinal(due.toordinal() + 2)):
        assert "avisos_revision_manual: 1" in _run(app).output
        assert "avisos_revision_manual: 0" in _run(app).output
        # Overdue: in the owner's Mi trabajo and on the quality dashboard.
        owner = browser(user=quality)  # a year later: signed in again
        work = owner.get("/mi-trabajo").get_data(as_text=True)
        assert 'id="work-manual_reviews"' in work and "Revisión vencida" in work
        dashboard = owner.get("/calidad").get_data(as_text=True)
        assert re.search(r'data-testid="manual-attention">.*?>1 documento del manual', dashboard, re.S)
    assert len(reminders()) == 3


def test_review_still_valid_with_a_change_in_the_law_or_a_new_version(app, http, login_as, people, firm_today):
    quality, boss, _sellers = people
    document = _pro008(app, quality, boss)
    login_as(user=quality)
    url = f"/manual/{document.id}/revisiones"
    refused = http.post(url, data={"outcome": "still_valid", "note": ""})
    assert refused.status_code == 422 and "por qué el documento sigue vigente" in refused.get_data(as_text=True)
    assert http.post(url, data={"outcome": "still_valid", "note": "Revisado con gerencia: sigue vigente.",
                                "law_change": "Ley 2300 de 2023 (contacto con deudores): no aplica."}).status_code == 303
    review = ManualReview.get()
    assert (review.outcome, review.reviewed_on, review.version_id) == ("still_valid", firm_today, document.current_id)
    assert ManualDocument.get_by_id(document.id).next_review_on == follow.add_months(firm_today, 12)
    assert "Ley 2300" in http.get(f"/manual/{document.id}").get_data(as_text=True)
    response = http.post(url, data={"outcome": "new_version", "note": "",
                                    "law_change": "Nueva ley de protección de datos."})
    assert response.status_code == 303 and "/editar" in response.headers["Location"]
    draft = ManualVersion.get(ManualVersion.document == document.id, ManualVersion.state == "draft")
    assert draft.justification == "Nueva ley de protección de datos."
    assert ManualReview.get(ManualReview.outcome == "new_version").new_version_id == draft.id
    # A second new version while one is open: refused, nothing written.
    again = http.post(url, data={"outcome": "new_version", "note": "x"})
    assert again.status_code == 409 and ManualReview.select().count() == 2


def test_plan_refuses_bad_input_beside_the_field(app, http, login_as, people):
    quality, boss, _sellers = people
    document = _pro008(app, quality, boss)
    login_as(user=quality)
    for months in ("61", "-1", "doce", ""):
        response = http.post(f"/manual/{document.id}/calendario", data={"review_months": months})
        assert response.status_code == 422, months
        assert 'id="review_months-error"' in response.get_data(as_text=True)
    bad_role = http.post(f"/manual/{document.id}/calendario", data={"review_months": "12",
                                                                     "concerned_roles": ["root"]})
    assert bad_role.status_code == 422
    assert ManualDocument.get_by_id(document.id).concerned_roles == ""
    assert http.post(f"/manual/{document.id}/calendario", data={"review_months": "0"}).status_code == 303
    assert ManualDocument.get_by_id(document.id).next_review_on is None


def test_who_may_follow_and_remind(app, http, login_as, browser, people):
    quality, boss, sellers = people
    document = _pro008(app, quality, boss)
    seller = browser(user=sellers[0])
    assert seller.get(f"/manual/{document.id}/lecturas").status_code == 403
    assert seller.post(f"/manual/{document.id}/lecturas/recordar").status_code == 403
    assert seller.post(f"/manual/{document.id}/calendario", data={"review_months": "1"}).status_code == 403
    assert seller.post(f"/manual/{document.id}/revisiones", data={"outcome": "still_valid", "note": "x"}).status_code == 403
    assert seller.get("/manual/acuerdos").status_code == 403
    assert browser(user=boss).post(f"/manual/{document.id}/calendario", data={"review_months": "1"}).status_code == 403
    assert ManualDocument.get_by_id(document.id).review_months == 12


def test_confidentiality_agreements(app, http, login_as, people, firm_today):
    quality, boss, sellers = people
    with app.test_request_context():
        policy = service.create_document({"code": "POL 001", "title": "Política de confidencialidad", "kind": "policy",
                                          "owner": quality.id, "objective": "Proteger la información.",
                                          "procedure": "1. No divulgar.", "change_summary": "Original",
                                          "justification": "Primera edición."}, quality)
        version = policy.versions.get()
        service.submit(version, quality)
        service.approve(version, boss)
        service.publish(version, boss)
    login_as(user=quality)
    form = http.get("/manual/acuerdos/nuevo").get_data(as_text=True)
    assert "POL 001" in form
    picker = re.search(r'<select[^>]*id="user".*?</select>', form, re.S).group(0)
    assert "Elena Gutiérrez" in picker and "Laura Gómez" not in picker  # the others are found by name, then sent
    base = {"kind": "staff", "user": str(sellers[0].id), "person_name": "", "organisation": "",
            "policy_version": str(version.id), "signed_on": firm_today.isoformat(),
            "consequences": "Terminación del contrato con justa causa."}
    future = http.post("/manual/acuerdos/nuevo", data={**base, "signed_on": "2099-01-01"})
    assert future.status_code == 422 and "futuro" in future.get_data(as_text=True)
    nameless = http.post("/manual/acuerdos/nuevo", data={**base, "kind": "contractor", "user": "0"})
    assert nameless.status_code == 422 and ConfidentialityAgreement.select().count() == 0
    import io

    assert http.post("/manual/acuerdos/nuevo", data={**base, "file": (io.BytesIO(PDF), "acuerdo.pdf")},
                     content_type="multipart/form-data").status_code == 303
    assert http.post("/manual/acuerdos/nuevo", data={**base, "kind": "contractor", "user": "0",
                                                     "person_name": "Andrés Vélez", "organisation": "Sistemas XYZ SAS",
                                                     "policy_version": "0"}).status_code == 303
    staff, contractor = ConfidentialityAgreement.select().order_by(ConfidentialityAgreement.id)
    assert (staff.person_name, staff.policy_id, staff.policy_version_id) == ("Laura Gómez", policy.id, version.id)
    assert staff.file_id is not None and contractor.file_id is None
    listing = http.get("/manual/acuerdos").get_data(as_text=True)
    assert "Andrés Vélez" in listing and "Sistemas XYZ SAS" in listing and "POL 001 · 000" in listing
    assert f'href="/manual/{policy.id}/versiones/{version.id}"' in listing  # the version each accepted
    assert f'href="/manual/acuerdos/{staff.id}/copia"' in listing and f"/manual/acuerdos/{contractor.id}/copia" not in listing
    download = http.get(f"/manual/acuerdos/{staff.id}/copia")
    assert download.status_code == 200 and download.data == PDF
    assert http.get(f"/manual/acuerdos/{contractor.id}/copia").status_code == 404


def test_agreements_are_paged_and_found_by_name_with_constant_queries(app, http, login_as, people, firm_today):
    quality, boss, sellers = people
    with app.test_request_context():
        policy = service.create_document({"code": "POL 001", "title": "Política", "kind": "policy", "owner": quality.id,
                                          "objective": "x", "procedure": "y", "change_summary": "Original",
                                          "justification": "z"}, quality)
        version = policy.versions.get()
        service.submit(version, quality)
        service.approve(version, boss)
        service.publish(version, boss)

    def add(n, start=0):
        ConfidentialityAgreement.insert_many([
            {"person_name": f"Contratista {i:03d}", "kind": "contractor", "organisation": f"Empresa {i % 7}",
             "policy": policy.id, "policy_version": version.id, "signed_on": firm_today, "consequences": "Falta grave."}
            for i in range(start, start + n)]).execute()

    login_as(user=quality)
    add(3)
    with count_queries() as few:
        assert http.get("/manual/acuerdos").status_code == 200
    add(120, 3)
    with count_queries() as many:
        first = http.get("/manual/acuerdos").get_data(as_text=True)
    assert many.count == few.count + 1  # a full first page is counted; a short one is its own count
    assert "Contratista 000" in first and "Contratista 049" in first and "Contratista 050" not in first
    assert f'href="/manual/{policy.id}/versiones/{version.id}"' in first and "POL 001 · 000" in first
    assert "?pagina=2" in first
    third = http.get("/manual/acuerdos?pagina=3").get_data(as_text=True)
    assert "Contratista 100" in third and "Contratista 122" in third and "Contratista 099" not in third
    found = http.get("/manual/acuerdos?q=contratista 11", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert found.startswith('<section class="card" id="agreements-list">') or 'id="agreements-list"' in found
    assert "Contratista 110" in found and "Contratista 119" in found and "Contratista 011" not in found
    assert "Contratista 012" not in found and "pagina=2" not in found
    by_company = http.get("/manual/acuerdos?q=EMPRESA 6").get_data(as_text=True)
    assert "Contratista 006" in by_company and "Contratista 013" in by_company and "Contratista 007" not in by_company
    assert "Contratista 0" not in http.get("/manual/acuerdos?q=nadie así").get_data(as_text=True)


def _acks(app, document, version, users):
    ManualAck.insert_many([{"version": version.id, "document": document.id, "user": u.id,
                            "requested_on": date(2026, 3, 1)} for u in users]).execute()


def test_query_counts_are_constant(app, http, login_as, browser, people, make_user):
    quality, boss, sellers = people
    document = _pro008(app, quality, boss)
    version = ManualVersion.get_by_id(document.current_id)
    other = _pro008_like(app, quality, boss)
    reader = make_user(roles=("commercial",), name="Lectora")
    reader_http = browser(user=reader)
    boss_http = browser(user=boss)
    _acks(app, document, version, [reader, sellers[0]])
    counts = {}
    boss_http.get("/calidad")  # the dashboard keeps the month's figures on its first view
    for label in ("one", "many"):
        with count_queries() as work:
            assert reader_http.get("/mi-trabajo").status_code == 200
        with count_queries() as readers:
            assert boss_http.get(f"/manual/{document.id}/lecturas").status_code == 200
        with count_queries() as page:
            assert boss_http.get(f"/manual/{document.id}").status_code == 200
        with count_queries() as dashboard:
            assert boss_http.get("/calidad").status_code == 200
        counts[label] = (work.count, readers.count, page.count, dashboard.count)
        if label == "many":
            break
        _acks(app, other, ManualVersion.get_by_id(other.current_id), [reader])
        _acks(app, document, version, [make_user(roles=("commercial",)) for _ in range(4)])
        ManualReview.create(document=document, version=version, reviewed_on=date(2026, 3, 1), outcome="still_valid",
                            note="Sigue.")
    assert counts["one"] == counts["many"], counts


def test_readers_are_paged_pending_first_and_found_by_name(app, http, login_as, people, make_user):
    quality, boss, sellers = people
    document = _pro008(app, quality, boss)
    version = ManualVersion.get_by_id(document.current_id)
    readers = [make_user(roles=("commercial",), name=f"Lector {i:02d}", email=f"lector{i}@firma.test") for i in range(60)]
    _acks(app, document, version, readers)
    ManualAck.update(acknowledged_at=datetime(2026, 3, 2, 15, tzinfo=UTC).replace(tzinfo=None)).where(
        ManualAck.user.in_([r.id for r in readers[:10]])).execute()
    login_as(user=boss)
    first = http.get(f"/manual/{document.id}/lecturas").get_data(as_text=True)
    assert "10 de 60" in first and 'data-testid="readers-pending">50<' in first
    assert "Lector 10" in first and "Lector 59" in first and "Lector 00" not in first  # pending first, 50 a page
    second = http.get(f"/manual/{document.id}/lecturas?pagina=2").get_data(as_text=True)
    assert "Lector 00" in second and "Lector 09" in second and "Lector 10" not in second
    found = http.get(f"/manual/{document.id}/lecturas?q=LECTOR 0", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert 'id="readers-list"' in found and "Lector 00" in found and "Lector 09" in found and "Lector 10" not in found
    assert "pagina=2" not in found
    assert "Lector" not in http.get(f"/manual/{document.id}/lecturas?q=nadie").get_data(as_text=True).split(
        'id="readers-list"')[1]


def _pro008_like(app, quality, boss):
    with app.test_request_context():
        document = service.create_document({"code": "PRO 030", "title": "Otro", "kind": "procedure",
                                            "objective": "x", "procedure": "y", "change_summary": "Original",
                                            "justification": "z"}, quality)
        version = document.versions.get()
        service.submit(version, quality)
        service.approve(version, boss)
        service.publish(version, boss)
        return ManualDocument.get_by_id(document.id)


def test_the_demo_puts_pro008_on_its_review_calendar_with_readers_and_agreements(app, http, login_as, firm_today):
    from services import demo
    from services.manual import confidentiality

    with app.test_request_context():
        demo.load()
    document = ManualDocument.get(ManualDocument.code == "PRO 008")
    assert document.review_months == 12 and set(document.role_list) == {"commercial", "service"}
    assert firm_today < document.next_review_on <= follow.add_months(firm_today, 1)  # the reminder is near
    [review] = ManualReview.select().where(ManualReview.document == document)
    assert review.outcome == "still_valid" and "Ley 2300" in review.law_change
    acks = list(ManualAck.select().where(ManualAck.version == document.current_id))
    pending = [a for a in acks if a.acknowledged_at is None]
    assert len(acks) >= 4 and 1 <= len(pending) <= 2
    policy = ManualDocument.get(ManualDocument.code == confidentiality.CODE)
    assert policy.kind == "policy" and policy.current_id is not None
    kinds = sorted(a.kind for a in ConfidentialityAgreement.select())
    assert kinds == ["contractor", "staff"]
    assert all(a.policy_version_id == policy.current_id and a.consequences for a in ConfidentialityAgreement.select())
    login_as("quality")
    readers = http.get(f"/manual/{document.id}/lecturas").get_data(as_text=True)
    assert f"{len(acks) - len(pending)} de {len(acks)}" in readers
    assert "Soporte Informático Andino SAS" in http.get("/manual/acuerdos").get_data(as_text=True)

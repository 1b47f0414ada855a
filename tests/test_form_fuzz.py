"""Every form of the app, as a person finds it on its page, submitted with each optional field left empty and
with garbage (long text, huge numbers, unicode and control characters, impossible dates, stray files), never
answers 5xx.

Per POST route of ``app.url_map`` (one test each): sign in with the roles the access matrix gives it (the
public ones stay anonymous), build the objects its pages show with ``tests.factories`` and the services, find
a page with a form posting to the route, and submit that form: as rendered with its required fields filled,
then with every field filled and each optional one emptied in turn, each named button pressed, then with
Hypothesis drawing for each field its value, nothing, an option or garbage, as a full page and under htmx.
A route whose form no page shows fails: give ``World`` the object that shows it.

One app serves the whole module (Jinja compiles each template once) over a fresh database per test.
"""

import io
import logging
import os
import shutil
import tempfile
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.exceptions import HTTPException

from app import create_app
from core.db import close_all, init_database, transaction, utcnow
from core.i18n import now_local, to_utc, today_local
from tests.conftest import PG_URL, TrazaClient, _base_overrides, _empty_pg_tables
from tests.factories import (
    PASSWORD,
    code_for,
    make_area,
    make_case,
    make_client,
    make_notice,
    make_user,
    sign_in,
)

MATRIX = yaml.safe_load((Path(__file__).parent / "access_matrix.yaml").read_text())
NOT_FORMS = {"system.csp_report": "browsers post a JSON report there, not a form",
             "clients.import_rejected": "its form is on the result of an import's upload (a POST); "
                                        "tests/clients/test_import_export.py sends it spoiled files"}
MEMORY = Path("/dev/shm")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))  # per route, after the empty fields; more locally: FUZZ_EXAMPLES=200

GARBAGE = [
    "9" * 309, "-" + "9" * 40, "1" + "0" * 18, "1e400", "-1", "0", "NaN", "Infinity", "0x1F", "١٢٣", "𝟙𝟚",
    "2024-02-30", "0000-00-00", "9999-12-31", "10000-01-01", "31/12/2024", "-2024-01-01", "24:61", "23:59:60",
    "x" * 5000, "ñ" * 2000, " ", "\t\r\n", "\u202e\u200b\ufeff", "\x1b[31m", "\x7f\x08", "<b>é</b>",
    "'; DROP TABLE client; --", "%s %d {0} {{ 7*7 }}", "../../etc/passwd", "on", "true", "[]", "null",
]
FILL = {"date": lambda: today_local().isoformat(), "time": lambda: now_local().strftime("%H:%M"),
        "email": lambda: "persona.prueba@correo.test", "tel": lambda: "+573001234567",
        "url": lambda: "https://meet.example.test/abc", "password": lambda: PASSWORD}


# ----- one app, a fresh database per test -----

@pytest.fixture(scope="module")
def fuzz_app(template_db, keys_dir, smtp_server, tmp_path_factory):
    url = PG_URL or f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'first.db'}"
    if not PG_URL:
        shutil.copyfile(template_db, url.removeprefix("sqlite:///"))
    application = create_app(_base_overrides(keys_dir, smtp_server[1], url))
    application.test_client_class = TrazaClient
    yield application
    close_all()


@pytest.fixture
def fresh(fuzz_app, template_db, tmp_path):
    folder = tmp_path
    if PG_URL:
        init_database(PG_URL)
        _empty_pg_tables()
    else:
        if MEMORY.is_dir():  # the copy in memory: a hundred worlds of small commits, each fsync'd on disk, are slow
            folder = Path(tempfile.mkdtemp(dir=MEMORY, prefix="traza-fuzz-"))
        shutil.copyfile(template_db, folder / "traza.db")
        init_database(f"sqlite:///{folder / 'traza.db'}")
    yield fuzz_app
    close_all()
    if folder != tmp_path:
        shutil.rmtree(folder)


@pytest.fixture
def crashes(fuzz_app):
    """The tracebacks the error handler logs, to show beside a 5xx."""
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(self.format(record))

    handler = Keep(level=logging.ERROR)
    fuzz_app.logger.addHandler(handler)
    yield seen
    fuzz_app.logger.removeHandler(handler)


# ----- the firm: every object a form is about, made on first use -----

class World:
    """Built lazily, inside a request context, with ``me`` responsible for everything."""

    def __init__(self, me, skip=()):
        self.me, self.skip = me, set(skip)
        self.today = today_local()

    def __getattribute__(self, name):
        if name in object.__getattribute__(self, "__dict__").get("skip", ()):
            raise LookupError(f"{name} is left out for this route")
        return object.__getattribute__(self, name)

    @property
    def indicator_key(self):
        """A quality indicator's page (its target form)."""
        return "satisfaccion"

    @cached_property
    def colleague(self):
        """On the case team, signed in elsewhere (a session to end), one failed password behind (to unlock)."""
        from core import auth
        from models.users import UserSession

        user = make_user(roles=("operations", "service", "quality"), name="Laura Gómez")
        auth.start_session(user, UserSession.STAGE_ACTIVE)
        auth.register_login_failure(user)
        return user

    @cached_property
    def inactive(self):
        from services.admin import accounts

        user = make_user(roles=("service",), name="Antiguo Empleado")
        accounts.deactivate(user, self.me)
        return user

    @cached_property
    def reset_token(self):
        from services.auth import password_reset

        with transaction():
            return password_reset._new_link(self.colleague).rsplit("/", 1)[1]

    @cached_property
    def no_totp(self):
        return make_user(roles=("service",), totp=False, name="Sin Autenticador")

    @cached_property
    def activation_token(self):
        from services.admin import accounts

        _user, link = accounts.invite("nuevo.ingreso@firma.test", "Nuevo Ingreso", ["service"], actor=self.me, send=False)
        return link.rsplit("/", 1)[1]

    @cached_property
    def pending(self):
        from models.users import User

        assert self.activation_token
        return User.by_email("nuevo.ingreso@firma.test")

    @cached_property
    def area(self):
        from services import documents

        area = make_area()
        documents.add_suggested(area, self.me)
        make_notice()
        return area

    @cached_property
    def empty_area(self):
        """An area with no required documents yet (its page offers the usual ones)."""
        return make_area("Derecho de familia")

    @cached_property
    def requirement(self):
        from models.documents import RequirementTemplate

        return RequirementTemplate.select().where(RequirementTemplate.practice_area == self.area.id).first()

    def _client(self, n, **extra):
        return make_client(self.me, name=f"Cliente Prueba {n}", document_number=f"5212345{n}",
                           email=f"cliente{n}@correo.test", practice_area=self.area.id, responsible=self.me.id, **extra)

    def _accepted(self, n):
        from services import clients

        client = self._client(n)
        clients.transition(client, "evaluating", "Consulta inicial", self.me)
        clients.decide_conflicts(client, "clear", "Sin relación con las partes.", self.me)
        clients.save_evaluation(client, {"specialty_fit": True, "viability_notes": "Viable.",
                                         "consultation_at": utcnow() - timedelta(days=2), "consultation_mode": "video",
                                         "attendees": "Cliente", "consultation_notes": "Notas.",
                                         "expectations": "Propuesta."}, self.me)
        for item in ("identity_document", "case_authenticity", "power_of_attorney"):
            clients.record_verification(client, item, "verified", "", self.me)
        clients.record_consent(client, ["service", "surveys", "sensitive_data"], "written", self.today, "Formulario", self.me)
        clients.transition(client, "accepted", "Caso viable", self.me)
        return client

    @cached_property
    def prospect(self):
        from services import clients

        client = self._client(1, counterparties=[{"name": "Constructora Andina S.A.S.", "kind": "counterparty",
                                                  "document_type": "NIT", "document_number": "9001234568"}])
        clients.transition(client, "evaluating", "Consulta inicial", self.me)
        return client

    def _quotation(self, client, *steps):
        from services import commercial

        quotation = commercial.create_quotation(client, {"valid_until": self.today + timedelta(days=30), "notes": ""}, [
            {"service": "Consulta", "quantity": Decimal("1"), "unit_price": Decimal("450000"),
             "tax_rate": Decimal("19")}], "COP", self.me)
        for step in steps:
            commercial.change_quotation(quotation, step, "", self.me, self.today)
        return quotation

    def _contract(self, quotation):
        from services import commercial

        return commercial.create_contract(quotation, {
            "conditions": "Servicios jurídicos.", "frequency": "monthly", "duration_months": 12,
            "start_date": self.today, "end_date": self.today + timedelta(days=365), "firm_duties": "Atender.",
            "client_duties": "Pagar.", "signed_on": self.today, "signer": "Cliente", "renews": None}, self.me)

    @cached_property
    def accepted(self):
        return self._accepted(2)

    @cached_property
    def accepted_quotation(self):
        return self._quotation(self.accepted, "sent", "accepted")

    @cached_property
    def sent_quotation(self):
        assert self.accepted_quotation  # accepted first: accepting later would supersede it
        return self._quotation(self.accepted, "sent")

    @cached_property
    def draft_quotation(self):
        assert self.sent_quotation
        return self._quotation(self.accepted, )

    @cached_property
    def draft_contract(self):
        return self._contract(self._quotation(self._accepted(3), "sent", "accepted"))

    @cached_property
    def active(self):
        return self.active_contract.client

    @cached_property
    def active_contract(self):
        from services import commercial

        contract = self._contract(self._quotation(self._accepted(4), "sent", "accepted"))
        commercial.activate_contract(contract, self.me)
        return contract

    @cached_property
    def case(self):
        from services import cases

        case = make_case(client=self.active, responsible=self.me, team=[self.colleague], today=self.today)
        cases.change_status(case, "in_progress", "", self.me, self.today)
        cases.add_party(case, "counterparty", "Constructora Andina S.A.S.", "Contraparte", self.me)
        return case

    @cached_property
    def evidence(self):
        from services import cases

        return cases.add_evidence(self.case, "document", "Correos con la contraparte", self.me)

    @cached_property
    def intervention(self):
        from services import cases

        starts = to_utc(datetime.combine(self.today + timedelta(days=2), time(10, 0)))
        return cases.plan_intervention(self.case, {"starts_at": starts, "duration_minutes": 60, "assigned": self.me,
                                                   "place": "Oficina", "purpose": "Revisión de documentos"}, self.me)

    @cached_property
    def delivery(self):
        from services import cases

        return cases.add_delivery(self.case, {"kind": "agreement", "description": "Copia del acta"}, self.me)

    @cached_property
    def item(self):
        """A document of the checklist, with a file uploaded (so it can be reviewed)."""
        from werkzeug.datastructures import FileStorage

        from models.documents import DocumentItem
        from services import documents

        item = DocumentItem.select().where(DocumentItem.case == self.case.id).first()
        documents.upload(item, self.case, FileStorage(io.BytesIO(PDF), "poder.pdf", content_type="application/pdf"),
                         "", self.me)
        return item

    @cached_property
    def deadline(self):
        from services.documents import calendar, deadlines

        return deadlines.add_deadline(self.case, {
            "description": "Contestar la demanda", "kind": "procedural", "due_time": time(17, 0),
            "due_on": calendar.add_business_days(self.today, 5, "CO"), "responsible": self.me, "offsets": [7, 1]}, self.me)

    @cached_property
    def holiday(self):
        from services.documents import deadlines

        return deadlines.add_holiday("CO", self.today.replace(month=7, day=15), "Fiesta de prueba", self.me)

    @cached_property
    def question(self):
        from services import interactions

        return interactions.log(self.active, {
            "occurred_at": utcnow() - timedelta(hours=1), "channel": "phone", "direction": "in", "kind": "question",
            "summary": "Pregunta por la audiencia.", "confidential": False,
            "follow_up_on": self.today + timedelta(days=3), "follow_up_owner": self.me.id}, self.me, case=self.case)

    @cached_property
    def meeting(self):
        from services import interactions

        return interactions.schedule_meeting(self.active, {
            "starts_at": utcnow() + timedelta(days=5), "duration_minutes": 60, "channel": "video",
            "location": "https://meet.example.test/abc", "agenda": "Revisar la estrategia.", "recording": False,
            "recording_consent": False, "case": None}, self.me)[0]

    @cached_property
    def survey_template(self):
        from services import surveys

        return surveys.default_template(self.me)

    @cached_property
    def invitation(self):
        from services import surveys

        return surveys.invite(self.active, self.case, self.survey_template, email="", actor=self.me)

    @cached_property
    def survey_token(self):
        from services import surveys

        with transaction():
            return surveys.issue_link(self.invitation, "manual")

    def _complaint(self, *steps):
        from services import complaints

        complaint = complaints.open_complaint(kind="complaint", description="No le responden los correos.",
                                              owner=self.me, client=self.active, actor=self.me)
        for step in steps:
            if step == "analysis_saved":
                complaints.save_analysis(complaint, "Agenda sin revisar.", "Se llamó al cliente.", self.me)
            elif step == "informed":
                complaints.record_informed(complaint, utcnow(), "phone", "agreed", self.me)
            else:
                complaints.change_status(complaint, step, self.me)
        return complaint

    @cached_property
    def received(self):
        return self._complaint()

    @cached_property
    def in_analysis(self):
        return self._complaint("analysis")

    @cached_property
    def resolved(self):
        return self._complaint("analysis", "analysis_saved", "resolved")

    @cached_property
    def closed(self):
        return self._complaint("analysis", "analysis_saved", "resolved", "informed", "closed")

    def _action(self, *steps):
        from services.quality import actions

        action = actions.open_action(title="Llamadas sin devolver", description="Nadie devolvió las llamadas.",
                                     owner=self.me, due_on=self.today, user=self.me)
        if steps:
            actions.save_plan(action, {"cause_analysis": "Sin turno.", "corrective_action": "Turno fijo."},
                              self.me.id, self.today, self.me)
        for step in steps:
            actions.change_status(action, step, self.me)
        return action

    @cached_property
    def improvement(self):
        return self._action()

    @cached_property
    def verifying_action(self):
        return self._action("in_progress", "verifying")

    @cached_property
    def quality_note(self):
        from services.quality import notes

        return notes.publish(title="Resultados del mes", body="La satisfacción subió.", user=self.me,
                             period_start=self.today.replace(day=1), period_end=self.today, indicator="satisfaccion")

    @cached_property
    def draft_review(self):
        from services.quality import reviews

        start, end = reviews.default_period(self.today)
        return reviews.create(start, end, self.me, self.today, {"procedure_changes": "PRO-008 v3."})

    @cached_property
    def dsr(self):
        """A data-subject request just received, assigned to me (issue 19)."""
        from services import privacy

        return privacy.register(self.active, {"kind": "query", "channel": "email", "received_on": self.today,
                                              "message": "¿Qué datos míos tienen?", "identity_method": "pending",
                                              "identity_notes": "", "assignee": self.me.id}, self.me)

    @cached_property
    def dsr_identified(self):
        """An access request whose requester's identity was checked: its page offers the access export."""
        from services import privacy

        return privacy.register(self.active, {"kind": "query", "channel": "phone", "received_on": self.today,
                                              "message": "Quiero una copia de mis datos.",
                                              "identity_method": "registered_contact", "identity_notes": "",
                                              "assignee": self.me.id}, self.me)

    @cached_property
    def former_client(self):
        """A rejected prospect, nothing holding it: its "Supresión o bloqueo" page offers the form (issue 19)."""
        from services import clients

        client = self._client(8)
        clients.transition(client, "rejected", "Fuera del alcance de la firma", self.me)
        return client

    @cached_property
    def retention_due(self):
        """A rejected prospect the retention job listed: the retention review shows its approve and set-aside forms."""
        from models.privacy import RetentionDue
        from services import clients

        client = self._client(9)
        clients.transition(client, "rejected", "Sin respuesta", self.me)
        return RetentionDue.create(client=client, category="rejected_prospect", due_on=self.today)

    @cached_property
    def newsletter_draft(self):
        """A newsletter issue in draft, with a quality note offered as content: its edit form and its test and send
        buttons (issue 18)."""
        from services.loyalty import newsletter
        from services.quality import notes

        notes.publish(title="Respuesta más rápida", body="Interno.", period_start=self.today - timedelta(days=30),
                      period_end=self.today, user=self.me, client_summary="Respondemos en 24 horas.",
                      for_newsletter=True)
        return newsletter.create("Boletín de prueba", "Conserve **todo** contrato.", self.me)

    @cached_property
    def newsletter_token(self):
        """An unsubscribe link of a sent issue, as the active client received it: its page's confirm button."""
        from models.loyalty import NewsletterDelivery, NewsletterIssue
        from services.loyalty import newsletter

        issue = NewsletterIssue.create(number=900, subject="Boletín enviado", body="Texto.", status="sent")
        delivery = NewsletterDelivery.create(issue=issue, client=self.active, email=self.active.email or "a@b.test",
                                             message_id="00000000-0000-0000-0000-000000000900")
        return newsletter.token_for(delivery.id)

    @cached_property
    def post_case_task(self):
        """A contact after the case due today, mine: Mi trabajo shows its outcome form (issue 18)."""
        from models.tasks import Task

        return Task.create(kind="post_case", title="Contacto post-servicio (3 meses)", due_on=self.today,
                           owner=self.me, case=self.case, client=self.active, created_by=self.me)

    @cached_property
    def referral(self):
        """A client the accepted client referred, now a client: the referrals page shows its thanks form."""
        from models.clients import Client

        client = self._client(9, referred_by=self.accepted.id)
        Client.update(status="active").where(Client.id == client.id).execute()
        return client

    @cached_property
    def benefit_rule(self):
        """A referrer rule the accepted client qualifies for (its referral became a client): the draft quotation
        offers "Aplicar beneficio" and the rules page its switch (issue 18)."""
        from models.benefits import BenefitRule

        assert self.referral
        return BenefitRule.create(name="Embajador", kind="discount", percent=Decimal("5"), basis="referrals",
                                  threshold=1, created_by=self.me)

    @cached_property
    def access_review(self):
        """An access review just opened (SECURITY.md A6): its lines' decision forms and its sign-off."""
        from services.privacy import access_review

        start, end = access_review.default_period(self.today)
        return access_review.open_review(start, end, self.me)

    @cached_property
    def access_review_line(self):
        from services.privacy import access_review

        return access_review.lines(self.access_review)[0]

    # ----- the procedures manual (issue 17): a document in each state of its latest version -----

    @cached_property
    def manual_boss(self):
        return make_user(roles=("management",), name="Gerencia del Manual")

    def _manual(self, code, *steps, then=()):
        """A document whose first version went through ``steps``; with ``then``, a second version through those."""
        from services import manual

        do = {"submit": lambda v: manual.submit(v, self.me), "approve": lambda v: manual.approve(v, self.manual_boss),
              "publish": lambda v: manual.publish(v, self.manual_boss)}
        document = manual.create_document({"code": code, "title": "Procedimiento", "kind": "procedure",
                                           "objective": "Atender.", "procedure": "1. Registrar.",
                                           "change_summary": "Original", "justification": "Primera edición."}, self.me)
        version = document.versions.get()
        for step in steps:
            do[step](version)
        if then:
            version = manual.new_version(type(document).get_by_id(document.id), self.me)
            manual.save_draft(version, {**version.sections(), "change_summary": "Cambio", "justification": "Porque sí."},
                              self.me)
            for step in then:
                do[step](version)
        return type(document).get_by_id(document.id), version

    @cached_property
    def manual_drafted(self):
        """A first draft with a template attached: edit, send for review, attach, remove."""
        from services import manual

        document, version = self._manual("FOR 900")
        manual.attach(version, "Formato", (b"%PDF-1.4\n%%EOF\n", "application/pdf", "formato.pdf"), self.me)
        return document

    @cached_property
    def manual_draft_version(self):
        return self.manual_drafted.versions.get()

    @cached_property
    def manual_in_review(self):
        """Version 000 published, 001 in review: approve, send back; withdraw the one in force."""
        document, version = self._manual("PRO 901", "submit", "approve", "publish", then=("submit",))
        self.__dict__["manual_review_version"] = version
        return document

    @cached_property
    def manual_review_version(self):
        self.manual_in_review  # noqa: B018 — made with the document
        return self.__dict__["manual_review_version"]

    @cached_property
    def manual_approved(self):
        """A first version approved: publish or withdraw."""
        return self._manual("PRO 902", "submit", "approve")[0]

    @cached_property
    def manual_published(self):
        """Only a published version: draft a new one, withdraw."""
        return self._manual("PRO 903", "submit", "approve", "publish")[0]

    @cached_property
    def training_past(self):
        """A simulation held yesterday on a document in force, two attendees: its attendance and evaluation form
        (issue 17 item 5)."""
        from services.manual import training

        return training.plan({"topic": "Simulación: cliente en crisis", "kind": "simulation",
                              "document": self.manual_published.id, "trainer": self.me.id,
                              "day": self.today - timedelta(days=1), "time": time(9), "duration_minutes": 60,
                              "pass_mark": 70, "scenario": "Un cliente alterado.",
                              "attendees": [self.me.id, self.colleague.id]}, self.me)

    @cached_property
    def manual_feedback_document(self):
        """A document in force that I own, with open feedback and its next version drafted: the settle form (issue 17
        item 6)."""
        from services import manual
        from services.manual import feedback

        document = self._manual("PRO 904", "submit", "approve", "publish")[0]
        type(document).update(owner=self.me.id).where(type(document).id == document.id).execute()
        document = type(document).get_by_id(document.id)
        feedback.send(document, {"what": "No se entiende el paso 2.", "section": "procedure"}, self.colleague)
        manual.new_version(document, self.me)
        return document

    @cached_property
    def manual_reading(self):
        """Me asked to read the published document's version in force (its "He leído y entiendo" button, and the
        readers page's "Recordar"), and a confidentiality agreement (issue 17, items 3 and 4)."""
        from models.manual import ConfidentialityAgreement, ManualAck

        document = self.manual_published
        ConfidentialityAgreement.create(person_name="Andrés Vélez", kind="contractor", signed_on=self.today)
        return ManualAck.create(version=document.current_id, document=document, user=self.me, requested_on=self.today)

    @cached_property
    def category(self):
        from services import complaints

        return complaints.add_category("Facturación y cobros", self.me)

    @cached_property
    def incident(self):
        from services.complaints import crisis

        return crisis.open_incident(self.active, self.me, channel="phone")

    @cached_property
    def escalated(self):
        """An incident a colleague handed to me: I record my intervention."""
        from services.complaints import crisis

        incident = crisis.open_incident(self.active, self.colleague, channel="in_person")
        crisis.escalate(incident, self.me, self.colleague)
        return incident

    @cached_property
    def feed(self):
        from services.documents import deadlines

        return deadlines.create_feed(self.me)


# The objects a page's URL can be about, by argument (a page is tried with each); (endpoint, argument) first.
ARGUMENTS = {
    ("auth.activate", "token"): ["activation_token"], ("auth.reset_password", "token"): ["reset_token"],
    ("surveys.edit_template", "template_id"): ["survey_template"],
    "token": ["survey_token"], "user_id": ["colleague", "pending", "inactive"],
    "client_id": ["prospect", "accepted", "active"], "case_id": ["case"],
    "quotation_id": ["draft_quotation", "sent_quotation", "accepted_quotation"],
    "contract_id": ["draft_contract", "active_contract"], "intervention_id": ["intervention"],
    "meeting_id": ["meeting"], "incident_id": ["incident", "escalated"], "invitation_id": ["invitation"],
    "complaint_id": ["received", "in_analysis", "resolved", "closed"],
    "action_id": ["improvement", "verifying_action"], ("quality.indicator", "key"): ["indicator_key"],
    "note_id": ["quality_note"], "review_id": ["draft_review"], "dsr_id": ["dsr", "dsr_identified"],
    ("privacy.access_review", "review_id"): ["access_review"],
    ("privacy.access_review_line", "review_id"): ["access_review"],
    ("privacy.access_review_line", "line_id"): ["access_review_line"],
    ("privacy.access_review_sign", "review_id"): ["access_review"], "task_id": ["post_case_task"],
    "issue_id": ["newsletter_draft"], ("loyalty_public.unsubscribe_page", "token"): ["newsletter_token"],
    ("privacy.client_erasure", "client_id"): ["former_client"],
    "document_id": ["manual_drafted", "manual_in_review", "manual_approved", "manual_published"],
    ("manual.version", "document_id"): ["manual_in_review"], ("manual.version", "version_id"): ["manual_review_version"],
    ("manual.version_edit", "document_id"): ["manual_drafted"],
    ("manual.version_edit", "version_id"): ["manual_draft_version"],
    "training_id": ["training_past"], ("manual.feedback_new", "document_id"): ["manual_published"],
    ("manual.feedback_list", "document_id"): ["manual_feedback_document"],
}
# Objects no URL names that still put forms on pages (tasks, deadlines, holidays, feeds, ...).
ALSO_SHOWN = ("manual_reading", "benefit_rule", "referral", "retention_due", "post_case_task", "access_review", "evidence", "intervention", "delivery", "item", "deadline", "holiday", "question", "meeting", "invitation",
              "category", "incident", "escalated", "feed", "requirement", "empty_area", "no_totp", "inactive")
NOT_PAGES = ("static", "manual.agreement_file", "system.healthz", "auth.keepalive", "clients.export", "clients.import_template",
             "clients.download_file", "commercial.quotation_pdf", "commercial.contract_pdf", "interactions.meeting_ics", "interactions.reveal",
             "documents.download", "documents.feed", "surveys.results_export", "surveys.response", "quality.review_pdf",
             "reports.client_trace_pdf", "reports.case_trace_pdf")
# Pages whose query string shows other forms (formatted with the world's objects).
QUERIES = {"documents.templates": ["", "editar={requirement.id}", "area={empty_area.id}"]}
# Objects left out for a route whose form shows only without them.
SKIP = {"surveys.create_default": ("survey_template", "invitation", "survey_token")}


def _value(world, name):
    obj = getattr(world, name)
    return obj if isinstance(obj, str) else obj.id


class _Named(dict):
    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, name):
        return getattr(self.world, name)


def _pages(app, world, problems):
    """Every page a person can open (endpoint, {argument: world name}, query, URL), about each object of the
    world; an object that cannot be made for this person is noted in ``problems`` and its pages left out."""
    from flask import url_for

    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        choices = [{}]
        for argument in rule.arguments:
            names = ARGUMENTS.get((rule.endpoint, argument)) or ARGUMENTS.get(argument) or []
            choices = [{**c, argument: name} for c in choices for name in names]
        for choice in choices:
            try:
                values = {argument: _value(world, name) for argument, name in choice.items()}
                queries = [q.format_map(_Named(world)) for q in QUERIES.get(rule.endpoint, [""])]
            except Exception as exc:  # noqa: BLE001 — said in the message when the route's form is not found
                problems.append(f"{rule.endpoint} {choice}: {exc!r}")
                continue
            with app.test_request_context():
                base = url_for(rule.endpoint, **values)
            for template, query in zip(QUERIES.get(rule.endpoint, [""]), queries, strict=True):
                pages.append((rule.endpoint, choice, template, base + (f"?{query}" if query else "")))
    return pages


# ----- reading the forms of a page -----

class Forms(HTMLParser):
    """The POST forms of a page: action, and per field its kind, options, rendered value and required flag."""

    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url, self.forms, self.form, self.select, self.textarea = page_url, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self.form = {"action": a.get("action") or self.page_url, "fields": {}, "buttons": []}
                self.forms.append(self.form)
            return
        if self.form is None or not a.get("name"):
            if tag == "option" and self.select is not None:
                self._option(a)
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                self.form["buttons"].append((name, a.get("value", "")))
                return
            field = self.form["fields"].setdefault(name, {"kind": kind, "options": [], "value": None, "min": a.get("min"),
                                                          "required": "required" in a, "accept": a.get("accept")})
            if kind in ("checkbox", "radio"):
                field["options"].append(a.get("value", "on"))
                if "checked" in a:
                    field["value"] = (field["value"] or []) + [a.get("value", "on")] if kind == "checkbox" else a.get("value", "on")
            else:
                field["value"] = a.get("value", "")
        elif tag == "select":
            self.select = self.form["fields"].setdefault(name, {"kind": "select", "options": [], "value": None,
                                                                "required": "required" in a, "multiple": "multiple" in a})
        elif tag == "textarea":
            self.textarea = self.form["fields"].setdefault(name, {"kind": "textarea", "options": [], "value": "",
                                                                  "required": "required" in a})
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            self.form["buttons"].append((name, a.get("value", "")))
        if tag == "option" and self.select is not None:
            self._option(a)

    def _option(self, a):
        value = a.get("value", "")
        self.select["options"].append(value)
        if "selected" in a:
            self.select["value"] = (self.select["value"] or []) + [value] if self.select.get("multiple") else value

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            text = self.textarea["value"]  # HTML drops the line break right after <textarea>
            self.textarea["value"] = text[2:] if text.startswith("\r\n") else text[1:] if text.startswith("\n") else text
            self.textarea = None


def _forms_on(app, http, url):
    response = http.get(url)
    if response.status_code != 200 or not response.mimetype == "text/html":
        return []
    parser = Forms(url)
    parser.feed(response.get_data(as_text=True))
    adapter = app.url_map.bind("localhost")
    found = []
    for form in parser.forms:
        try:
            endpoint, _args = adapter.match(urlsplit(form["action"]).path, method="POST")
        except HTTPException:
            continue
        found.append((endpoint, form))
    return found


# ----- what is submitted -----

KEEP, OMIT = object(), object()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSV = b"nombre,tipo_documento,numero_documento,correo\nAna Ruiz,CC,52123499,ana.ruiz@correo.test\n"


def _rendered(field):
    value = field["value"]
    if field["kind"] in ("select", "radio") and value is None and field["options"]:
        return field["options"][0]
    return value


def _filled(field):
    """A plausible value for a field (what it shows, else its first real option, else one of its type)."""
    current = _rendered(field)
    if current not in (None, "", [], "0"):
        return current
    if field["kind"] == "file":
        return (CSV, "clientes.csv") if "csv" in (field.get("accept") or "") else (PDF, "documento.pdf")
    if field["options"]:
        real = [o for o in field["options"] if o not in ("", "0")] or field["options"]
        return [real[0]] if field["kind"] == "checkbox" else real[0]
    if field["kind"] == "number":
        return field.get("min") or "1"
    return FILL.get(field["kind"], lambda: "Texto de prueba bastante claro")()


def _baseline(form, every_field):
    """The form as rendered with its required fields filled, or with every field filled."""
    data = {}
    for name, field in form["fields"].items():
        value = _filled(field) if (every_field or field["required"]) else _rendered(field)
        if value not in (None, [], ""):
            data[name] = value
    return data


def _optional(form):
    return [n for n, f in form["fields"].items() if f["kind"] != "hidden" and not f["required"]]


class Target:
    """The route under test: who submits its form, the world its pages show, and the form itself."""

    def __init__(self, app, endpoint, crashes):
        self.app, self.endpoint, self.crashes = app, endpoint, crashes
        allowed = MATRIX[endpoint]
        self.public = allowed == "public"
        roles = ("commercial",) if allowed in ("signed_in", "public") else tuple(allowed)
        with app.test_request_context():
            self.me = make_user(roles=("management",) if self.public else roles, name="Persona Que Prueba")
            self.world = World(self.me, skip=SKIP.get(endpoint, ()))
        self.http = app.test_client()
        if endpoint in ("auth.end_one_session", "auth.end_other_sessions"):  # another session of mine to end (the
            other = app.test_client()  # previous TOTP step: each step is accepted once)
            other.post("/entrar", data={"email": self.me.email, "password": PASSWORD})
            assert other.post("/entrar/verificacion", data={"code": code_for(self.me, offset_steps=-1)}).status_code == 303
        if not self.public:
            sign_in(self.http, self.me)
        elif endpoint in ("auth.verify", "auth.enrol"):  # the password step done, the second one asked
            with app.test_request_context():
                user = self.me if endpoint == "auth.verify" else self.world.no_totp
            response = self.http.post("/entrar", data={"email": user.email, "password": user.plain_password})
            assert response.status_code == 303

    def build_all(self, problems):
        with self.app.test_request_context():
            for name in ALSO_SHOWN:
                try:
                    getattr(self.world, name)
                except Exception as exc:  # noqa: BLE001 — said in the message when the form is not found
                    problems.append(f"{name}: {exc!r}")

    def find_form(self):
        """The form on the page that showed it before; else every page is read (what each shows is noted for
        the next routes) and the first that shows it is kept. A page about no object in particular (a list, a
        catalog, a new record) gets the whole world: its options and rows are the objects."""
        problems = []
        host = HOSTS.get(self.endpoint)
        if host:
            if not host[1]:
                self.build_all(problems)
            form = self._form_on(host)
            if form is None and host[1]:  # it shows objects its URL does not name (a row's button)
                self.build_all(problems)
                form = self._form_on(host)
            if form is not None:
                return form
        self.build_all(problems)
        with self.app.test_request_context():
            pages = _pages(self.app, self.world, problems)
        found = None
        for page_endpoint, names, query, url in pages:
            for endpoint, form in _forms_on(self.app, self.http, url):
                HOSTS.setdefault(endpoint, (page_endpoint, names, query))
                if endpoint == self.endpoint and found is None:
                    HOSTS[endpoint], found = (page_endpoint, names, query), form
        assert found is not None, (f"no page shows a form posting to {self.endpoint}: give World the object that "
                                   f"shows it", problems)
        return found

    def _form_on(self, host):
        from flask import url_for

        page_endpoint, names, query = host
        with self.app.test_request_context():
            try:
                values = {argument: _value(self.world, name) for argument, name in names.items()}
                query = query.format_map(_Named(self.world))
            except LookupError:
                return None
            url = url_for(page_endpoint, **values) + (f"?{query}" if query else "")
        return next((form for endpoint, form in _forms_on(self.app, self.http, url) if endpoint == self.endpoint), None)

    def submit(self, form, data, htmx=False):
        before = len(self.crashes)
        sent = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v for k, v in data.items()}
        response = self.http.post(form["action"], data=sent, headers={"HX-Request": "true"} if htmx else {})
        shown = {k: (v[:60] + "…" if isinstance(v, str | bytes) and len(v) > 60 else v) for k, v in data.items()}
        assert response.status_code < 500, (self.endpoint, form["action"], shown, htmx,
                                            "\n".join(self.crashes[before:])[-3000:])
        return response


HOSTS: dict[str, tuple] = {}  # endpoint → (page endpoint, {argument: world name}, query), learnt as pages are read


def _post_routes():
    app = create_app({"INSTANCE_PATH": "/tmp/traza-fuzz-inventory", "DATABASE_URL": "sqlite:////tmp/traza-fuzz-inventory/x.db"})
    return sorted(r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods and r.endpoint not in NOT_FORMS)


def _garbage():
    return st.one_of(st.sampled_from(GARBAGE), st.text(max_size=40), st.integers().map(str),
                     st.dates().map(lambda d: d.isoformat()), st.binary(max_size=20).map(lambda b: b.decode("latin-1")))


def _draw_for(field):
    choices = [st.just(KEEP), st.just(""), st.just(OMIT), _garbage()]
    if field["options"]:
        choices.append(st.sampled_from(field["options"]))
    if field["kind"] == "file":
        choices.append(st.tuples(st.one_of(st.binary(max_size=64), st.binary(max_size=64).map(lambda b: PDF[:8] + b)),
                                 st.sampled_from(["a.pdf", "b.png", "c.jpg", "d.csv", "e.exe", "", "../f.pdf"])))
    return st.one_of(*choices)


@pytest.mark.parametrize("endpoint", _post_routes())
def test_no_form_answers_5xx_whatever_is_typed(fresh, crashes, endpoint):
    target = Target(fresh, endpoint, crashes)
    form = target.find_form()
    with fresh.app_context():  # dates and times are the firm's
        full, minimal = _baseline(form, every_field=True), _baseline(form, every_field=False)
    target.submit(form, minimal)
    for name in _optional(form):
        target.submit(form, {**{k: v for k, v in full.items() if k != name}, name: ""})
    for name, value in form["buttons"]:
        target.submit(form, {**full, name: value})

    fields = {name: field for name, field in form["fields"].items() if name != "csrf_token"}
    buttons = sorted({name for name, _value in form["buttons"]})

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.data_too_large])
    @given(st.fixed_dictionaries({name: _draw_for(field) for name, field in fields.items()}),
           st.sets(st.sampled_from(buttons)) if buttons else st.just(set()), st.booleans())
    def garbage(drawn, pressed, htmx):
        data = dict(full)
        for name, value in drawn.items():
            if value is OMIT:
                data.pop(name, None)
            elif value is not KEEP:
                data[name] = value
        data.update({name: "1" for name in pressed})
        target.submit(form, data, htmx=htmx)

    garbage()

"""The demo firm that `make run` loads: a Spanish-speaking law and advisory firm, the same every time.

One account per role with a documented password; each sets up its authenticator at first sign-in.
More staff, some still awaiting activation, make the administration screens look like a real firm.
"""

from datetime import timedelta

from faker import Faker

from core import audit, auth
from core.db import transaction, utcnow
from core.guard import ROLES
from models.users import User
from services.demo import benefits as benefit_demo
from services.demo import matters
from services.demo.matters import PRACTICE_AREAS

DEMO_PASSWORD = "Cafetal-Andino-2026"  # noqa: S105 (documented demo credential)
DOMAIN = "duarte-asociados.test"

DEMO_ACCOUNTS = (
    ("admin", "admin", "Administración del sistema"),
    ("gerencia", "management", "Gerencia General"),
    ("comercial", "commercial", "Departamento Comercial"),
    ("operaciones", "operations", "Departamento Operativo"),
    ("atencion", "service", "Atención al Cliente"),
    ("calidad", "quality", "Responsable del SGC"),
)

EXTRA_STAFF = 14

# Colombian mobile prefixes that numbering plan accepts (306–309 are not assigned: the intake refuses them).
MOBILE_PREFIXES = (300, 301, 302, 304, 305, 310, 311, 312, 313, 314, 315, 316, 317, 318, 319, 320, 321)


def has_data() -> bool:
    return User.select().exists()


def _faker() -> Faker:
    fake = Faker("es_CO")
    fake.seed_instance(8008)
    return fake


def load() -> list[str]:
    fake = _faker()
    lines = []
    with transaction():
        accounts = {}
        for local, role, _label in DEMO_ACCOUNTS:
            user = User.create(email=f"{local}@{DOMAIN}", name=f"{fake.first_name()} {fake.last_name()}",
                               password_hash=auth.hash_password(DEMO_PASSWORD))
            user.set_roles([role])
            accounts[role] = user
            audit.record("user_create", user, actor=None, fields=["email", "name", "roles"], detail=role)
        roles = list(ROLES)[1:]
        for i in range(EXTRA_STAFF):
            first, last = fake.first_name(), fake.last_name()
            email = f"{_slug(first)}.{_slug(last)}@{DOMAIN}"
            if User.by_email(email):
                continue
            user = User.create(email=email, name=f"{first} {last}", supervisor=accounts["management"])
            _staff_state(user, i, fake)
            user.set_roles([roles[i % len(roles)]] + (["quality"] if i % 7 == 3 else []))
            audit.record("user_create", user, actor=None, fields=["email", "name", "roles"])
        _load_clients(fake, accounts)
        _load_cases(fake, accounts)
        _load_complaint_settings()
        _load_surveys(fake, accounts)  # with the past year's cases and complaints: numbered before today's
        _load_complaints(fake, accounts)
        _load_crisis(fake, accounts)
        _load_targets(accounts)
        review = _load_review(accounts)
        _load_actions(accounts, review)
        _load_privacy(accounts)
        _load_access_review(accounts)
        _load_retention()
        _load_manual(accounts)
        _load_newsletter(accounts)
        benefit_demo.load(accounts)  # the loyalty and referral programmes (services/demo/benefits.py)
    lines.append("Demostración cargada: firma «Duarte & Asociados Abogados».")
    return lines


def _staff_state(user, i: int, fake) -> None:
    """Where each extra account stands, consistent with its sign-ins: a sign-in needs the password and the
    authenticator, so only accounts with both have one. Some await activation (no password yet), one has
    its password but not yet its authenticator, one belongs to someone who left (deactivated, last seen months
    ago); the rest signed in lately, weeks or months after setting up their authenticator."""
    from datetime import datetime, time

    from core.i18n import to_utc, today_local

    if i % 5 == 0:
        return  # activation link sent, not used yet
    values = {"password_hash": auth.hash_password(fake.password(length=20))}
    if i != 7:  # the one who chose a password and stopped at the authenticator
        day = today_local() - timedelta(days=fake.random_int(95, 130) if i == 12 else fake.random_int(0, 12))
        last_seen = to_utc(datetime.combine(day, time(fake.random_int(7, 17), fake.random_int(0, 59))))
        if last_seen > utcnow():  # later today: the working day before
            last_seen -= timedelta(days=1)
        enrolled = last_seen - timedelta(days=fake.random_int(20, 300))
        values.update(totp_secret=auth.seal_totp(user, auth.new_totp_secret()), totp_enrolled_at=enrolled,
                      last_login_at=last_seen, is_active=i != 12)
    User.update(**values).where(User.id == user.id).execute()


# Addressed to the client as "usted", like everything else the firm writes to clients.
PRIVACY_NOTICE = """Duarte & Asociados Abogados, responsable del tratamiento, recoge y trata sus datos personales
para prestarle los servicios jurídicos contratados, gestionar la relación con usted y, si lo autoriza, enviarle
encuestas de satisfacción y nuestro boletín, conforme a la Ley 1581 de 2012 y sus decretos reglamentarios.

Los datos sensibles (por ejemplo, de salud) solo se tratan con su autorización explícita; usted no está obligado
a darla. Puede conocer, actualizar, rectificar y suprimir sus datos, y revocar la autorización, escribiendo a
datos@duarte-asociados.test. Conservamos sus datos mientras dure la relación y los plazos legales aplicables."""


def _evaluate(service, client, user, fake, consulted_at, newsletter=False) -> None:
    from datetime import timedelta

    from core.i18n import to_local

    service.decide_conflicts(client, "clear", "", user)
    service.save_evaluation(client, {
        "specialty_fit": True, "viability_notes": "Caso viable; pruebas documentales suficientes.",
        "consultation_at": consulted_at,
        "consultation_mode": fake.random_element(("in_person", "video", "phone")),
        "attendees": f"{client.name}; {user.display_name}", "consultation_notes": "Se revisaron los antecedentes.",
        "expectations": "Propuesta de servicios en cinco días hábiles."}, user)
    for item in ("identity_document", "case_authenticity"):
        service.record_verification(client, item, "verified", "", user)
    service.record_verification(client, "power_of_attorney", "not_applicable", "", user)
    if client.is_company:
        service.record_verification(client, "company_registration", "verified", "Certificado de Cámara de Comercio", user)
    service.record_consent(client, ["service", "surveys"] + (["newsletter"] if newsletter else []), "written",
                           to_local(consulted_at).date() + timedelta(days=1), "Formulario firmado", user)


COMPANY_FORMS = ("S.A.S.", "S.A.S.", "Ltda.", "S.A.", "& Cía. S.A.S.")
COMPANY_TRADES = ("Inversiones", "Constructora", "Transportes", "Comercializadora", "Distribuidora", "Inmobiliaria",
                  "Agroindustrial", "Laboratorios", "Consultores", "Textiles")


def company_name(fake) -> str:
    """Faker's es_CO companies read like "Reyes Group": build names as Colombian firms are named."""
    return f"{fake.random_element(COMPANY_TRADES)} {fake.last_name()} {fake.random_element(COMPANY_FORMS)}"


SERVICES = (("Consulta y concepto jurídico", "1", "450000"), ("Representación en audiencia", "2", "900000"),
            ("Revisión y redacción de contratos", "3", "380000"), ("Acompañamiento mensual", "12", "1200000"))


def _quote_and_contract(client, user, fake, activate, ends_in) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from core.i18n import today_local
    from services import commercial

    lines = [{"service": name, "quantity": Decimal(qty), "unit_price": Decimal(price), "tax_rate": Decimal("19")}
             for name, qty, price in fake.random_elements(SERVICES, length=2, unique=True)]
    today = today_local()
    quotation = commercial.create_quotation(client, {"valid_until": today + timedelta(days=45),
                                                     "notes": "Honorarios sujetos a IVA. Gastos procesales aparte."},
                                            lines, "COP", user)
    commercial.change_quotation(quotation, "sent", "", user, today)
    if not activate:
        return
    commercial.change_quotation(quotation, "accepted", "", user, today)
    contract = commercial.create_contract(quotation, {
        "conditions": "Prestación de servicios jurídicos según la cotización aceptada.", "frequency": "monthly",
        "duration_months": 12, "start_date": today - timedelta(days=365 - ends_in), "end_date": today + timedelta(days=ends_in),
        "firm_duties": "Atender consultas en 48 horas hábiles e informar avances cada 15 días.",
        "client_duties": "Entregar la documentación solicitada y pagar los honorarios en los plazos pactados.",
        "signed_on": today - timedelta(days=365 - ends_in), "signer": client.name, "renews": None}, user)
    commercial.activate_contract(contract, user)


def _valid_nit(fake) -> str:
    from stdnum.co import nit

    base = str(fake.random_int(800_000_000, 901_999_999))
    return base + nit.calc_check_digit(base)


def _load_clients(fake, accounts) -> None:
    from core.text import name_key
    from models.catalog import PracticeArea
    from models.clients import Client
    from models.consent import PrivacyNotice
    from services import clients as service

    areas = [PracticeArea.create(name=n, description=d) for n, d in PRACTICE_AREAS]
    notice = PrivacyNotice.publish(PRIVACY_NOTICE, accounts["admin"])
    published = utcnow() - timedelta(days=540)  # in force before the first of today's clients registered
    PrivacyNotice.update(created_at=published, updated_at=published).where(PrivacyNotice.id == notice.id).execute()
    commercial, management = accounts["commercial"], accounts["management"]
    types = ["", "", "aggressive", "shy", "talkative", "sceptical", "impatient"]
    flow = ["prospect", "evaluating", "evaluating", "accepted", "rejected", "prospect", "accepted", "evaluating"]
    areas = {area.name: area for area in areas}
    offered = {kind: matters.for_kind(kind) for kind in (matters.PERSON, matters.COMPANY)}
    registered, rejections = [], iter(matters.REJECTIONS * 3)
    for i in range(36):
        company = i % 3 == 0
        name = company_name(fake) if company else _person_name(fake)
        kind = matters.COMPANY if company else matters.PERSON
        matter = offered[kind][len([c for c in registered if c.kind == kind]) % len(offered[kind])]
        counterparties = [party] if (party := _declared_party(fake, matter)) else []
        if i == 10 and registered:  # a prospect whose counterparty is already our client: a real conflict
            counterparties = [{"name": registered[0].name, "kind": "counterparty", "document_type": "",
                               "document_number": ""}]  # (its employer: the matter is a labour claim)
        phone = f"+57{fake.random_element(MOBILE_PREFIXES)}{fake.random_int(0, 9_999_999):07d}"
        data = {
            "kind": kind, "name": name,
            "document_type": "NIT" if company else "CC",
            "document_number": _valid_nit(fake) if company else str(fake.random_int(10_000_000, 1_199_999_999)),
            "email": fake.unique.email().lower(), "phone": phone, "phone_alt": "", "address": fake.street_address(),
            "city": fake.random_element(("Bogotá", "Medellín", "Cali", "Barranquilla", "Bucaramanga")),
            "country": "CO", "preferred_channel": fake.random_element(("email", "phone", "whatsapp", "in_person")),
            "source": fake.random_element(("visit", "social", "alliance", "web", "other")),
            "practice_area": areas[matter.area].id, "responsible": commercial.id if i % 2 else management.id,
            "customer_type": types[i % len(types)], "need": matter.need, "special_requirements": "",
        }
        client = service.register(data, counterparties, commercial)
        registered.append(client)
        target = flow[i % len(flow)]
        span = _intake_span(target, i)
        if target in ("evaluating", "accepted", "rejected"):
            service.transition(client, "evaluating", "Consulta inicial agendada", commercial)
        if target == "accepted":
            _evaluate(service, client, commercial, fake, _on(span, CONSULTED), newsletter=i % 3 == 1)
            service.transition(client, "accepted", "Caso viable dentro de nuestra especialidad", commercial)
            _quote_and_contract(client, commercial, fake, activate=i % 2 == 1, ends_in=_ends_in(i))
        if target == "rejected":
            service.transition(client, "rejected", next(rejections), commercial)
        _date_intake(client, *span)
    assert Client.select().where(Client.name_key == name_key(registered[0].name)).exists()


FOREIGN_COMPANIES = ("Nordvik Industrial AB", "Hansen Maschinenbau GmbH", "Pacific Coast Supplies Inc.",
                     "Lumière Équipements SAS")


def _ends_in(i: int) -> int:
    """Days left on an active client's twelve-month contract: renewals due in 50 and 20 days (their reminders), one
    ended 12 days ago without a renewal or a decision (overdue on the renewals page), the rest later."""
    return (20, 50, -12, 200, 120)[i % 5]


# When each intake step happened, as a share of the days from registration to the last step.
DECIDED, CONSULTED, VERIFIED, QUOTED, QUOTE_DECIDED = .4, .45, .5, .75, .9


def _intake_span(target: str, i: int):
    """(registered, last intake step) in UTC for the i-th demo client, by where its intake stands: an active
    client signed its contract on its start date, about a month after registering; the rest came lately.
    Everything happens in office hours."""
    from datetime import datetime, time

    from core.i18n import to_utc, today_local

    today = today_local()
    if target == "accepted" and i % 2 == 1:
        days, length = 365 - _ends_in(i) + 35, 35
    else:
        days = {"accepted": 30, "evaluating": 12 + i, "rejected": 45 + i}.get(target, i % 9)
        length = min({"accepted": 27, "evaluating": 6, "rejected": 14}.get(target, 0), days - 1 if days else 0)
    registered = to_utc(datetime.combine(today - timedelta(days=days), time(8 + i % 9, 15 * (i % 4))))
    if registered > utcnow():  # later today: yesterday
        registered -= timedelta(days=1)
    return registered, registered + timedelta(days=length)


def _on(span, share: float):
    """The moment ``share`` of the way through the intake, on a whole day (the registration's hour)."""
    registered, settled = span
    return registered + timedelta(days=round((settled - registered).days * share))


def _date_intake(client, registered, settled) -> None:
    """The client's intake records carry the days they happened (registration, conflict check, consultation,
    verifications, quotation, the status history) instead of the moment the demo was loaded. Consents are
    append-only (their day is the one given) and the audit log keeps its own times: it records the loading."""
    from models.clients import Client, ClientStatusChange, ConflictCheck, Party
    from models.commercial import Contract, Quotation
    from models.intake import IntakeEvaluation, VerificationCheck

    def at(share: float):
        return _on((registered, settled), share)

    Client.update(created_at=registered, updated_at=settled).where(Client.id == client.id).execute()
    Party.update(created_at=registered, updated_at=registered).where(Party.client == client.id).execute()
    ConflictCheck.update(created_at=registered, updated_at=at(DECIDED)).where(ConflictCheck.client == client.id).execute()
    ConflictCheck.update(decided_at=at(DECIDED)).where(ConflictCheck.client == client.id,
                                                       ConflictCheck.decided_at.is_null(False)).execute()
    IntakeEvaluation.update(created_at=at(CONSULTED), updated_at=at(CONSULTED)).where(
        IntakeEvaluation.client == client.id).execute()
    VerificationCheck.update(created_at=at(VERIFIED), updated_at=at(VERIFIED), checked_at=at(VERIFIED)).where(
        VerificationCheck.client == client.id).execute()
    for quotation in Quotation.select().where(Quotation.client == client.id):
        decided = at(QUOTE_DECIDED) if quotation.decided_at else None
        Quotation.update(created_at=at(QUOTED), updated_at=decided or at(QUOTED), sent_at=at(QUOTED),
                         decided_at=decided, valid_until=at(QUOTED).date() + timedelta(days=45)).where(
            Quotation.id == quotation.id).execute()
    Contract.update(created_at=settled, updated_at=settled).where(Contract.client == client.id).execute()
    shares = {"prospect": 0, "evaluating": .33, "accepted": .67}  # rejected or active: at the last step
    for change in ClientStatusChange.select().where(ClientStatusChange.client == client.id):
        when = at(shares.get(change.to_status, 1))
        ClientStatusChange.update(created_at=when, updated_at=when).where(ClientStatusChange.id == change.id).execute()


def _person_name(fake) -> str:
    return f"{fake.first_name()} {fake.last_name()} {fake.last_name()}"


def _party_name(fake, who: str) -> str:
    if who == matters.PERSON:
        return _person_name(fake)
    if who == matters.COMPANY:
        return company_name(fake)
    if who == matters.BUILDING:
        return f"Conjunto Residencial {fake.last_name()} P.H."
    if who == matters.FOREIGN:
        return fake.random_element(FOREIGN_COMPANIES)
    return who  # a named authority (the DIAN)


def _declared(matter) -> bool:
    return bool(matter.party) and matter.party[1] in (matters.PERSON, matters.COMPANY, matters.BUILDING, matters.FOREIGN)


def _declared_party(fake, matter) -> dict | None:
    """The other party the client names at intake (the employer, the spouse, the debtor…), for the conflict
    check; an authority such as the DIAN is not declared (it is no conflict) and joins the case later."""
    if not _declared(matter):
        return None
    kind, who, _relation = matter.party
    if who == matters.FOREIGN:  # no Colombian document
        return {"name": _party_name(fake, who), "kind": kind, "document_type": "", "document_number": ""}
    person = who == matters.PERSON
    return {"name": _party_name(fake, who), "kind": kind, "document_type": "CC" if person else "NIT",
            "document_number": str(fake.random_int(10_000_000, 1_199_999_999)) if person else _valid_nit(fake)}


def _load_cases(fake, accounts) -> None:
    """Cases of the active clients at every stage, with interventions, interactions, documents and deadlines."""
    from datetime import datetime, time, timedelta

    from core.i18n import to_utc, today_local
    from models.catalog import PracticeArea
    from models.clients import Client
    from services import cases, documents, interactions
    from services.documents import calendar, deadlines

    ops, management, service = accounts["operations"], accounts["management"], accounts["service"]
    for area in PracticeArea.select():
        documents.add_suggested(area, accounts["admin"])
    today = today_local()
    for year in (today.year, today.year + 1):
        calendar.load_holidays("CO", year)
    active = list(Client.select().where(Client.status == "active").order_by(Client.id))
    stages = ["in_progress", "open", "resolved", "in_progress", "open"]
    for n, client in enumerate(active):
        matter = matters.of_client(client)
        case = cases.open_case(client, {"title": matter.title, "responsible": ops, "team": [service],
                                        "description": matter.description, "parties": _intake_parties(client, matter)},
                               management, today - timedelta(days=40 - n))
        cases.save_planning(case, {"legal_analysis": "Normas aplicables y precedentes revisados en la consulta inicial.",
                                   "strategy": matter.strategy,
                                   "budget_amount": 3_500_000 + 500_000 * n, "budget_told_on": today - timedelta(days=35),
                                   "budget_told_how": "in_person",
                                   "budget_notes": "Honorarios según cotización; gastos procesales aparte."}, ops)
        if matter.party and not _declared(matter):  # an authority: named on the case, not at intake
            cases.add_party(case, matter.party[0], _party_name(fake, matter.party[1]), matter.party[2], ops)
        for kind, what in matter.evidence:
            cases.add_evidence(case, kind, what, ops)
        for when, channel, direction, kind, summary in (
                (25, "in_person", "in", "meeting", "Reunión de inicio: se explicaron el plan de trabajo y los costos."),
                (12, "email", "out", "update", matters.UPDATES[n % len(matters.UPDATES)]),
                (3, "phone", "in", "question", matter.question)):
            interactions.log(client, {"occurred_at": datetime.utcnow() - timedelta(days=when + n), "channel": channel,
                                      "direction": direction, "kind": kind, "summary": summary, "confidential": False},
                             ops, case=case)
        cases.plan_intervention(case, {"starts_at": to_utc(datetime.combine(today + timedelta(days=1 + n), time(14, 0))),
                                       "duration_minutes": 90, "assigned": ops,
                                       "place": "Oficina del cliente" if client.is_company else "Sede de la firma",
                                       "purpose": "Reunión de seguimiento y revisión de documentos"}, management)
        if stages[n % len(stages)] != "open":
            cases.change_status(case, "in_progress", "", ops, today)
        due = calendar.add_business_days(today, 4 + 3 * n, "CO")
        deadlines.add_deadline(case, {"description": matter.deadline[1], "kind": matter.deadline[0], "due_on": due,
                                      "due_time": time(17, 0), "responsible": ops, "offsets": [7, 1]}, management)
        _date_history(case, to_utc(datetime.combine(today - timedelta(days=40 - n), time(9, 30))), utcnow())
        if stages[n % len(stages)] == "resolved":
            cases.save_resolution(case, {"resolution_summary": matter.outcome,
                                         "explained_on": today - timedelta(days=1), "explained_how": "in_person",
                                         "client_understood": True}, ops)
            cases.change_status(case, "resolved", "", ops, today)


def _intake_parties(client, matter) -> list[dict]:
    """The parties the client declared at intake join its case, with their relation to the matter."""
    from models.clients import Party

    relation = matter.party[2] if matter.party else ""
    return [{"party": p, "name": p.name, "kind": p.kind, "relation": relation}
            for p in Party.select().where(Party.client == client.id, Party.case.is_null())]


COMPLAINT_CATEGORIES = ("Demora en la respuesta", "Comunicación e información", "Facturación y cobros",
                       "Trato del personal", "Calidad del servicio jurídico", "Instalaciones y atención")
SLA_RULES = (("complaint", "high", 1, 3), ("complaint", "medium", 1, 5), ("complaint", "low", 2, 10),
             ("claim", "high", 1, 3), ("claim", "medium", 1, 5), ("claim", "low", 2, 10),
             ("request", "medium", 1, 5), ("query", "medium", 1, 2))


def _load_complaint_settings() -> None:
    from models.complaints import ComplaintCategory, SlaRule

    for name in COMPLAINT_CATEGORIES:
        ComplaintCategory.create(name=name)
    for kind, severity, response, resolution in SLA_RULES:
        SlaRule.create(kind=kind, severity=severity, response_days=response, resolution_days=resolution)


def _load_complaints(fake, accounts) -> None:
    """This month's complaints of the demo clients, in every status (one breached, one near breach, one closed
    with the client informed); the past year's are closed (``_load_past_year``)."""
    from datetime import datetime, time

    from core.i18n import to_local, to_utc
    from models.cases import Case
    from models.clients import Client
    from models.complaints import Complaint, ComplaintCategory
    from services import complaints
    from services.documents import calendar

    service, quality = accounts["service"], accounts["quality"]
    categories = {c.name: c for c in ComplaintCategory.select()}
    clients = list(Client.select().where(Client.status == "active").order_by(Client.id))
    if not clients:
        return
    now = utcnow()
    today = to_local(now).date()

    def one(n, kind, text, category, days_ago, severity="medium", channel="email", owner=service, **extra):
        client = clients[n % len(clients)] if not extra.get("walk_in_name") else None
        case = client.cases.order_by(Case.id).first() if client else None
        return complaints.open_complaint(kind=kind, description=text, owner=owner, client=client, case=case,
                                         channel=channel, severity=severity, actor=service, category=categories[category],
                                         received_at=now - timedelta(days=days_ago, hours=n), **extra)

    # Breached: received two weeks ago and nobody has answered.
    one(0, "complaint", "Lleva dos semanas escribiendo y nadie le responde sobre el estado de su caso.",
        "Demora en la respuesta", 14, severity="high", channel="phone")
    # Near breach: in analysis, due at the end of the current business day.
    near = one(1, "claim", "Le cobraron dos veces la consulta inicial; pide la devolución.", "Facturación y cobros", 2)
    complaints.change_status(near, "analysis", service, "Se revisan los pagos con contabilidad.")
    end_today = to_utc(datetime.combine(calendar.add_business_days(today, 0), time(23, 59, 59)))
    Complaint.update(due_at=end_today).where(Complaint.id == near.id).execute()
    # In resolution, with the cause and the actions.
    working = one(2, "complaint", "El abogado llegó 40 minutos tarde a la reunión sin avisar.", "Trato del personal", 3,
                  channel="in_person", owner=quality)
    complaints.change_status(working, "analysis", quality)
    complaints.save_analysis(working, "Agenda del abogado sin sincronizar con el calendario de la firma.",
                             "Se sincronizaron las agendas y se ofreció una nueva reunión sin costo.", quality)
    complaints.change_status(working, "resolution", quality)
    # Resolved, the client not informed yet (it cannot be closed).
    resolved = one(3, "request", "Pide una copia del contrato de servicios y del poder que firmó.", "Comunicación e información",
                   6, severity="medium")
    complaints.change_status(resolved, "analysis", service)
    complaints.save_analysis(resolved, "Solicitud de documentos del expediente.",
                             "Se enviaron por correo las copias escaneadas.", service)
    complaints.change_status(resolved, "resolved", service)
    # Closed, with the client informed and agreeing.
    closed = one(4, "complaint", "El informe de avance llegó con datos de otro proceso.", "Calidad del servicio jurídico",
                 20, severity="high")
    complaints.change_status(closed, "analysis", service)
    complaints.save_analysis(closed, "Se usó una plantilla de informe sin revisar.",
                             "Se corrigió el informe, se pidieron disculpas y se añadió una revisión previa al envío.",
                             service)
    complaints.change_status(closed, "resolved", service)
    complaints.record_informed(closed, utcnow(), "phone", "agreed", service)  # not before it was resolved
    complaints.change_status(closed, "closed", service, "El cliente quedó conforme.")
    # A walk-in suggestion, a compliment and a query, just received.
    one(5, "suggestion", "Sería útil poder pagar con transferencia desde el portal.", "Instalaciones y atención", 0,
        severity="low", channel="in_person", walk_in_name="Visitante en recepción")
    one(6, "compliment", "Agradece la atención de la recepcionista y la claridad de la explicación.",
        "Trato del personal", 1, severity="low", channel="web")
    one(7, "query", "Pregunta si los gastos de notaría van en la factura de honorarios o se pagan aparte.",
        "Facturación y cobros", 0, channel="messaging")


SURVEY_CASES = (  # (days since closing, what happened to its survey)
    (1, "pending"), (3, "sent"), (4, "opened"), (6, "answered"), (9, "answered"), (20, "expired"),
    (7, "by_hand"), (2, "by_hand_shown"))
# Closed cases of the past year, their survey answered two days after closing, so the results have a trend:
# (days since closing, usual rating, rating of the criterion the client liked least, recommendation 0–10,
# comment). January has none (its month shows "no data"); one client was unhappy and a complaint followed.
PAST_CASES = (
    (35, 5, 4, 10, "Muy buena atención; me explicaron cada paso con claridad."),
    (44, 4, 3, 8, "Todo bien, pero los informes de avance llegaban tarde."),
    (58, 5, 5, 9, ""),
    (88, 4, 4, 9, "Resolvieron en menos tiempo del previsto."),
    (95, 5, 4, 10, ""),
    (117, 4, 2, 5, "Pasaron tres semanas sin que nadie me llamara; al final se resolvió, pero con mucha angustia."),
    (146, 5, 4, 9, "La abogada fue muy clara con los costos desde el principio."),
    (175, 4, 3, 7, "El parqueadero de la oficina es muy pequeño."),
    (182, 5, 5, 10, ""),
    (205, 4, 4, 8, "Buen servicio; la notaría fue lo que más demoró."),
    (236, 5, 4, 9, "Me sentí acompañado durante todo el proceso."),
    (262, 4, 3, 8, ""),
    (284, 5, 4, 9, "Recomendaría la firma a mi familia."),
)
SURVEY_COMMENTS = ("El proceso fue ágil, aunque me hubiera gustado recibir más avances por correo.",
                   "Cumplieron todo lo que prometieron en la primera reunión.")
PAST_COMPLAINTS = (  # raised while a past case was open: (kind, category, severity, channel, text, cause, actions)
    ("complaint", "Demora en la respuesta", "medium", "phone",
     "Lleva una semana esperando la llamada prometida sobre el estado de su caso.",
     "El abogado responsable estuvo en audiencias toda la semana y nadie cubrió sus llamadas.",
     "Se llamó al cliente el mismo día; se asignó un abogado de apoyo para las ausencias."),
    ("claim", "Facturación y cobros", "high", "email",
     "La factura de honorarios incluye una consulta que no se realizó.",
     "Se facturó una consulta reprogramada como si se hubiera hecho.",
     "Se anuló la factura y se emitió una nota crédito; la facturación se revisa contra la agenda."),
    ("request", "Comunicación e información", "medium", "email",
     "Pide una copia de todos los documentos radicados en su trámite.",
     "Solicitud de copias del expediente.",
     "Se enviaron las copias escaneadas por correo."),
    ("complaint", "Trato del personal", "medium", "in_person",
     "En recepción le pidieron esperar cuarenta minutos sin explicarle la demora.",
     "La reunión anterior se extendió y recepción no avisó a tiempo.",
     "Se ofrecieron disculpas; recepción avisa a los clientes cualquier demora de más de diez minutos."),
    ("suggestion", "Instalaciones y atención", "low", "web",
     "Sugiere habilitar reuniones por videollamada para los clientes fuera de Bogotá.",
     "Solo se ofrecían reuniones presenciales.",
     "Se habilitaron las videollamadas con enlace enviado por correo."),
    ("complaint", "Calidad del servicio jurídico", "high", "email",
     "El borrador que le enviaron tenía el nombre de otra persona.",
     "Se reutilizó una plantilla sin revisar los datos.",
     "Se corrigió el documento, se pidieron disculpas y se añadió una revisión de datos antes del envío."),
    ("query", "Comunicación e información", "medium", "messaging",
     "Pregunta si puede pagar los honorarios en dos cuotas.",
     "Consulta sobre la forma de pago.",
     "Se le explicó que el contrato permite dos cuotas y se le enviaron las fechas."),
)


def _closed_case(client, matter, days_ago: int, accounts, weeks_open: int = 8):
    """A case of ``client`` on ``matter`` that closed ``days_ago`` days ago, its survey invitation due the next
    day; returns the case and the UTC moment the invitation was to go out."""
    from core.i18n import to_local, today_local
    from models.cases import Case
    from models.documents import Deadline, DocumentItem
    from models.surveys import SurveyInvitation
    from services import cases

    ops, service = accounts["operations"], accounts["service"]
    closed_on = today_local() - timedelta(days=days_ago)
    case = cases.open_case(client, {"title": matter.title, "responsible": ops, "team": [service],
                                    "practice_area": _area_id(matter.area), "description": matter.description},
                           ops, closed_on - timedelta(weeks=weeks_open))
    DocumentItem.update(status="received").where(DocumentItem.case == case.id).execute()  # demo: all in
    Deadline.update(status="done").where(Deadline.case == case.id).execute()
    cases.change_status(case, "in_progress", "", ops, closed_on)
    cases.save_resolution(case, {"resolution_summary": matter.outcome, "explained_on": closed_on,
                                 "explained_how": "in_person", "client_understood": True}, ops)
    cases.change_status(case, "resolved", "", ops, closed_on)
    cases.change_status(case, "closed", "Servicio concluido", ops, closed_on)
    closed_at = utcnow() - timedelta(days=days_ago)
    Case.update(closed_at=closed_at, resolved_at=closed_at).where(Case.id == case.id).execute()
    _date_history(case, closed_at - timedelta(weeks=weeks_open), closed_at)
    sent_at = closed_at + timedelta(days=1)
    SurveyInvitation.update(send_on=to_local(sent_at).date(), created_at=closed_at).where(
        SurveyInvitation.case == case.id).execute()
    return case, sent_at


def _date_history(case, opened_at, last_at) -> None:
    """The case's record and status history carry the days they happened: opened, in progress two days later,
    and the last moves (resolved, closed) at ``last_at``."""
    from models.cases import Case, CaseStatusChange

    Case.update(created_at=opened_at).where(Case.id == case.id).execute()
    for change in CaseStatusChange.select().where(CaseStatusChange.case == case.id):
        when = {"": opened_at, "open": opened_at, "in_progress": opened_at + timedelta(days=2)}.get(change.to_status,
                                                                                                 last_at)
        CaseStatusChange.update(created_at=when, updated_at=when).where(CaseStatusChange.id == change.id).execute()


def _area_id(name: str) -> int:
    from models.catalog import PracticeArea

    return PracticeArea.get(PracticeArea.name == name).id


def _answer(invitation, ratings, nps: int, comment: str, now) -> None:
    """The client's answers: ``ratings`` gives each rating question its score in turn."""
    from services.surveys import answers as survey_answers

    questions = survey_answers.questions_of(invitation.template_id)
    scores, values = iter(ratings), {}
    for q in questions:
        if q.kind == "rating":
            values[survey_answers.field_name(q)] = str(next(scores))
        elif q.kind == "nps":
            values[survey_answers.field_name(q)] = str(nps)
        elif q.kind == "text":
            values[survey_answers.field_name(q)] = comment
    survey_answers.submit(invitation, values, questions, now=now)


def _load_surveys(fake, accounts) -> None:
    """The default satisfaction survey and closed cases whose invitations are in every state: waiting to be
    sent, sent, opened, answered, expired, and two for a client without email consent (one overdue in the
    responsible's work queue, one whose link was handed over); then a year of closed cases whose answers
    make the monthly trend, with the complaints raised while they were open."""
    from peewee import fn

    from core.i18n import today_local
    from models.clients import Client
    from models.mail import OutboundEmail
    from models.surveys import SurveyInvitation
    from services import clients, surveys

    service = accounts["service"]
    surveys.default_template(accounts["quality"])
    active = list(Client.select().where(Client.status == "active").order_by(Client.id))
    if not active:
        return
    now, today = utcnow(), today_local()
    first_mail = OutboundEmail.select(fn.MAX(OutboundEmail.id)).scalar() or 0
    no_consent = active[-1]
    clients.withdraw_consent(no_consent, "surveys", "oral", today - timedelta(days=30), service)
    for n, (days_ago, state) in enumerate(SURVEY_CASES):
        client = no_consent if state.startswith("by_hand") else active[n % (len(active) - 1 or 1)]
        case, sent_at = _closed_case(client, matters.past_for(client, client.cases.count()), days_ago, accounts)
        invitation = SurveyInvitation.get(SurveyInvitation.case == case.id)
        if state in ("pending", "by_hand"):
            continue
        if state == "by_hand_shown":
            surveys.hand_over_link(invitation, service, now=sent_at)
            continue
        surveys.send_due_invitations(now=sent_at)
        invitation = SurveyInvitation.get_by_id(invitation.id)
        if state == "opened":
            surveys.mark_opened(invitation, now=sent_at + timedelta(hours=5))
        elif state == "answered":
            _answer(invitation, [5 - (i + n) % 2 for i in range(20)], 9 + n % 2, SURVEY_COMMENTS[n % 2],
                    sent_at + timedelta(days=1))
        elif state == "expired":
            surveys.expire_invitations(now=now)
    _load_past_year(active[:-1], accounts)
    # The messages of these past sends are history: not to be delivered now to the demo's invented addresses.
    OutboundEmail.delete().where(OutboundEmail.id > first_mail).execute()


def _load_past_year(clients, accounts) -> None:
    """PAST_CASES for the clients whose contract had started when the case opened, each answered two days after
    closing; every other one had a complaint while open, handled and closed within days; the low score's
    follow-up complaint was handled too."""
    from models.commercial import Contract
    from models.complaints import Complaint, ComplaintCategory
    from models.surveys import SurveyInvitation
    from services import complaints, surveys

    service = accounts["service"]
    started = {c.client_id: c.start_date for c in Contract.select().where(Contract.client.in_([c.id for c in clients]))}
    categories = {c.name: c for c in ComplaintCategory.select()}
    complaints_left = iter(PAST_COMPLAINTS)
    events = []  # (when, what, case, details): done in time order, so complaints are numbered as they came in
    for n, (days_ago, usual, least, nps, comment) in enumerate(sorted(PAST_CASES, reverse=True)):  # oldest first
        opened = utcnow().date() - timedelta(days=days_ago + 56)
        eligible = [c for c in clients if started.get(c.id) and started[c.id] <= opened]
        if not eligible:
            continue
        client = min(eligible, key=lambda c: (c.cases.count(), c.id))  # the one with the fewest cases so far
        case, sent_at = _closed_case(client, matters.past_for(client, client.cases.count()), days_ago, accounts)
        if n % 2 == 0 and (item := next(complaints_left, None)):  # received while the case was open
            events.append((sent_at - timedelta(days=20 + n % 3 * 5, hours=n), "complaint", case, (item, 1 + n % 4)))
        events.append((sent_at, "send", case, None))
        events.append((sent_at + timedelta(days=1), "answer", case,
                       ([least if i == n % 5 else usual for i in range(20)], nps, comment)))
    for when, what, case, details in sorted(events, key=lambda e: e[0]):
        if what == "send":
            surveys.send_due_invitations(now=when)
        elif what == "complaint":
            (kind, category, severity, channel, text, cause, actions), days = details
            complaint = complaints.open_complaint(kind=kind, description=text, owner=service, client=case.client_id,
                                                  case=case, channel=channel, severity=severity, actor=service,
                                                  category=categories[category], received_at=when)
            _settle(complaint, when, cause, actions, days, service)
        else:
            _answer(SurveyInvitation.get(SurveyInvitation.case == case.id), *details, when)
            follow_up = Complaint.select().where(Complaint.case == case.id, Complaint.source == "survey").first()
            if follow_up is not None:  # the low score's complaint
                _settle(follow_up, when, "El abogado estuvo de vacaciones y nadie informó al cliente del avance.",
                        "Se llamó al cliente para disculparse; los casos tienen un abogado de respaldo en las "
                        "ausencias.", 3, accounts["quality"])


# The firm's targets (PRO-008 §7 and the indicators beside them): (indicator, target, who answers for it).
DEMO_TARGETS = (("satisfaccion", 85, "quality"), ("resolucion", 10, "quality"), ("retencion", 70, "management"),
                ("nps", 30, "quality"), ("respuesta", 60, "quality"), ("sla", 90, "quality"),
                ("encuestas", 90, "quality"), ("plazos", 95, "management"))


def _load_targets(accounts) -> None:
    """Targets for the three PRO-008 indicators and five more, set by management, so the dashboard reads each
    figure against its target from the first sign-in."""
    from core.i18n import today_local
    from services.quality import indicators

    for key, target, owner in DEMO_TARGETS:
        indicators.set_target(key, float(target), accounts[owner].id, accounts["management"].id, today_local())


def _load_review(accounts) -> None:
    """One management review of the last full quarter, prepared by quality and approved by management: its
    inputs are the demo's figures as they were when it was loaded."""
    from core.i18n import today_local
    from services.quality import reviews

    today = today_local()
    start, end = reviews.default_period(today)
    review = reviews.create(start, end, accounts["quality"], today, {
        "procedure_changes": "PRO-008: la encuesta de satisfacción se envía dentro de los 5 días siguientes al cierre "
                             "del servicio.",
        "conclusions": "El sistema de gestión de la calidad es conveniente y eficaz: la satisfacción supera la meta "
                       "y las quejas se resolvieron dentro de su plazo, salvo una.",
        "opportunities": "Informar al cliente del avance de su caso sin esperar a que lo pida; mantener el turno de "
                         "respaldo en las ausencias de los abogados.",
        "resource_needs": "Ninguna adicional en el periodo.",
        "decisions": "Revisar cada mes los casos sin actualización al cliente en 15 días; repetir la revisión en seis "
                     "meses."})
    reviews.approve(review, accounts["management"], today)
    return review


def _load_actions(accounts, review) -> None:
    """Five improvement actions, one at each step: from a complaint's root cause (in progress), from the survey
    (just opened), from the review's decision (in progress and past its due day), from an indicator (awaiting
    verification) and one closed with its effectiveness checked."""
    from core.i18n import today_local
    from models.complaints import Complaint
    from services.quality import actions

    today, quality, boss = today_local(), accounts["quality"], accounts["management"]
    complaint = (Complaint.select().where(Complaint.kind == "complaint", Complaint.root_cause != "")
                 .order_by(Complaint.id).first())
    if complaint is not None:
        proposal = actions.proposal_from_complaint(complaint)
        action = actions.open_action(owner=accounts["service"], due_on=today + timedelta(days=20), user=quality,
                                     **proposal)
        actions.save_plan(action, {"cause_analysis": proposal["cause_analysis"],
                                   "correction": "Se llamó al cliente, se le explicó el estado de su caso y se "
                                                 "acordó una llamada semanal.",
                                   "corrective_action": "Cada abogado registra en Traza la última comunicación con "
                                                        "el cliente; atención revisa los casos sin contacto en 15 "
                                                        "días."}, accounts["service"], action.due_on, quality)
        actions.change_status(action, "in_progress", accounts["service"])
    actions.open_action(title="Informar al cliente del avance de su caso cada quince días", source="survey",
                        source_ref="Información sobre el avance del caso",
                        description="En la encuesta del trimestre, la información sobre el avance del caso es el "
                                    "criterio peor valorado.",
                        owner=accounts["operations"], due_on=today + timedelta(days=45), user=quality)
    decided = actions.open_action(title="Revisar cada mes los casos sin actualización al cliente en 15 días",
                                  source="review", review=review, source_ref="Decisiones de la revisión",
                                  description="La revisión por la dirección decidió revisar cada mes los casos sin "
                                              "actualización al cliente en 15 días.",
                                  owner=quality, due_on=today - timedelta(days=3), user=boss)
    actions.save_plan(decided, {"cause_analysis": "No había un control periódico de los casos sin comunicación.",
                                "preventive_action": "Informe mensual de casos sin actualización, revisado en el "
                                                     "comité de calidad."}, quality, decided.due_on, quality)
    actions.change_status(decided, "in_progress", quality)
    for title, ref, description, cause, action_text, closed in (
            ("Devolver las llamadas el mismo día hábil", "Quejas resueltas en plazo",
             "Dos quejas del periodo por llamadas no devueltas.",
             "No había turno asignado para devolver las llamadas de la tarde.",
             "Turno diario de devolución de llamadas en atención al cliente.", True),
            ("Confirmar por escrito los honorarios antes de firmar", "Reclamos por honorarios",
             "Un reclamo por un cobro que el cliente no esperaba.",
             "Los gastos del proceso no figuraban en la cotización.",
             "La cotización detalla los gastos estimados del proceso.", False)):
        action = actions.open_action(title=title, source="indicator", source_ref=ref, description=description,
                                     owner=quality, due_on=today + timedelta(days=10), user=quality)
        actions.save_plan(action, {"cause_analysis": cause, "corrective_action": action_text}, quality,
                          action.due_on, quality)
        actions.change_status(action, "in_progress", quality)
        actions.change_status(action, "verifying", quality)
        if closed:
            actions.close(action, "Quejas por llamadas no devueltas en el mes siguiente: ninguna.", today, boss,
                          boss, today)


def _load_access_review(accounts) -> None:
    """One access review of the last full quarter (SECURITY.md A6), opened by quality and signed off by management
    on the quarter's last day: every line confirmed but one, adjusted with what changed."""
    from datetime import datetime, time

    from core.i18n import to_utc, today_local
    from services.privacy import access_review
    from services.quality import reviews

    start, end = reviews.default_period(today_local())
    signed_at = to_utc(datetime.combine(end, time(17, 0)))
    review = access_review.open_review(start, end, accounts["quality"], now=signed_at)
    adjusted = False
    for line in access_review.lines(review):
        if not adjusted and "operations" in line.role_list and line.user_id != accounts["operations"].id:
            access_review.decide(review, line, "adjusted", "Sale del equipo de los casos ya entregados; conserva su "
                                 "rol en el Departamento Operativo.", "", accounts["management"], now=signed_at)
            adjusted = True
        else:
            access_review.decide(review, line, "confirmed", "", "", accounts["management"], now=signed_at)
    access_review.sign_off(review, accounts["management"], end, now=signed_at)


def _load_newsletter(accounts) -> None:
    """The newsletter (PRO 008 §5.5.2): issue 1, sent two weeks ago to every client who consented (delivered; one
    client unsubscribed from it with one click), and issue 2, a draft."""
    from models.loyalty import NewsletterDelivery
    from models.mail import OutboundEmail
    from services.loyalty import newsletter

    author, sent_at = accounts["commercial"], utcnow() - timedelta(days=14)
    first = newsletter.create(
        "Cinco buenas prácticas con sus contratos",
        "Estas son cinco prácticas que evitan la mayoría de los conflictos que vemos cada mes:\n\n"
        "1. **Lea el contrato completo** antes de firmarlo, anexos incluidos.\n"
        "2. Guarde una copia firmada de cada contrato y de sus modificaciones.\n"
        "3. Anote en su calendario las fechas de vencimiento y de preaviso.\n"
        "4. Deje por escrito los acuerdos verbales: un correo basta.\n"
        "5. Consúltenos *antes* de terminar un contrato, no después.\n\n"
        "Si tiene dudas sobre un contrato vigente, responda a su abogado o llámenos.", author)
    newsletter.send(first, author, now=sent_at)
    keys = NewsletterDelivery.select(NewsletterDelivery.message_id).where(NewsletterDelivery.issue == first.id)
    (OutboundEmail.update(status="sent", sent_at=sent_at, body="", attempts=1, updated_at=sent_at)
     .where(OutboundEmail.message_id.in_(keys)).execute())
    newsletter.settle([first.id], now=sent_at + timedelta(hours=1))
    delivery = NewsletterDelivery.select().where(NewsletterDelivery.issue == first.id).order_by(NewsletterDelivery.id).first()
    if delivery is not None:
        newsletter.unsubscribe(delivery, one_click=True, ip="190.24.118.7", user_agent="Gmail (one-click unsubscribe)",
                               now=sent_at + timedelta(days=2))
    newsletter.create(
        "Cambios en la ley laboral: lo que su empresa debe revisar",
        "La reforma laboral trae cambios en la jornada y en los recargos. Revise con nosotros:\n\n"
        "- los contratos de trabajo vigentes,\n- el reglamento interno,\n- la liquidación de horas extra.", author)


def _load_manual(accounts) -> None:
    """The procedures manual: PRO 008 as the firm wrote it, published on 01.12.2024 (version 000, "Original",
    approved by the CEO), and the crisis protocol (PRO 009), drafted by quality and approved by management."""
    from core.i18n import today_local
    from services.manual import confidentiality, crisis_protocol, pro008

    pro008.load(accounts["quality"], accounts["management"])
    crisis_protocol.load(accounts["quality"], accounts["management"])
    # The confidentiality policy, PRO 008's review calendar and readers, two confidentiality agreements.
    confidentiality.load(accounts, today_local())
    # Training sessions with attendance and scores, a crisis-protocol role-play, staff feedback (items 5 and 6).
    from services.manual import training_demo

    training_demo.load(accounts)


def _load_privacy(accounts) -> None:
    """Three data-subject requests handled by customer service: an access query answered on time, a rectification
    claim two business days from its deadline (escalated in Mi trabajo and on the dashboard) and an erasure request
    in progress; and the reveals that let the first client's "Quién consultó" show something."""
    from core.i18n import today_local
    from models.clients import Client
    from services import clients as client_service
    from services import privacy
    from services.documents.calendar import add_business_days

    today = today_local()
    handler, boss = accounts["service"], accounts["management"]
    people = list(Client.select().where(Client.status == "active", Client.kind == "person").order_by(Client.id).limit(3))
    if len(people) < 3:
        return
    answered = privacy.register(people[0], {
        "kind": "query", "channel": "email", "received_on": add_business_days(today, -12),
        "message": "Buenos días. Quisiera saber qué datos personales míos tiene la firma, para qué los usa y con quién "
                   "los ha compartido.",
        "identity_method": "registered_contact", "identity_notes": "Escribió desde el correo registrado en su ficha.",
        "assignee": handler.id}, handler)
    client_service.reveal(people[0], "document_number", "Verificar la identidad para la petición de acceso", handler)
    privacy.start(answered, handler)
    privacy.close(answered, "answered",
                  "Le enviamos la relación de sus datos (identificación, contacto, expediente del caso) y le indicamos "
                  "que no se han compartido con terceros fuera de los juzgados del proceso.",
                  "Respuesta enviada por correo electrónico desde atención al cliente.", handler)
    near = privacy.register(people[1], {
        "kind": "rectification", "channel": "phone", "received_on": add_business_days(today, -14),
        "message": "Cambié de dirección y de teléfono; pide que se actualicen en todos los documentos.",
        "identity_method": "document", "identity_notes": "Presentó su cédula en la oficina al día siguiente.",
        "assignee": handler.id}, handler)
    privacy.start(near, handler)
    privacy.register(people[2], {
        "kind": "erasure", "channel": "letter", "received_on": add_business_days(today, -2),
        "message": "Solicita que se supriman sus datos del boletín y de las encuestas; mantiene el contrato vigente.",
        "identity_method": "pending", "identity_notes": "", "assignee": handler.id}, handler)
    client_service.reveal(people[0], "document_number", "Preparar el poder para la audiencia", boss)


def _load_retention() -> None:
    """The retention review lists one client whose period has run out (a rejected prospect, nothing holding it), as
    the nightly job would: management or quality approve its erasure or set it aside from "Revisión de
    conservación". Nothing is erased in the demo itself."""
    from core.i18n import today_local
    from models.clients import Client
    from models.privacy import RetentionDue
    from services.privacy import erasure

    for client in Client.select().where(Client.status.in_(("rejected", "former"))).order_by(Client.id):
        if not erasure.holds(client):
            category = "rejected_prospect" if client.status == "rejected" else "former_client"
            RetentionDue.create(client=client, category=category, due_on=today_local())
            return


def _settle(complaint, received_at, cause: str, actions: str, days: int, user) -> None:
    """Analysis, resolution, client informed and agreeing, closed: all ``days`` after it came in."""
    from models.complaints import Complaint, ComplaintStatusChange
    from services import complaints

    complaints.change_status(complaint, "analysis", user)
    complaints.save_analysis(complaint, cause, actions, user)
    complaints.change_status(complaint, "resolved", user)
    complaints.record_informed(complaint, utcnow(), "phone", "agreed", user)
    complaints.change_status(complaint, "closed", user, "El cliente quedó conforme.")
    answered, done = received_at + timedelta(hours=3), received_at + timedelta(days=days)
    Complaint.update(first_response_at=answered, resolved_at=done, informed_at=done + timedelta(hours=2),
                     closed_at=done + timedelta(hours=3), updated_at=done + timedelta(hours=3),
                     created_at=received_at).where(Complaint.id == complaint.id).execute()
    moments = {"received": received_at, "analysis": answered, "resolved": done, "closed": done + timedelta(hours=3)}
    for change in ComplaintStatusChange.select().where(ComplaintStatusChange.complaint == complaint.id):
        when = moments.get(change.to_status, done)
        ComplaintStatusChange.update(created_at=when, updated_at=when).where(
            ComplaintStatusChange.id == change.id).execute()


def describe() -> list[str]:
    lines = ["", "Cuentas de demostración (una por rol), contraseña: " + DEMO_PASSWORD]
    for local, _role, label in DEMO_ACCOUNTS:
        lines.append(f"  {local + '@' + DOMAIN:34} {label}")
    lines += [
        "",
        "La primera vez que entres, Traza te pedirá configurar la verificación en dos pasos:",
        "  escanea el código QR con una app de autenticación (Google Authenticator, FreeOTP, Aegis…)",
        "  o calcula el código con la clave mostrada:  oathtool --totp -b 'CLAVESINESPACIOS'",
    ]
    return lines


def _slug(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))


def _load_crisis(fake, accounts) -> None:
    """Two crisis incidents: one closed ten days ago (no flag on the client's page any more; it closed without
    step 6, with the reason recorded) and one open now, escalated by customer service to quality, waiting in
    quality's work queue for the intervention (the client's page shows the flag)."""
    from datetime import timedelta

    from models.clients import Client
    from models.complaints import CrisisIncident
    from services.complaints import crisis

    service, quality = accounts["service"], accounts["quality"]
    clients = list(Client.select().where(Client.status == "active").order_by(Client.id).limit(2))
    if len(clients) < 2:
        return
    past = crisis.open_incident(clients[0], service, channel="phone", occurred_at=utcnow() - timedelta(days=10))
    for step in (1, 2, 3, 4, 5, 8):
        crisis.tick_step(past, step, service)
    crisis.save_record(past, crisis.Record("Llamó muy alterado por la demora en la audiencia; levantó la voz y "
                                           "amenazó con cambiar de firma.", ["apology", "pause"], "", False), service)
    crisis.close(past, "Aceptó una pausa; se le explicó la nueva fecha y quedó conforme.", service,
                 reason="No hizo falta derivar a un supervisor: el cliente se calmó con la pausa.")
    CrisisIncident.update(closed_at=utcnow() - timedelta(days=10)).where(CrisisIncident.id == past.id).execute()
    now = crisis.open_incident(clients[1], service, channel="in_person")
    for step in (1, 2):
        crisis.tick_step(now, step, service)
    crisis.save_record(now, crisis.Record("Se presentó en recepción exigiendo ver a su abogado y gritando al "
                                          "personal.", ["solution", "apology"], "Reunión hoy con el socio "
                                          "responsable, sin costo.", False), service)
    crisis.escalate(now, quality, service)


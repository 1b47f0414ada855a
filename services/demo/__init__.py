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
            user = User.create(email=email, name=f"{first} {last}", supervisor=accounts["management"],
                               password_hash=auth.hash_password(fake.password(length=20)) if i % 5 else None,
                               last_login_at=utcnow() - timedelta(days=fake.random_int(0, 20), minutes=fake.random_int(0, 600)))
            user.set_roles([roles[i % len(roles)]] + (["quality"] if i % 7 == 3 else []))
            audit.record("user_create", user, actor=None, fields=["email", "name", "roles"])
        _load_clients(fake, accounts)
        _load_cases(fake, accounts)
        _load_complaints(fake, accounts)
        _load_surveys(fake, accounts)
        _load_crisis(fake, accounts)
    lines.append("Demostración cargada: firma «Duarte & Asociados Abogados».")
    return lines


PRACTICE_AREAS = (
    ("Derecho laboral", "Despidos, contratos de trabajo, seguridad social, acoso laboral."),
    ("Derecho de familia", "Divorcios, custodia, alimentos, sucesiones."),
    ("Derecho comercial y societario", "Constitución de sociedades, contratos mercantiles, reestructuraciones."),
    ("Derecho tributario", "Declaraciones, fiscalizaciones de la DIAN, planeación fiscal."),
    ("Derecho inmobiliario", "Compraventas, arrendamientos, propiedad horizontal."),
    ("Protección de datos", "Habeas data, políticas de tratamiento, incidentes de seguridad."),
)

NEEDS = (
    "Despido sin justa causa después de ocho años en la empresa; quiere saber si le corresponde indemnización.",
    "Constituir una S.A.S. con dos socios y redactar los estatutos y el acuerdo de accionistas.",
    "Requerimiento ordinario de la DIAN por la declaración de renta del año pasado.",
    "Divorcio de mutuo acuerdo con liquidación de la sociedad conyugal y custodia compartida.",
    "El arrendatario del local lleva cuatro meses sin pagar el canon; desea iniciar la restitución.",
    "Adecuar la política de tratamiento de datos personales de la tienda en línea.",
    "Revisión del contrato de distribución con un proveedor extranjero antes de firmarlo.",
    "Reclamación por horas extra no pagadas y recargos nocturnos.",
)


PRIVACY_NOTICE = """Duarte & Asociados Abogados, responsable del tratamiento, recoge y trata tus datos personales
para prestarte los servicios jurídicos contratados, gestionar la relación contigo y, si lo autorizas, enviarte
encuestas de satisfacción y nuestro boletín, conforme a la Ley 1581 de 2012 y sus decretos reglamentarios.

Los datos sensibles (por ejemplo, de salud) solo se tratan con tu autorización explícita; no estás obligado a
darla. Puedes conocer, actualizar, rectificar y suprimir tus datos, y revocar la autorización, escribiendo a
datos@duarte-asociados.test. Conservamos tus datos mientras dure la relación y los plazos legales aplicables."""


def _evaluate(service, client, user, fake, newsletter=False) -> None:
    from datetime import date, datetime, timedelta

    service.decide_conflicts(client, "clear", "", user)
    service.save_evaluation(client, {
        "specialty_fit": True, "viability_notes": "Caso viable; pruebas documentales suficientes.",
        "consultation_at": datetime(2026, 11, 2, 15, 0) + timedelta(days=fake.random_int(0, 15)),
        "consultation_mode": fake.random_element(("in_person", "video", "phone")),
        "attendees": f"{client.name}; {user.display_name}", "consultation_notes": "Se revisaron los antecedentes.",
        "expectations": "Propuesta de servicios en cinco días hábiles."}, user)
    for item in ("identity_document", "case_authenticity"):
        service.record_verification(client, item, "verified", "", user)
    service.record_verification(client, "power_of_attorney", "not_applicable", "", user)
    if client.is_company:
        service.record_verification(client, "company_registration", "verified", "Certificado de Cámara de Comercio", user)
    service.record_consent(client, ["service", "surveys"] + (["newsletter"] if newsletter else []), "written",
                           date(2026, 11, 3), "Formulario firmado", user)


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
    PrivacyNotice.publish(PRIVACY_NOTICE, accounts["admin"])
    commercial, management = accounts["commercial"], accounts["management"]
    types = ["", "", "aggressive", "shy", "talkative", "sceptical", "impatient"]
    flow = ["prospect", "evaluating", "evaluating", "accepted", "rejected", "prospect", "accepted", "evaluating"]
    registered = []
    for i in range(36):
        company = i % 3 == 0
        name = company_name(fake) if company else f"{fake.first_name()} {fake.last_name()} {fake.last_name()}"
        counterparties = []
        if i % 4 == 1:
            counterparties.append({"name": company_name(fake), "kind": "counterparty", "document_type": "NIT",
                                   "document_number": _valid_nit(fake)})
        if i == 10 and registered:  # a prospect whose counterparty is already our client: a real conflict
            counterparties.append({"name": registered[0].name, "kind": "counterparty", "document_type": "",
                                   "document_number": ""})
        phone = f"+57{fake.random_element(MOBILE_PREFIXES)}{fake.random_int(0, 9_999_999):07d}"
        data = {
            "kind": "company" if company else "person", "name": name,
            "document_type": "NIT" if company else "CC",
            "document_number": _valid_nit(fake) if company else str(fake.random_int(10_000_000, 1_199_999_999)),
            "email": fake.unique.email().lower(), "phone": phone, "phone_alt": "", "address": fake.street_address(),
            "city": fake.random_element(("Bogotá", "Medellín", "Cali", "Barranquilla", "Bucaramanga")),
            "country": "CO", "preferred_channel": fake.random_element(("email", "phone", "whatsapp", "in_person")),
            "source": fake.random_element(("visit", "social", "alliance", "web", "other")),
            "practice_area": areas[i % len(areas)].id, "responsible": commercial.id if i % 2 else management.id,
            "customer_type": types[i % len(types)], "need": NEEDS[i % len(NEEDS)], "special_requirements": "",
        }
        client = service.register(data, counterparties, commercial)
        registered.append(client)
        target = flow[i % len(flow)]
        if target in ("evaluating", "accepted", "rejected"):
            service.transition(client, "evaluating", "Consulta inicial agendada", commercial)
        if target == "accepted":
            _evaluate(service, client, commercial, fake, newsletter=i % 3 == 1)
            service.transition(client, "accepted", "Caso viable dentro de nuestra especialidad", commercial)
            _quote_and_contract(client, commercial, fake, activate=i % 2 == 1, ends_in=(20, 50, 200)[i % 3])
        if target == "rejected":
            service.transition(client, "rejected", "La necesidad no corresponde a nuestras áreas de práctica", commercial)
    assert Client.select().where(Client.name_key == name_key(registered[0].name)).exists()


CASE_TITLES = {
    "Derecho laboral": ("Demanda por despido sin justa causa", "Reclamación de horas extra y recargos"),
    "Derecho de familia": ("Divorcio de mutuo acuerdo", "Fijación de cuota alimentaria"),
    "Derecho comercial y societario": ("Constitución de S.A.S. y acuerdo de accionistas", "Revisión de contrato de distribución"),
    "Derecho tributario": ("Respuesta a requerimiento ordinario de la DIAN", "Planeación fiscal anual"),
    "Derecho inmobiliario": ("Restitución de inmueble arrendado", "Compraventa de local comercial"),
    "Protección de datos": ("Política de tratamiento de datos personales", "Atención de incidente de seguridad"),
}


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
        area = client.practice_area
        title = CASE_TITLES.get(area.name, ("Asesoría integral", ""))[0]
        case = cases.open_case(client, {"title": title, "responsible": ops, "team": [service],
                                        "description": client.need}, management, today - timedelta(days=40 - n))
        cases.save_planning(case, {"legal_analysis": "Normas aplicables y precedentes revisados en la consulta inicial.",
                                   "strategy": "Intentar primero un acuerdo; si no prospera, acción judicial. Riesgo: "
                                               "falta de pruebas documentales del cliente.",
                                   "budget_amount": 3_500_000 + 500_000 * n, "budget_told_on": today - timedelta(days=35),
                                   "budget_told_how": "in_person",
                                   "budget_notes": "Honorarios según cotización; gastos procesales aparte."}, ops)
        cases.add_party(case, "counterparty", company_name(fake), "Contraparte", ops)
        for kind, what in (("document", "Correos y comunicaciones con la contraparte"), ("testimony", "Declaración de un testigo")):
            cases.add_evidence(case, kind, what, ops)
        for when, channel, direction, kind, summary in (
                (25, "in_person", "in", "meeting", "Reunión de inicio: se explicaron el plan de trabajo y los costos."),
                (12, "email", "out", "update", "Informe de avance enviado al cliente con los próximos pasos."),
                (3, "phone", "in", "question", "El cliente pregunta cuándo estará lista la radicación.")):
            interactions.log(client, {"occurred_at": datetime.utcnow() - timedelta(days=when + n), "channel": channel,
                                      "direction": direction, "kind": kind, "summary": summary, "confidential": False},
                             ops, case=case)
        cases.plan_intervention(case, {"starts_at": to_utc(datetime.combine(today + timedelta(days=1 + n), time(14, 0))),
                                       "duration_minutes": 90, "assigned": ops, "place": "Oficina del cliente",
                                       "purpose": "Reunión de seguimiento y revisión de documentos"}, management)
        if stages[n % len(stages)] != "open":
            cases.change_status(case, "in_progress", "", ops, today)
        due = calendar.add_business_days(today, 4 + 3 * n, "CO")
        deadlines.add_deadline(case, {"description": "Radicar la respuesta" if n % 2 else "Presentar la demanda",
                                      "kind": "procedural", "due_on": due, "due_time": time(17, 0), "responsible": ops,
                                      "offsets": [7, 1]}, management)
        if stages[n % len(stages)] == "resolved":
            cases.save_resolution(case, {"resolution_summary": "Acuerdo conciliatorio aprobado; pago en 30 días.",
                                         "explained_on": today - timedelta(days=1), "explained_how": "in_person",
                                         "client_understood": True}, ops)
            cases.change_status(case, "resolved", "", ops, today)


COMPLAINT_CATEGORIES = ("Demora en la respuesta", "Comunicación e información", "Facturación y cobros",
                       "Trato del personal", "Calidad del servicio jurídico", "Instalaciones y atención")
SLA_RULES = (("complaint", "high", 1, 3), ("complaint", "medium", 1, 5), ("complaint", "low", 2, 10),
             ("claim", "high", 1, 3), ("claim", "medium", 1, 5), ("claim", "low", 2, 10),
             ("request", "medium", 1, 5), ("query", "medium", 1, 2))


def _load_complaints(fake, accounts) -> None:
    """The complaints register: categories, SLA rules and complaints of the demo clients in every status
    (one breached, one near breach, one closed with the client informed)."""
    from datetime import datetime, time

    from core.i18n import to_local, to_utc
    from models.cases import Case
    from models.clients import Client
    from models.complaints import Complaint, ComplaintCategory, SlaRule
    from services import complaints
    from services.documents import calendar

    service, quality = accounts["service"], accounts["quality"]
    categories = {name: ComplaintCategory.create(name=name) for name in COMPLAINT_CATEGORIES}
    for kind, severity, response, resolution in SLA_RULES:
        SlaRule.create(kind=kind, severity=severity, response_days=response, resolution_days=resolution)
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
    one(0, "complaint", "Lleva dos semanas escribiendo y nadie le responde sobre el estado de su demanda.",
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
    resolved = one(3, "request", "Pide una copia del poder firmado y del acta de conciliación.", "Comunicación e información",
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
    one(7, "query", "¿Cuándo es la próxima audiencia?", "Comunicación e información", 0, channel="messaging")


SURVEY_CASES = (  # (days since closing, what happened to its survey)
    (1, "pending"), (3, "sent"), (4, "opened"), (6, "answered"), (9, "answered"), (20, "expired"),
    (7, "by_hand"), (2, "by_hand_shown"))
SURVEY_COMMENTS = ("Muy buena atención; me explicaron cada paso con claridad.",
                   "El proceso fue ágil, aunque me hubiera gustado recibir más avances por correo.")


def _load_surveys(fake, accounts) -> None:
    """The default satisfaction survey and closed cases whose invitations are in every state: waiting to be
    sent, sent, opened, answered, expired, and two for a client without email consent (one overdue in the
    responsible's work queue, one whose link was handed over)."""
    from peewee import fn

    from core.i18n import to_local, today_local
    from models.cases import Case
    from models.clients import Client
    from models.documents import Deadline, DocumentItem
    from models.mail import OutboundEmail
    from models.surveys import SurveyInvitation
    from services import cases, clients, surveys
    from services.surveys import answers as survey_answers

    ops, service = accounts["operations"], accounts["service"]
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
        closed_on = today - timedelta(days=days_ago)
        area = client.practice_area
        title = CASE_TITLES.get(area.name, ("", "Asesoría puntual"))[1] or "Asesoría puntual"
        case = cases.open_case(client, {"title": title, "responsible": ops, "team": [service],
                                        "description": client.need}, ops, closed_on - timedelta(days=60))
        DocumentItem.update(status="received").where(DocumentItem.case == case.id).execute()  # demo: all in
        Deadline.update(status="done").where(Deadline.case == case.id).execute()
        cases.change_status(case, "in_progress", "", ops, closed_on)
        cases.save_resolution(case, {"resolution_summary": "Asunto resuelto; el cliente recibió el concepto final.",
                                     "explained_on": closed_on, "explained_how": "in_person",
                                     "client_understood": True}, ops)
        cases.change_status(case, "resolved", "", ops, closed_on)
        cases.change_status(case, "closed", "Servicio concluido", ops, closed_on)
        closed_at = now - timedelta(days=days_ago)
        Case.update(closed_at=closed_at, resolved_at=closed_at).where(Case.id == case.id).execute()
        invitation = SurveyInvitation.get(SurveyInvitation.case == case.id)
        sent_at = closed_at + timedelta(days=1)
        SurveyInvitation.update(send_on=to_local(sent_at).date(), created_at=closed_at).where(
            SurveyInvitation.id == invitation.id).execute()
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
            questions = survey_answers.questions_of(invitation.template_id)
            values = {survey_answers.field_name(q): {"rating": str(5 - (i + n) % 2), "nps": str(9 + n % 2),
                                                     "text": SURVEY_COMMENTS[n % 2]}.get(q.kind, "")
                      for i, q in enumerate(questions)}
            survey_answers.submit(invitation, values, questions, now=sent_at + timedelta(days=1))
        elif state == "expired":
            surveys.expire_invitations(now=now)
    # The messages of these past sends are history: not to be delivered now to the demo's invented addresses.
    OutboundEmail.delete().where(OutboundEmail.id > first_mail).execute()


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


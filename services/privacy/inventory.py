"""The inventory of databases (issue 19 item 7; Ley 1581 de 2012 art. 25 and Decreto 886 de 2014: the firm registers
its databases of personal data in the RNBD of the Superintendencia de Industria y Comercio).

Each register of personal data Traza keeps (clients, parties, staff, survey respondents, newsletter subscribers) is
*generated*, not typed:

- its tables and their personal columns come from the models (``ALL_MODELS``): a column named like a person's name,
  email, phone, address, IP or browser, every encrypted column (``core.keys.sealed_columns``) and every reference to
  a client;
- who has access comes from the role → permission table (``core.guard.PERMISSIONS``);
- how many people it holds comes from the database (one count per register: five queries, whatever the size);
- retention comes from the ``RETENTION`` setting (TRAZA_RETENTION), the kinds of record of each register named in
  ``RETENTION_SETTINGS`` (the one place to name them); a register without one reads "sin plazo definido".

Only the purpose (finalidad) and the legal basis (autorización…) are declared here, per register, in the terms of
Ley 1581 and Decreto 1377 de 2013. ``unregistered()`` names any model holding personal data that no register lists
(a test keeps it empty), so a new table of personal data cannot go unnoticed."""

import re
from dataclasses import dataclass

from flask_babel import ngettext
from peewee import ForeignKeyField, fn

from core.guard import PERMISSIONS, ROLES, SIGNED_IN
from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext
from core.keys import sealed_columns
from models import ALL_MODELS
from models.clients import Client, Party
from models.consent import Consent
from models.surveys import SurveyInvitation
from models.users import User

# The one place that names the retention settings: register → the kinds of record of the ``RETENTION`` setting
# (TRAZA_RETENTION, "former_client=5,rejected_prospect=1,contract=10,blocking=5", years; services/privacy/erasure.py
# reads it with the region's defaults). A register with none reads "no period defined".
RETENTION_SETTING = "TRAZA_RETENTION"
RETENTION_SETTINGS = {
    "clients": ("former_client", "rejected_prospect", "contract", "blocking"),
    "parties": ("former_client",),  # declared with the client: erased with them
    "staff": (),
    "survey_respondents": ("former_client",),  # the invitations and answers go with the client's erasure
    "newsletter": (),
}
RETENTION_KINDS = {
    "former_client": _l("Former clients"),
    "rejected_prospect": _l("Rejected prospects"),
    "contract": _l("Contracts"),
    "blocking": _l("Blocked data"),
}

# A column whose name says it holds a person's identification or contact data.
PERSONAL_NAME = re.compile(r"(^|_)(name|email|phone|phone_alt|address|ip|user_agent)$")

# Tables with a column that looks personal but holds none: catalogues and file names kept under random names.
NOT_PERSONAL = {
    "practice_area": _l("Catalogue of practice areas"),
    "requirement_template": _l("Catalogue of document requirements"),
    "document_item": _l("Names of the documents a case needs"),
    "holiday": _l("Calendar of holidays"),
    "survey_template": _l("Survey templates"),
    "complaint_category": _l("Catalogue of complaint categories"),
    "benefit_rule": _l("Catalogue of loyalty benefits"),
}


@dataclass(frozen=True)
class Register:
    key: str
    name: object
    purpose: object  # finalidad
    legal_basis: object  # autorización and the rule that allows the processing
    subjects: object  # who the data is about
    tables: tuple  # table names: a table not (yet) in the data model is left out
    read: tuple  # permissions that read the register
    confidential: tuple = ()  # permissions that see its confidential (encrypted) data in full


REGISTERS = (
    Register(
        "clients", _l("Clients"),
        _l("Provide the professional services the client engages: intake and evaluation, conflict check, quotation "
           "and contract, the cases and their documents and deadlines, the interaction log, complaints and the "
           "crisis protocol, renewals, and answering the client's requests as data subject (PRO 008)."),
        _l("Prior, express and informed authorization of the data subject (Ley 1581 de 2012, art. 9; Decreto 1377 "
           "de 2013, art. 5), recorded with the version of the privacy notice shown; sensitive data only with the "
           "explicit authorization for it (Ley 1581, art. 6); the contract with the client for its execution."),
        _l("Clients and prospects, people and companies"),
        ("client", "client_status_change", "search_token", "intake_evaluation", "verification_check",
         "conflict_check", "consent", "quotation", "quotation_line", "contract", "renewal_decision", "legal_case",
         "case_member", "case_status_change", "evidence_item", "intervention", "final_delivery", "interaction",
         "meeting", "document_version", "stored_file", "deadline", "task", "complaint", "complaint_status_change",
         "crisis_incident", "crisis_step", "data_subject_request", "erasure", "retention_due", "benefit_grant",
         "referral_thanks", "outbound_email"),
        read=("clients.view",), confidential=("clients.reveal",)),
    Register(
        "parties", _l("Counterparties and related parties"),
        _l("Check conflicts of interest before accepting a client or a case, and identify who takes part in each "
           "case."),
        _l("Data supplied by the client for the engagement, used only for the conflict check and the case "
           "(Ley 1581 de 2012, art. 4 b, principle of purpose); public data without authorization (art. 10 b)."),
        _l("Counterparties and related parties named by clients"),
        ("party", "search_token", "conflict_check"),
        read=("clients.view", "cases.view")),
    Register(
        "staff", _l("Staff"),
        _l("Manage the staff's accounts, roles and supervisors, sign-in with two-step verification, sessions, the "
           "audit log of their actions, the periodic access review, their reading of the manual, their training and "
           "its evaluation."),
        _l("The employment or service contract with the firm and the duty of security and confidentiality "
           "(Ley 1581 de 2012, art. 17 d and art. 4 g); authorization of the data subject (art. 9)."),
        _l("Staff with an account"),
        ("app_user", "user_role", "user_session", "recovery_code", "activation_token", "password_reset_token",
         "audit_event", "audit_subject", "access_review_line", "manual_ack", "manual_agreement", "training_session", "training_attendee", "manual_feedback",
         "outbound_email"),
        read=("users.manage", "privacy.reads")),
    Register(
        "survey_respondents", _l("Survey respondents"),
        _l("Measure client satisfaction after each service and follow up low ratings (PRO 008 §7, satisfaction "
           "survey)."),
        _l("Authorization of the data subject for the purpose «surveys» (Ley 1581 de 2012, art. 9; Decreto 1377 "
           "de 2013, art. 5); anonymous answers carry no identification."),
        _l("Clients invited to the satisfaction survey and those who answered it"),
        ("survey_invitation", "survey_link", "survey_response", "survey_answer"),
        read=("surveys.results", "surveys.invite")),
    Register(
        "newsletter", _l("Newsletter subscribers"),
        _l("Send the firm's newsletter and news to the clients who asked for it."),
        _l("Specific authorization for the purpose «newsletter», which the data subject can revoke at any time "
           "(Ley 1581 de 2012, art. 8 e; Decreto 1377 de 2013, art. 9)."),
        _l("Clients whose latest consent for the newsletter is given"),
        ("consent", "client", "newsletter_delivery"),
        read=("clients.view",)),
)

TREATMENT = _l("Automated (Traza), on the firm's servers")
SECURITY = _l("Access by role, deny by default; two-step verification for every account; confidential fields "
              "encrypted at rest (AES-256-GCM) and each reveal logged; audit log chained with a key; encrypted "
              "backups.")


# ----- what the models say -----

def _sealed() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for spec in sealed_columns():
        out.setdefault(spec.model._meta.table_name, []).append(spec.column)
    return out


def personal_columns(model, sealed=None) -> dict:
    """What makes a model hold personal data: its personal columns, its encrypted columns and its references to
    a client (empty lists when none)."""
    sealed = _sealed() if sealed is None else sealed
    encrypted = list(sealed.get(model._meta.table_name, []))
    names = [f.name for f in model._meta.sorted_fields
             if PERSONAL_NAME.search(f.name) and f.name not in encrypted]
    to_client = [f.name for f in model._meta.sorted_fields
                 if isinstance(f, ForeignKeyField) and f.rel_model is Client]
    return {"personal": names, "encrypted": encrypted, "client": to_client}


def holds_personal_data(model, sealed=None) -> bool:
    found = personal_columns(model, sealed)
    return bool(found["personal"] or found["encrypted"] or found["client"])


def _by_table(models=None) -> dict:
    return {m._meta.table_name: m for m in (ALL_MODELS if models is None else models)}


def unregistered(models=None) -> list[str]:
    """Tables holding personal data that no register lists and that are not declared as not personal."""
    sealed = _sealed()
    listed = {t for r in REGISTERS for t in r.tables}
    return sorted(name for name, model in _by_table(models).items()
                  if name not in listed and name not in NOT_PERSONAL and holds_personal_data(model, sealed))


def _tables(register: Register, sealed, models: dict) -> list[dict]:
    """Each table of the register with its personal, encrypted and client columns; ``direct`` when it has any
    (the others hold the register's data through a reference to one of these, e.g. a quotation's lines)."""
    out = []
    for name in register.tables:
        if name in models:
            found = personal_columns(models[name], sealed)
            out.append({"table": name, **found, "direct": any(found.values())})
    return out


# ----- who has access: the role → permission table -----

def roles_with(permission: str) -> list[str]:
    if permission in SIGNED_IN:
        return list(ROLES)
    return [role for role in ROLES if permission in PERMISSIONS.get(role, frozenset())]


def _access(register: Register) -> dict:
    def union(perms):
        found = {role for p in perms for role in roles_with(p)}
        return [role for role in ROLES if role in found]  # in the table's order
    return {"read": union(register.read), "confidential": union(register.confidential)}


# ----- how many people: the database -----

def _newsletter_subscribers() -> int:
    latest = (Consent.select(fn.MAX(Consent.id)).where(Consent.purpose == "newsletter").group_by(Consent.client))
    return Consent.select().where(Consent.id.in_(latest), Consent.granted == True).count()  # noqa: E712


def _survey_respondents() -> int:
    return (SurveyInvitation.select(fn.COUNT(fn.DISTINCT(SurveyInvitation.client))).scalar() or 0)


COUNTS = {
    "clients": lambda: Client.select().count(),
    "parties": lambda: Party.select().count(),
    "staff": lambda: User.select().count(),
    "survey_respondents": _survey_respondents,
    "newsletter": _newsletter_subscribers,
}


# ----- retention: the settings -----

def _retention_years() -> dict:
    """The retention periods in years by kind of record, as the erasure service reads the ``RETENTION`` setting
    (with the region's defaults)."""
    from services.privacy.erasure import years

    return years()


def retention(key: str, years: dict) -> list[str]:
    """The retention of a register, one line per kind of record; "no period defined" when no setting covers it."""
    lines = [f"{RETENTION_KINDS[kind]}: " + ngettext("%(num)d year", "%(num)d years", years[kind])
             for kind in RETENTION_SETTINGS.get(key, ()) if years.get(kind) is not None]
    return lines or [str(_l("no period defined"))]


def inventory() -> list[dict]:
    """Every register with what the models, the permissions, the database and the settings say about it."""
    sealed, models, years = _sealed(), _by_table(), _retention_years()
    rows = []
    for register in REGISTERS:
        rows.append({
            "register": register, "key": register.key, "name": register.name, "purpose": register.purpose,
            "legal_basis": register.legal_basis, "subjects": register.subjects, "count": COUNTS[register.key](),
            "tables": _tables(register, sealed, models), "access": _access(register),
            "retention": retention(register.key, years),
        })
    return rows


def _columns_text(tables, kind: str) -> str:
    return "; ".join(f"{t['table']}: {', '.join(t[kind])}" for t in tables if t[kind])


def export_rows(rows) -> tuple[list[str], list[list]]:
    """Headers and rows of the spreadsheet for the RNBD registration: one row per register."""
    headers = [str(h) for h in (
        _l("Database"), _l("Data subjects"), _l("Number of data subjects"), lazy_pgettext("data protection", "Purpose"),
        _l("Legal basis"),
        _l("Personal data (table: columns)"), _l("Encrypted data (table: columns)"),
        _l("Tables referring to a client"), _l("Who reads it"), _l("Who sees confidential data"),
        _l("Retention"), _l("Form of processing"), _l("Security measures"))]
    out = []
    for r in rows:
        out.append([
            str(r["name"]), str(r["subjects"]), r["count"], str(r["purpose"]), str(r["legal_basis"]),
            _columns_text(r["tables"], "personal"), _columns_text(r["tables"], "encrypted"),
            ", ".join(t["table"] for t in r["tables"] if t["client"]),
            ", ".join(ROLES[x] for x in r["access"]["read"]),
            ", ".join(ROLES[x] for x in r["access"]["confidential"]),
            "; ".join(r["retention"]), str(TREATMENT), str(SECURITY),
        ])
    return headers, out


def to_xlsx(rows) -> bytes:
    from services.clients.io import to_xlsx as sheet

    headers, body = export_rows(rows)
    return sheet(body, headers=headers, title="Inventario de bases de datos")

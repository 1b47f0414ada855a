"""Words shown for the client model's codes (the codes live in models/clients.py)."""

from core.i18n import lazy_gettext as _l
from core.i18n import lazy_pgettext

KINDS = {"person": _l("Person"), "company": _l("Company")}
DOCUMENT_TYPES = {
    "CC": _l("CC · Citizenship card (Colombia)"),
    "CE": _l("CE · Foreigner ID card (Colombia)"),
    "NIT": _l("NIT · Tax ID (Colombia)"),
    "PAS": _l("Passport"),
    "DNI": _l("DNI (Spain)"),
    "NIE": _l("NIE · Foreigner ID (Spain)"),
    "CIF": _l("CIF / NIF of a company (Spain)"),
}
PERSON_DOCUMENTS = ("CC", "CE", "PAS", "DNI", "NIE")
COMPANY_DOCUMENTS = ("NIT", "CIF")
CHANNELS = {"email": _l("Email"), "phone": _l("Phone call"), "whatsapp": _l("Messaging (WhatsApp)"),
            "in_person": _l("In person"), "video": _l("Video call")}
SOURCES = {"visit": _l("Commercial visit"), "social": _l("Social networks"), "alliance": _l("Strategic alliance"),
           "referral": _l("Referred by a client"), "web": _l("Website"), "other": _l("Other")}
STATUSES = {"prospect": _l("Prospect"), "evaluating": _l("In evaluation"), "accepted": _l("Accepted"),
            "rejected": _l("Rejected"), "active": lazy_pgettext("client", "Active"), "former": _l("Former client")}
STATUS_BADGES = {"prospect": "muted", "evaluating": "warn", "accepted": "ok", "rejected": "danger",
                 "active": "ok", "former": "muted"}
TRANSITION_ACTIONS = {"evaluating": _l("Start evaluation"), "accepted": _l("Accept"), "rejected": _l("Reject"),
                      "active": _l("Activate"), "former": _l("Mark as former client")}
COUNTRIES = {"CO": _l("Colombia"), "ES": _l("Spain")}
# Customer types and how to treat them (servicio-al-cliente-presentacion, source: Uniminuto).
CUSTOMER_TYPES = {"aggressive": _l("Aggressive"), "shy": _l("Shy"), "talkative": _l("Talkative"),
                  "sceptical": _l("Sceptical"), "impatient": _l("Impatient")}
CUSTOMER_ADVICE = {
    "aggressive": _l("Listen with patience. Stay calm."),
    "shy": _l("Inspire confidence. Ask questions that help them make their need concrete."),
    "talkative": _l("Let them talk, with patience and courtesy, then steer the conversation back."),
    "sceptical": _l("Give detailed information. Speak with confidence."),
    "impatient": _l("Skip the details. Serve them quickly."),
}
DECISIONS = {"clear": _l("No conflict"), "conflict": _l("Conflict of interest"), "waived": _l("Conflict waived")}
HIT_REASONS = {"document": _l("same document"), "email": _l("same email"), "phone": _l("same phone"),
               "name": _l("similar name")}
PARTY_KINDS = {"counterparty": _l("Counterparty"), "related": _l("Related party")}
CONSULTATION_MODES = {"in_person": _l("In person"), "phone": _l("Phone call"), "video": _l("Video call")}
VERIFICATION_ITEMS = {
    "identity_document": _l("Identity document seen"),
    "case_authenticity": _l("Authenticity of the case"),
    "power_of_attorney": _l("Power of attorney (if someone acts for the client)"),
    "company_registration": _l("Company registration certificate"),
}
VERIFICATION_STATES = {"pending": _l("Pending"), "verified": _l("Verified"), "not_applicable": _l("Not applicable")}
PURPOSES = {"service": _l("Delivering the service"), "surveys": _l("Satisfaction surveys"),
            "newsletter": _l("Newsletter"), "sensitive_data": _l("Sensitive personal data (explicit)")}
CONSENT_METHODS = {"written": _l("Written (signed form)"), "oral": _l("Oral (recorded by staff)"),
                   "electronic": _l("Electronic")}
# What can keep a row of a CSV import out, in the order the result page lists them: a title for the group and
# what to do about it.
IMPORT_PROBLEMS = {
    "name": (_l("Name missing"), _l("Write the client's full name or the company's name.")),
    "kind": (_l("Unknown type"), _l("Type must be “persona” or “empresa”.")),
    "document": (_l("Document number not valid"), _l("The document number is not valid for its type.")),
    "email": (_l("Email not valid"), _l("The email address is not valid.")),
    "phone": (_l("Phone number not valid"),
              _l("Write a phone number of the row's country (column “pais”, Colombia if empty), such as "
                 "300 123 4567 or +57 300 123 4567.")),
    "area": (_l("Unknown practice area"), _l("Use the name of one of the firm's practice areas: %(areas)s.")),
    "source": (_l("Unknown source"), _l("Use visita, redes, alianza, referido, web or otro, or leave it empty.")),
    "duplicate": (_l("Possible duplicate"),
                  _l("The client is already in Traza, or the row repeats an earlier row of this file: remove the "
                     "row and open the existing client instead.")),
}

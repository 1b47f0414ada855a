"""A conflict check cleared against a strong match records why (issue 11, item 14).

Strong: the same document, email or phone (100) or a name scoring at least ``STRONG_SCORE`` with the
fuzzy matching the search already uses. The reason is required beside the field, stored on the check,
kept in the audit row and shown with the decision.
"""

import re

import pytest

from models import conflict_search
from models.audit import AuditEvent
from models.clients import STRONG_SCORE, Client, ConflictCheck, is_strong
from services import clients as service
from tests.factories import make_client

ANDINA = {"name": "Constructora Andina S.A.S.", "kind": "counterparty", "document_type": "NIT",
          "document_number": "9001234568"}


def _prospect_against_active_client(app, counterparty):
    with app.test_request_context():
        existing = make_client(name="Constructora Andina SAS", kind="company", document_type="NIT",
                               document_number="9001234568", email="", phone="")
        Client.update(status="active").where(Client.id == existing.id).execute()
        prospect = make_client(name="Julián Andrés Cárdenas", document_number="79865432", email="julian@correo.test",
                               phone="+573007654321", counterparties=[counterparty])
    return prospect


def test_clearing_a_strong_match_needs_a_reason_beside_the_field(app, http, login_as):
    login_as("commercial")
    prospect = _prospect_against_active_client(app, ANDINA)
    check = ConflictCheck.latest_for(prospect)
    assert [h["score"] for h in check.strong_hits] == [100]
    page = http.get(f"/clientes/{prospect.id}/admision").get_data(as_text=True)
    assert "coincidencia fuerte" in page and "Obligatorio: la búsqueda encontró una coincidencia fuerte" in page

    refused = http.post(f"/clientes/{prospect.id}/conflictos", data={"decision": "clear", "reason": "  "})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="conflict-reason-error"' in body and "explica por qué no hay conflicto" in body
    assert ConflictCheck.get_by_id(check.id).decision is None
    assert not AuditEvent.select().where(AuditEvent.action == "conflict_decision").exists()

    why = "Es otra sociedad: NIT distinto verificado en Cámara de Comercio."
    saved = http.post(f"/clientes/{prospect.id}/conflictos", data={"decision": "clear", "reason": why})
    assert saved.status_code == 303
    stored = ConflictCheck.get_by_id(check.id)
    assert stored.decision == "clear" and stored.reason == why
    event = AuditEvent.get(AuditEvent.action == "conflict_decision")
    assert "reason" in event.fields.split(",") and why in event.detail and "strong=1" in event.detail
    shown = http.get(f"/clientes/{prospect.id}/admision").get_data(as_text=True)
    assert "Sin conflicto" in shown and f"Motivo:</strong> {why}" in shown


def test_a_reason_is_kept_in_the_audit_when_a_later_decision_replaces_it(app, http, login_as):
    login_as("commercial")
    prospect = _prospect_against_active_client(app, ANDINA)
    first, second = "Homónimo: otra sociedad, verificado.", "Revisado de nuevo: conflicto dispensado por escrito."
    assert http.post(f"/clientes/{prospect.id}/conflictos", data={"decision": "clear", "reason": first}).status_code == 303
    assert http.post(f"/clientes/{prospect.id}/conflictos", data={"decision": "waived", "reason": second}).status_code == 303
    details = [e.detail for e in AuditEvent.select().where(AuditEvent.action == "conflict_decision").order_by(AuditEvent.id)]
    assert first in details[0] and second in details[1]


def test_a_weak_match_can_be_cleared_without_a_reason(app, http, login_as):
    login_as("commercial")
    weak = {"name": "Carlos Gómez Díaz", "kind": "counterparty", "document_type": "", "document_number": ""}
    with app.test_request_context():
        other = make_client(name="Carlos Gómez Ruiz", document_number="80123456", email="", phone="")
        Client.update(status="active").where(Client.id == other.id).execute()
        prospect = make_client(name="Julián Andrés Cárdenas", document_number="79865432", email="julian@correo.test",
                               phone="+573007654321", counterparties=[weak])
    check = ConflictCheck.latest_for(prospect)
    scores = [h["score"] for h in check.hit_list]
    assert scores and all(conflict_search.NAME_THRESHOLD <= s < STRONG_SCORE for s in scores)
    assert "coincidencia fuerte" not in http.get(f"/clientes/{prospect.id}/admision").get_data(as_text=True)
    assert http.post(f"/clientes/{prospect.id}/conflictos", data={"decision": "clear"}).status_code == 303
    assert ConflictCheck.get_by_id(check.id).decision == "clear"


def test_the_rule_holds_below_the_form_too(app, make_user):
    prospect = _prospect_against_active_client(app, ANDINA)
    user = make_user(roles=("commercial",))
    with app.test_request_context(), pytest.raises(service.TransitionError):
        service.decide_conflicts(prospect, "clear", "", user)
    assert ConflictCheck.latest_for(prospect).decision is None


def test_strong_is_the_same_score_the_page_marks(app):
    assert conflict_search.NAME_THRESHOLD < STRONG_SCORE <= 100
    assert is_strong({"score": STRONG_SCORE})
    assert not is_strong({"score": STRONG_SCORE - 1})


def test_the_admission_tab_has_no_two_fields_with_one_id(app, http, login_as):
    """The conflict decision and the status change each have a reason: one id each, so each label names its
    own field (a label pointing at the other form's field made a person's reason land in the wrong form)."""
    import re
    from collections import Counter

    from tests.factories import make_area, make_client

    login_as("commercial")
    with app.app_context():
        make_area()
        client = make_client(counterparties=[{"name": "Ferretería El Tornillo Ltda.", "kind": "counterparty",
                                              "document_type": "", "document_number": ""}])
    page = http.get(f"/clientes/{client.id}/admision").get_data(as_text=True)
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1 and i != "csrf_token"] == []  # hidden tokens carry no label
    assert 'for="conflict-reason"' in page and 'id="conflict-reason"' in page


def test_a_decision_saved_in_place_leaves_the_other_forms_of_the_tab_empty(app, http, login_as):
    """The tab comes back from the decision's POST (htmx): the status change's reason must not be filled with
    the decision's, or "Iniciar evaluación" would record it as the reason of the status change."""
    login_as("management")
    prospect = _prospect_against_active_client(app, ANDINA)
    why = "La contraparte es otra sede; sin relación con el asunto."
    tab = http.post(f"/clientes/{prospect.id}/conflictos", data={"decision": "waived", "reason": why},
                    headers={"HX-Request": "true", "HX-Target": "client-tab"})
    assert tab.status_code == 200
    body = tab.get_data(as_text=True)
    status_form = re.search(r'<form[^>]*action="/clientes/\d+/estado".*?</form>', body, re.S).group(0)
    assert why not in status_form
    assert body.count(why) == 1  # once: as the recorded decision's reason

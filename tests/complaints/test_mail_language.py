"""Languages in the complaints register and the crisis protocol: each mail goes in its reader's language
(a Spanish supervisor gets Spanish from an English user, an English owner gets English), while the texts stored
for the firm, such as the complaint registered when an incident closes, are in the firm's language."""

from datetime import timedelta

from core import mail
from core.db import utcnow
from models.complaints import Complaint, CrisisIncident
from models.users import User
from services import complaints as service
from tests.complaints.crisis_helpers import opened_incident


def test_an_english_user_escalating_sends_a_spanish_mail_to_a_spanish_supervisor(app, http, login_as, make_user,
                                                                                 client_row, mailbox):
    me = make_user(roles=("service",), name="Iván Inglés")
    me.set_locale("en")
    login_as(user=me)
    spanish = make_user(roles=("quality",), name="Juana Española", email="juana@firma.test")
    english = make_user(roles=("management",), name="Kevin English", email="kevin@firma.test")
    User.update(locale="en").where(User.id == english.id).execute()
    page = http.get(f"/clientes/{client_row.id}").get_data(as_text=True)
    assert 'lang="en"' in page  # the actor's own pages are in English
    incident_id = opened_incident(http.post(f"/crisis/clientes/{client_row.id}"))
    assert http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": spanish.id}).status_code == 303
    (message,) = mailbox.to("juana@firma.test")
    assert message["Subject"] == "Incidente de crisis: se necesita tu ayuda ahora"
    assert "Hola, Juana Española:" in mailbox.text(message)
    assert http.post(f"/crisis/{incident_id}/supervisor", data={"supervisor": english.id}).status_code == 303
    (message,) = mailbox.to("kevin@firma.test")
    assert message["Subject"] == "Crisis incident: your help is needed now"
    # The complaint the English user registers on closing is written in the firm's language.
    assert http.post(f"/crisis/{incident_id}/cerrar", data={"outcome": "Calm again.", "as_complaint": "y",
                                                          "reason": "Left before the protocol ended."}).status_code == 303
    complaint = Complaint.get_by_id(CrisisIncident.get_by_id(incident_id).complaint_id)
    assert complaint.description.startswith("Cliente en crisis el ")
    assert f"n.º {incident_id}" in complaint.description


def test_complaint_mails_are_in_each_recipients_language(app, http, login_as, make_user, mailbox, frozen):
    me = make_user(roles=("operations",), name="Laura English")
    me.set_locale("en")
    login_as(user=me)
    owner = make_user(roles=("service",), name="Mateo Dueño", email="mateo@firma.test")
    response = http.post("/quejas/nueva", data={
        "kind": "claim", "client": "0", "case": "0", "channel": "phone", "severity": "high", "category": "0",
        "description": "Cobraron dos veces la consulta.", "received_on": "2026-11-20", "received_time": "09:15",
        "owner": str(owner.id), "walk_in_name": "", "walk_in_contact": ""})
    assert response.status_code == 303
    (message,) = mailbox.to("mateo@firma.test")
    assert message["Subject"].startswith("Nueva queja asignada: Q-2026-")
    mailbox.clear()
    User.update(locale="en").where(User.id == owner.id).execute()
    Complaint.update(response_due_at=utcnow() - timedelta(hours=1)).execute()
    with app.app_context():
        assert service.escalation_digests(utcnow()) >= 1
        mail.deliver_pending()
    (digest,) = mailbox.to("mateo@firma.test")
    assert digest["Subject"] == "Complaints needing attention: 1"

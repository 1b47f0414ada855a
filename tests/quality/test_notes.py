"""Results shared with the staff (issue 16 §6; manual-procedimientos-checklist "Compartir resultados con el equipo
y otros interesados", "Comunicar resultados al personal y clientes"): quality or management publishes a note about
a period; every active staff member sees it on their start page until they mark it as read, once per person with
its moment; quality sees how many read it and who has not. A note may carry a client-facing text available for
the newsletter, previewed on its page. Roles (SECURITY.md A1, A2: operations cannot publish), bad input (422, a
Spanish message beside each field, nothing written), every write audited (SECURITY.md L1), query counts pinned."""

import re
from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from models.audit import AuditEvent
from models.quality import QualityNote, QualityNoteAck
from services.quality import notes as service
from tests.factories import run_concurrently

pytestmark = pytest.mark.usefixtures("clock")

BODY = "En noviembre la satisfacción subió al 86 %.\nGracias a todos por devolver las llamadas el mismo día."


def _form(**overrides):
    data = {"title": "Resultados de noviembre", "body": BODY, "period_start": "2026-11-01",
            "period_end": "2026-11-30", "indicator": "satisfaccion", "client_summary": ""}
    data.update(overrides)
    return data


def _publish(app, user, title="Resultados de noviembre", **kw):
    with app.test_request_context():
        return service.publish(title=title, body=kw.pop("body", BODY), period_start=date(2026, 11, 1),
                               period_end=date(2026, 11, 30), user=user, **kw)


def _browser(app, login_as, *roles, **user):
    browser = app.test_client()
    return browser, login_as(*roles, client=browser, **user)


def test_published_note_shows_on_every_start_page_until_read(app, http, login_as, make_user):
    me = login_as("quality")
    staff, worker = _browser(app, login_as, "operations")
    response = http.post("/calidad/comunicados/nuevo", data=_form())
    assert response.status_code == 303
    note = QualityNote.get()
    assert response.headers["Location"].endswith(f"/calidad/comunicados/{note.id}")
    assert (note.title, note.body, note.indicator, note.published_by_id) == (
        "Resultados de noviembre", BODY, "satisfaccion", me.id)
    event = AuditEvent.get(AuditEvent.action == "quality_note_publish")
    assert (event.object_type, event.object_id, event.actor_id) == ("quality_note", str(note.id), me.id)

    home = staff.get("/").get_data(as_text=True)
    assert 'data-testid="quality-notes"' in home and "Resultados de noviembre" in home
    assert "Gracias a todos por devolver las llamadas" in home and "Leído" in home
    page = staff.get(f"/calidad/comunicados/{note.id}").get_data(as_text=True)
    assert "Leído" in page and 'data-testid="ack-progress"' not in page and "client-preview" not in page

    read = staff.post(f"/calidad/comunicados/{note.id}/leido", data={"volver": "inicio"})
    assert read.status_code == 303 and read.headers["Location"].endswith("/")
    ack = QualityNoteAck.get()
    assert (ack.note_id, ack.user_id) == (note.id, worker.id) and ack.acknowledged_at is not None
    assert 'data-testid="quality-notes"' not in staff.get("/").get_data(as_text=True)
    assert "Lo marcaste como leído el" in staff.get(f"/calidad/comunicados/{note.id}").get_data(as_text=True)
    # A second click (or a replayed form) writes nothing more.
    assert staff.post(f"/calidad/comunicados/{note.id}/leido", data={}).status_code == 303
    assert QualityNoteAck.select().count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "quality_note_ack").count() == 1

    # Quality sees the progress and who has not read it yet.
    page = http.get(f"/calidad/comunicados/{note.id}").get_data(as_text=True)
    progress = re.search(r'data-testid="ack-count">([^<]*)<', page).group(1)
    assert progress == "1 de 2"  # the operations member read it; quality itself has not
    names = re.search(r'data-testid="not-acknowledged">(.*?)</ul>', page, re.S).group(1)
    assert me.name in names and worker.name not in names
    listing = http.get("/calidad/comunicados").get_data(as_text=True)
    assert re.search(rf'data-testid="read-{note.id}">.*Pendiente', listing)  # quality itself has not read it


def test_audience_is_active_staff_whose_account_existed_when_published(app, http, login_as, make_user, clock):
    me = login_as("quality")
    gone = make_user(roles=("service",), active=False)
    clock.shift(timedelta(minutes=1))
    note = _publish(app, me)
    clock.shift(timedelta(minutes=1))
    newcomer, joined = _browser(app, login_as, "service")
    assert 'data-testid="quality-notes"' not in newcomer.get("/").get_data(as_text=True)
    assert newcomer.post(f"/calidad/comunicados/{note.id}/leido", data={}).status_code == 303
    assert not QualityNoteAck.select().exists()  # not one of its readers: nothing recorded
    assert note.progress() == (0, 1)
    assert [name for _id, name in note.not_acknowledged()] == [me.name]
    assert gone.id and joined.id


def test_operations_cannot_publish(app, http, login_as):
    login_as("operations")
    assert http.get("/calidad/comunicados/nuevo").status_code == 403
    assert http.post("/calidad/comunicados/nuevo", data=_form()).status_code == 403
    assert not QualityNote.select().exists()
    assert http.get("/calidad/comunicados").status_code == 200  # reading them is for everyone


def test_management_publishes_too(app, http, login_as):
    login_as("management")
    assert http.post("/calidad/comunicados/nuevo", data=_form(indicator="panel")).status_code == 303
    assert QualityNote.get().indicator == "panel"


def test_bad_input_answers_422_with_spanish_messages_beside_the_fields(app, http, login_as):
    login_as("quality")
    assert http.get("/calidad/comunicados/nuevo").status_code == 200
    response = http.post("/calidad/comunicados/nuevo", data=_form(title="  ", body="", period_start="31/02/2026",
                                                                 period_end="", indicator="nada"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in ("Ponle un título al comunicado.", "Escribe lo que el equipo debe saber.",
                    "Indica el día."):
        assert re.search(rf'<p class="error" id="[a-z_]+-error">[^<]*{re.escape(message)}', page), message
    response = http.post("/calidad/comunicados/nuevo", data=_form(period_start="2026-11-30", period_end="2026-11-01",
                                                                 indicator="nada", for_newsletter="y"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="period_end-error">El periodo no puede terminar antes de empezar.' in page
    assert 'id="indicator-error">Elige un indicador de la lista.' in page
    assert 'id="client_summary-error">Escribe el texto para clientes antes de ofrecerlo al boletín.' in page
    response = http.post("/calidad/comunicados/nuevo", data=_form(title="x" * 201, period_end="3026-01-01"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "como máximo 200 caracteres" in page and 'id="period_end-error">' in page
    assert not QualityNote.select().exists()
    assert not AuditEvent.select().where(AuditEvent.action == "quality_note_publish").exists()


def test_acknowledged_once_per_person_even_at_the_same_time(app, make_user):
    author = make_user(roles=("quality",))
    reader = make_user(roles=("service",))
    note = _publish(app, author)

    def ack():
        with app.test_request_context():
            return service.acknowledge(QualityNote.get_by_id(note.id), reader)

    results = run_concurrently(app, ack, n=4)
    assert sorted(results) == [False, False, False, True]
    assert QualityNoteAck.select().where(QualityNoteAck.user == reader.id).count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "quality_note_ack").count() == 1


def test_client_facing_text_is_stored_for_the_newsletter_and_previewed(app, http, login_as):
    login_as("quality")
    text = "Ahora le devolvemos las llamadas el mismo día hábil."
    assert http.post("/calidad/comunicados/nuevo", data=_form(client_summary=text, for_newsletter="y")).status_code == 303
    note = QualityNote.get()
    assert (note.client_summary, note.for_newsletter) == (text, True)
    page = http.get(f"/calidad/comunicados/{note.id}").get_data(as_text=True)
    preview = re.search(r'data-testid="client-preview">(.*?)</section>', page, re.S).group(1)
    assert "Lo que mejoramos gracias a sus respuestas" in preview and text in preview
    assert "Disponible para el boletín" in preview
    assert [n.id for n in QualityNote.for_newsletter_items()] == [note.id]
    assert http.post("/calidad/comunicados/nuevo", data=_form(title="Sin texto")).status_code == 303
    assert [n.id for n in QualityNote.for_newsletter_items()] == [note.id]


def test_body_is_plain_text(app, http, login_as):
    me = login_as("quality")
    note = _publish(app, me, body="<script>alert(1)</script> **negrita**")
    page = http.get(f"/calidad/comunicados/{note.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; **negrita**" in page


def test_start_page_queries_stay_constant(app, login_as, make_user):
    author = make_user(roles=("quality",))
    staff, _reader = _browser(app, login_as, "operations")
    staff.get("/")
    with count_queries() as none:
        staff.get("/")
    _publish(app, author, title="Uno")
    with count_queries() as one:
        page = staff.get("/").get_data(as_text=True)
    assert "Uno" in page
    for i in range(5):
        _publish(app, author, title=f"Otro {i}")
    with count_queries() as many:
        page = staff.get("/").get_data(as_text=True)
    assert "Otro 4" in page and "Más comunicados por leer" in page
    assert none.count == one.count == many.count


def test_notes_pages_queries_stay_constant(app, http, login_as, make_user):
    me = login_as("quality")
    readers = [make_user(roles=("service",)) for _ in range(3)]
    note = _publish(app, me, title="Uno")
    http.get("/calidad/comunicados")
    with count_queries() as few_list:
        http.get("/calidad/comunicados")
    with count_queries() as few_page:
        http.get(f"/calidad/comunicados/{note.id}")
    for i in range(4):
        other = _publish(app, me, title=f"Otro {i}")
        for reader in readers:
            with app.test_request_context():
                service.acknowledge(other, reader)
    with count_queries() as many_list:
        listing = http.get("/calidad/comunicados").get_data(as_text=True)
    with count_queries() as many_page:
        http.get(f"/calidad/comunicados/{other.id}")
    assert "Otro 3" in listing and few_list.count == many_list.count and few_page.count == many_page.count


def test_unknown_note_answers_404(app, http, login_as):
    login_as("service")
    assert http.get("/calidad/comunicados/424242").status_code == 404
    assert http.post("/calidad/comunicados/424242/leido", data={}).status_code == 404
    assert http.get("/calidad/comunicados/99999999999999999999").status_code == 404


def test_audit_log_names_the_note_and_links_it(app, http, login_as):
    me = login_as("quality")
    note = _publish(app, me, title="Resultados de noviembre")
    page = http.get("/admin/auditoria").get_data(as_text=True)
    assert "Comunicado de calidad publicado al personal" in page
    assert "Resultados de noviembre" in page and f"/calidad/comunicados/{note.id}" in page


def test_people_deactivated_later_leave_both_sides_of_the_count(app, http, login_as, make_user):
    from models.users import User

    me = login_as("quality")
    readers = [make_user(roles=("service",)) for _ in range(3)]
    note = _publish(app, me)
    for reader in readers[:2]:
        with app.test_request_context():
            service.acknowledge(note, reader)
    assert note.progress() == (2, 4)
    User.update(is_active=False).where(User.id == readers[0].id).execute()
    assert note.progress() == (1, 3)
    page = http.get(f"/calidad/comunicados/{note.id}").get_data(as_text=True)
    assert re.search(r'data-testid="ack-count">1 de 3<', page)

"""Training on the manual (issue 17 item 5): quality plans a session on PRO 008 with attendees found by name,
each gets an invitation with its calendar entry at a real SMTP server; after the session attendance and the
post-training evaluation are marked, a bad score answered in Spanish beside its field; a simulation keeps its
scenario and lessons; the register filters upcoming and past sessions; each person's record (and one's own, from
Mi cuenta); who may do what; query counts constant."""

import re
from datetime import timedelta

import pytest
from playhouse.test_utils import count_queries

from models.audit import AuditEvent
from models.manual import ManualDocument
from models.training import TrainingAttendee, TrainingSession
from services.manual import pro008
from services.manual import training as service

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture
def people(make_user):
    quality = make_user(roles=("quality",), name="Elena Gutiérrez", email="calidad@firma.test")
    boss = make_user(roles=("management",), name="Carlos Duarte", email="gerencia@firma.test")
    staff = [make_user(roles=(role,), name=name, email=email) for role, name, email in (
        ("service", "Laura Gómez", "laura@firma.test"), ("commercial", "Mateo Ríos", "mateo@firma.test"),
        ("operations", "Sofía Peña", "sofia@firma.test"))]
    make_user(roles=("service",), name="Otro Empleado", email="otro@firma.test")
    return quality, boss, staff


def _pro008(app, quality, boss):
    with app.test_request_context():
        return ManualDocument.get_by_id(pro008.load(quality, boss).id)


def _form(document, people, on, **overrides):
    data = {"topic": "Gestión del cliente: encuesta a los 5 días", "kind": "training", "document": str(document.id),
            "trainer": "0", "trainer_name": "", "day": on.isoformat(), "time": "09:00", "duration_minutes": "90",
            "place": "Sala de juntas", "pass_mark": "70", "description": "Repaso de PRO 008 §5.",
            "scenario": "", "attendees": [str(a.id) for a in people]}
    data.update(overrides)
    return data


def _plan(http, document, people, day, **overrides):
    response = http.post("/manual/formacion/nueva", data=_form(document, people, day, **overrides))
    assert response.status_code == 303, re.findall(r'class="error"[^>]*>[^<]*', response.get_data(as_text=True))
    return TrainingSession.get_by_id(int(response.headers["Location"].rsplit("/", 1)[1]))


def _error(page: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


def test_done_when_training_session_with_evaluation_recorded(app, http, login_as, browser, people, mailbox,
                                                             firm_today, clock):
    quality, boss, staff = people
    document = _pro008(app, quality, boss)
    login_as(user=quality)
    page = http.get("/manual/formacion/nueva").get_data(as_text=True)
    # The attendees are found by name, never listed all at once; the search looks among all the staff.
    assert "Laura Gómez" not in page and "quienes=personal" in page
    found = http.get("/casos/personal?persona=sofia&campo=attendees&casillas=1&quienes=personal")
    assert "Sofía Peña" in found.get_data(as_text=True)
    # Quality works no cases: found among all the staff only, and kept ticked across searches.
    anyone = "/casos/personal?persona=elena&campo=attendees&casillas=1"
    assert "Elena Gutiérrez" not in http.get(anyone).get_data(as_text=True)
    assert "Elena Gutiérrez" in http.get(anyone + "&quienes=personal").get_data(as_text=True)
    kept = http.get(f"/casos/personal?persona=mateo&campo=attendees&casillas=1&quienes=personal&attendees={quality.id}")
    assert re.search(rf'value="{quality.id}" checked> Elena Gutiérrez', kept.get_data(as_text=True))
    mailbox.clear()
    session = _plan(http, document, staff, firm_today + timedelta(days=3), trainer=str(quality.id))
    assert session.version_id == document.current_id and session.trainer_id == quality.id
    assert sorted(a.user_id for a in session.attendees) == sorted(s.id for s in staff)
    # Each attendee gets one invitation with the calendar entry, nobody else.
    for person in staff:
        [mail] = mailbox.to(person.email)
        assert "Gestión del cliente" in mail["Subject"] and "Invitación" in mail["Subject"]
        assert "PRO 008" in mailbox.text(mail) and "/manual/mi-formacion" in mailbox.text(mail)
        assert any(part.get_content_type() == "text/calendar" for part in mail.walk())
    assert mailbox.to("otro@firma.test") == []
    # Before it starts there is nothing to mark.
    show = http.get(f"/manual/formacion/{session.id}").get_data(as_text=True)
    assert "Sala de juntas" in show and "status_" not in show
    version = document.current  # its document, the version in force and the trainer, as the page names them
    assert f'href="/manual/{document.id}/versiones/{version.id}"' in show
    assert f"{document.code} · {document.title} (versión {version.number:03d})" in show and "Elena Gutiérrez" in show
    assert http.post(f"/manual/formacion/{session.id}/asistencia", data={}).status_code == 303
    # The register: upcoming now.
    assert session.topic in http.get("/manual/formacion?cuando=proximas").get_data(as_text=True)
    assert session.topic not in http.get("/manual/formacion?cuando=pasadas").get_data(as_text=True)

    clock.shift(timedelta(days=4))
    login_as(user=quality)  # four days later: a new sign-in
    rows = {a.user_id: a for a in session.attendees}
    laura, mateo, sofia = (rows[s.id] for s in staff)
    data = {f"status_{laura.id}": "attended", f"score_{laura.id}": "150", f"comment_{laura.id}": "",
            f"status_{mateo.id}": "attended", f"score_{mateo.id}": "55", f"comment_{mateo.id}": "Repasar §5.4",
            f"status_{sofia.id}": "excused", f"score_{sofia.id}": "", f"comment_{sofia.id}": "Audiencia",
            "outcome": ""}
    # A score out of the scale, or not a number, is refused beside its field, in Spanish; nothing is written.
    bad = http.post(f"/manual/formacion/{session.id}/asistencia", data=data)
    assert bad.status_code == 422
    assert _error(bad.get_data(as_text=True), f"score_{laura.id}") == "La nota es un número entero de 0 a 100."
    bad = http.post(f"/manual/formacion/{session.id}/asistencia", data={**data, f"score_{laura.id}": "ochenta"})
    assert bad.status_code == 422 and _error(bad.get_data(as_text=True), f"score_{laura.id}")
    # What was typed comes back as typed, beside the error; nothing the person wrote is lost.
    again = bad.get_data(as_text=True)
    assert f'aria-describedby="score_{laura.id}-error" aria-invalid="true" class="input" id="score_{laura.id}"' in again
    assert f'name="score_{laura.id}" type="number" value="ochenta"' in again
    assert f'name="comment_{mateo.id}" type="text" value="Repasar §5.4"' in again
    assert re.search(rf'id="status_{sofia.id}" name="status_{sofia.id}">.*?<option selected value="excused">', again)
    bad = http.post(f"/manual/formacion/{session.id}/asistencia",
                    data={**data, f"score_{laura.id}": "90", f"score_{sofia.id}": "80"})
    assert bad.status_code == 422
    assert _error(bad.get_data(as_text=True), f"score_{sofia.id}") == "Solo se evalúa a quien asistió."
    assert TrainingAttendee.select().where(TrainingAttendee.session == session.id,
                                           TrainingAttendee.status != "invited").count() == 0

    ok = http.post(f"/manual/formacion/{session.id}/asistencia", data={**data, f"score_{laura.id}": "90"})
    assert ok.status_code == 303
    assert [(a.status, a.score) for a in (TrainingAttendee.get_by_id(x.id) for x in (laura, mateo, sofia))] == [
        ("attended", 90), ("attended", 55), ("excused", None)]
    show = http.get(f"/manual/formacion/{session.id}").get_data(as_text=True)
    assert "Asistieron: 2 de 3" in show and "aprobaron: 1" in show
    # The form shows what is stored: each attendance chosen, each score and comment filled in.
    assert re.search(rf'id="status_{sofia.id}" name="status_{sofia.id}">.*?<option selected value="excused">', show)
    assert f'name="score_{laura.id}" type="number" value="90"' in show
    assert f'name="score_{sofia.id}" type="number" value=""' in show
    assert f'name="comment_{sofia.id}" type="text" value="Audiencia"' in show
    assert AuditEvent.select().where(AuditEvent.action == "training_attendance").count() == 3
    past = http.get("/manual/formacion?cuando=pasadas").get_data(as_text=True)
    assert session.topic in past and "2 / 3 · 1" in past

    # Each person's record, for quality and for oneself (from Mi cuenta).
    record = http.get(f"/manual/formacion/personas/{staff[1].id}").get_data(as_text=True)
    assert session.topic in record and "55" in record and "No aprobado" in record and "Repasar §5.4" in record
    mine = browser(user=staff[0])
    assert "/manual/mi-formacion" in mine.get("/perfil").get_data(as_text=True)
    own = mine.get("/manual/mi-formacion").get_data(as_text=True)
    assert session.topic in own and "90" in own and "Aprobado" in own
    assert mine.get(f"/manual/formacion/personas/{staff[1].id}").status_code == 403
    assert mine.get(f"/manual/formacion/{session.id}").status_code == 403


def test_simulation_keeps_scenario_and_lessons(app, http, login_as, people, firm_today, clock):
    quality, boss, staff = people
    login_as(user=boss)
    with app.test_request_context():
        from services.manual import crisis_protocol

        protocol = crisis_protocol.load(quality, boss)
    scenario = "Un cliente llama alterado porque su audiencia se aplazó; levanta la voz y amenaza con denunciar."
    session = _plan(http, protocol, staff[:2], firm_today + timedelta(days=1), kind="simulation",
                    topic="Simulación: cliente fuera de control", trainer_name="Psicóloga externa", scenario=scenario)
    assert session.scenario == scenario and session.trainer_id is None and session.trainer_name == "Psicóloga externa"
    clock.shift(timedelta(days=2))
    login_as(user=boss)
    rows = list(session.attendees)
    lessons = "Se estableció el límite con la frase sugerida del paso 5; faltó derivar al supervisor a tiempo."
    data = {"outcome": lessons}
    for a in rows:
        data.update({f"status_{a.id}": "attended", f"score_{a.id}": "80", f"comment_{a.id}": ""})
    assert http.post(f"/manual/formacion/{session.id}/asistencia", data=data).status_code == 303
    page = http.get(f"/manual/formacion/{session.id}").get_data(as_text=True)
    assert "Simulación o juego de roles" in page and "amenaza con denunciar" in page and "paso 5" in page


def test_new_session_refuses_bad_input_in_spanish(app, http, login_as, people, firm_today):
    quality, boss, staff = people
    document = _pro008(app, quality, boss)
    login_as(user=quality)
    cases = [({"attendees": []}, "attendees", "Invita al menos a una persona del personal."),
             ({"pass_mark": "120"}, "pass_mark", "La nota mínima es una puntuación de 0 a 100."),
             ({"trainer": "0", "trainer_name": ""}, "trainer_name",
              "Indica quién la imparte: alguien del personal o el nombre de un formador externo."),
             ({"day": ""}, "day", "Indica la fecha.")]
    for overrides, field, message in cases:
        response = http.post("/manual/formacion/nueva", data=_form(document, staff, firm_today, **overrides))
        assert response.status_code == 422, field
        assert _error(response.get_data(as_text=True), field) == message, field
    assert TrainingSession.select().count() == 0


def test_query_counts_are_constant(app, http, login_as, people, firm_today, clock, make_user):
    quality, boss, staff = people
    document = _pro008(app, quality, boss)
    login_as(user=quality)
    first = _plan(http, document, staff[:1], firm_today - timedelta(days=1), trainer=str(quality.id))

    def counts():
        counted = []
        for url in ("/manual/formacion?cuando=todas", f"/manual/formacion/{first.id}",
                    f"/manual/formacion/personas/{staff[0].id}", "/manual/mi-formacion"):
            with count_queries() as counter:
                assert http.get(url).status_code == 200
            counted.append(counter.count)
        return counted

    before = counts()
    more = [make_user(roles=("service",), name=f"Persona {i}", email=f"p{i}@firma.test") for i in range(6)]
    with app.test_request_context():
        for i in range(4):
            service.plan({"topic": f"Sesión {i}", "kind": "training", "document": document.id, "trainer": quality.id,
                          "day": firm_today - timedelta(days=2 + i), "time": __import__("datetime").time(10),
                          "duration_minutes": 60, "pass_mark": 70, "attendees": [staff[0].id, *(m.id for m in more)]},
                         quality)
        from models.training import TrainingAttendee as Attendee

        for m in more:
            Attendee.create(session=first, user=m)
    assert counts() == before


def test_the_demo_has_training_with_scores_a_crisis_role_play_and_feedback(app, http, login_as):
    from models.training import ManualFeedback
    from services import demo

    with app.test_request_context():
        demo.load()
    sessions = {s.kind: s for s in TrainingSession.select()}
    assert set(sessions) == {"training", "simulation", "induction"}
    course, role_play, induction = sessions["training"], sessions["simulation"], sessions["induction"]
    assert course.document.code == "PRO 008" and course.recorded_at is not None
    scores = [a.score for a in course.attendees if a.score is not None]
    assert len(scores) == 4 and {a.status for a in course.attendees} == {"attended", "absent", "excused"}
    assert role_play.document.code == "PRO 009" and "fuera de control" in role_play.topic
    assert role_play.scenario and "paso 7" in role_play.outcome
    assert induction.recorded_at is None
    feedback = list(ManualFeedback.select().where(ManualFeedback.status == "open"))
    assert len(feedback) == 2 and {f.document.code for f in feedback} == {"PRO 008"}
    login_as("quality")
    register = http.get("/manual/formacion?cuando=pasadas").get_data(as_text=True)
    assert course.topic in register and role_play.topic in register and induction.topic not in register
    assert induction.topic in http.get("/manual/formacion").get_data(as_text=True)

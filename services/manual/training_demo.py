"""The demo firm's training and feedback on the manual (issue 17, items 5 and 6): a course on PRO 008 held a month
ago with attendance and scores, a role-play of the crisis protocol (PRO 009) with its scenario and lessons, an
induction coming next week (its invitations in the outbox), and two staff comments on PRO 008 gathered for its next
review."""

from datetime import time, timedelta

from core.i18n import today_local
from models.manual import ManualDocument
from models.training import TrainingAttendee
from models.users import User, UserRole
from services.manual import feedback, training
from services.manual.crisis_protocol import CODE as CRISIS_CODE

SCENARIO = ("Un cliente llama muy alterado porque la audiencia de su proceso se aplazó sin que nadie le avisara. "
            "Levanta la voz, interrumpe y amenaza con publicar su queja en redes sociales y con cambiar de firma. "
            "Quien atiende aplica el protocolo: mantener la calma, escuchar sin interrumpir, no tomarlo de manera "
            "personal, ofrecer una respuesta asertiva, establecer límites si el cliente sigue fuera de control, "
            "derivar a un supervisor si es necesario, documentar la situación y hacer el seguimiento.")
LESSONS = ("Todos mantuvieron un tono tranquilo y validaron la molestia del cliente con la frase sugerida del paso 2. "
           "Dos personas ofrecieron una solución antes de que el cliente terminara de explicarse: escuchar hasta el "
           "final. Nadie documentó la llamada en el registro de interacciones al terminar (paso 7); se repasará en la "
           "próxima reunión de área. La derivación al supervisor (paso 6) funcionó en el segundo intento.")


def _staff(role: str, limit: int, but=()) -> list[int]:
    return [u.id for u in User.select(User.id).where(
        User.is_active == True, User.password_hash.is_null(False), User.id.not_in(list(but) or [0]),  # noqa: E712
        User.id.in_(UserRole.select(UserRole.user).where(UserRole.role == role))).order_by(User.id).limit(limit)]


def load(accounts) -> None:
    quality, boss = accounts["quality"], accounts["management"]
    pro008 = ManualDocument.get_or_none(ManualDocument.code == "PRO 008")
    crisis = ManualDocument.get_or_none(ManualDocument.code == CRISIS_CODE)
    if pro008 is None or crisis is None:
        return
    today = today_local()
    mine = [accounts[r].id for r in ("commercial", "service", "operations")]
    course_people = mine + _staff("commercial", 2, mine) + _staff("service", 1, mine)
    course = training.plan({
        "topic": "Gestión del cliente: del primer contacto a la fidelización", "kind": "training",
        "document": pro008.id, "trainer": quality.id, "day": today - timedelta(days=30), "time": time(9),
        "duration_minutes": 120, "place": "Sala de juntas, piso 3", "pass_mark": 70,
        "description": "Repaso de PRO 008 §5: registro y evaluación del cliente, cotización, ejecución, encuesta a "
                       "los 5 días y atención de quejas. Evaluación escrita de 10 preguntas al final.",
        "attendees": course_people}, quality, invite=False)
    results = [("attended", 92, ""), ("attended", 85, ""), ("attended", 64, "Repasar los plazos de §5.4.2."),
               ("attended", 78, ""), ("absent", None, ""), ("excused", None, "En audiencia ese día.")]
    _record(course, results, "", quality)

    role_people = [accounts["service"].id] + _staff("service", 3, [accounts["service"].id])
    role_play = training.plan({
        "topic": "Simulación: cliente fuera de control al teléfono", "kind": "simulation", "document": crisis.id,
        "trainer": None, "trainer_name": "Marta Ruiz (psicóloga organizacional, externa)",
        "day": today - timedelta(days=10), "time": time(15), "duration_minutes": 90, "place": "Sala de capacitación",
        "pass_mark": 70, "description": "Juego de roles por parejas: una persona es el cliente, otra atiende.",
        "scenario": SCENARIO, "attendees": role_people}, boss, invite=False)
    _record(role_play, [("attended", 88, ""), ("attended", 74, "Derivó tarde al supervisor."),
                        ("attended", 81, ""), ("attended", 69, "Documentar la llamada al terminar.")], LESSONS, boss)

    new_people = _staff("operations", 2, [accounts["operations"].id]) + _staff("commercial", 1, mine)
    if new_people:
        training.plan({
            "topic": "Inducción: el manual de procedimientos y PRO 008", "kind": "induction", "document": pro008.id,
            "trainer": quality.id, "day": today + timedelta(days=7), "time": time(10), "duration_minutes": 60,
            "place": "https://reuniones.duarte-asociados.co/induccion", "pass_mark": 70,
            "description": "Para quienes llegaron este trimestre: dónde está el manual, cómo leer un procedimiento y "
                           "qué se espera de cada área.", "attendees": new_people}, quality)

    feedback.send(pro008, {"section": "procedure", "what": "La encuesta de satisfacción a los 5 días llega cuando el "
                           "cliente ya no recuerda el detalle del servicio.",
                           "suggestion": "Llamar a los 3 días hábiles del cierre."}, accounts["commercial"])
    feedback.send(pro008, {"section": "responsibilities", "what": "No queda claro quién informa al cliente de las "
                           "acciones tomadas tras una queja: Atención al Cliente o el responsable del caso.",
                           "suggestion": ""}, accounts["service"])


def _record(session, results, outcome, user) -> None:
    attendees = list(TrainingAttendee.select().where(TrainingAttendee.session == session.id)
                     .order_by(TrainingAttendee.id))
    rows = {a.id: result for a, result in zip(attendees, results, strict=False)}
    training.record(session, rows, outcome, user)

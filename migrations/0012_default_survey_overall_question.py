"""The firm's default satisfaction survey asks the overall satisfaction (issue 11): the "Satisfacción general"
row of the results reads the criterion "overall", which the default survey as first shipped never asked, so
the row stayed empty. A default survey still exactly as shipped gets the question after the criteria: in
place while nobody was invited with it, else as its next version (earlier invitations and answers keep the
version they used). A survey the firm has changed is theirs: it is left alone. Data only; no schema change."""
from datetime import UTC, datetime

from peewee import *

# The default survey as first shipped (kind, criterion, text), in order.
SHIPPED = [
    ('rating', 'response_times', '¿Cómo califica los tiempos de respuesta de la firma a sus solicitudes?'),
    ('rating', 'communication', '¿Cómo califica la comunicación con su abogado y el equipo: claridad y avances informados?'),
    ('rating', 'courtesy', '¿Cómo califica la cortesía y el trato que recibió?'),
    ('rating', 'commitments', '¿En qué medida cumplimos los compromisos acordados con usted?'),
    ('rating', 'accessibility', '¿Qué tan fácil le resultó contactarnos y ser atendido cuando lo necesitó?'),
    ('rating', 'facilities', '¿Cómo califica el estado de nuestras instalaciones?'),
    ('nps', '', '¿Recomendaría nuestra firma a un familiar, amigo o colega?'),
    ('text', '', '¿Desea contarnos algo más sobre su experiencia o sugerirnos alguna mejora?'),
]
OVERALL = {'kind': 'rating', 'criterion': 'overall', 'required': True, 'choices': '',
           'help': '1 = muy insatisfecho · 5 = muy satisfecho',
           'text': 'En general, ¿qué tan satisfecho está con el servicio que recibió?'}
AFTER = 6  # the overall question follows the six criteria


def _models(db):
    class SurveyTemplate(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        family = IntegerField(default=0)
        version = SmallIntegerField(default=1)
        is_current = BooleanField(default=True)
        is_active = BooleanField(default=True)
        is_default = BooleanField(default=False)
        name = CharField(max_length=200)
        intro = TextField(default='')
        anonymous = BooleanField(default=False)
        created_by = IntegerField(null=True, column_name='created_by_id')
        class Meta:
            database = db
            table_name = 'survey_template'

    class SurveyQuestion(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        template = IntegerField(column_name='template_id')
        position = SmallIntegerField(default=0)
        kind = CharField(max_length=8, default='rating')
        text = CharField(max_length=500)
        help = CharField(max_length=300, default='')
        required = BooleanField(default=True)
        choices = TextField(default='')
        criterion = CharField(max_length=16, default='')
        class Meta:
            database = db
            table_name = 'survey_question'

    class SurveyInvitation(Model):
        template = IntegerField(column_name='template_id')
        class Meta:
            database = db
            table_name = 'survey_invitation'

    class SurveyResponse(Model):
        template = IntegerField(column_name='template_id')
        class Meta:
            database = db
            table_name = 'survey_response'

    class SurveyAnswer(Model):
        question = IntegerField(column_name='question_id')
        class Meta:
            database = db
            table_name = 'survey_answer'

    return SurveyTemplate, SurveyQuestion, SurveyInvitation, SurveyResponse, SurveyAnswer


def _questions(Q, template_id):
    return list(Q.select().where(Q.template == template_id).order_by(Q.position, Q.id))


def _shape(questions):
    return [(q.kind, q.criterion, q.text) for q in questions]


def up(migrator, db):
    T, Q, I, R, _A = _models(db)  # noqa: E741
    now = datetime.now(UTC).replace(tzinfo=None)
    with db.atomic():
        for template in list(T.select().where(T.is_default == True, T.is_current == True)):  # noqa: E712
            questions = _questions(Q, template.id)
            if _shape(questions) != SHIPPED:
                continue  # changed by the firm: theirs to edit
            used = (I.select().where(I.template == template.id).exists()
                    or R.select().where(R.template == template.id).exists())
            if used:
                T.update(is_current=False, is_default=False, updated_at=now).where(T.id == template.id).execute()
                target = T.insert(family=template.family, version=template.version + 1, is_current=True,
                                  is_active=template.is_active, is_default=True, name=template.name,
                                  intro=template.intro, anonymous=template.anonymous, created_by=None,
                                  created_at=now, updated_at=now).execute()
                Q.insert_many([{'template': target, 'position': n + (n > AFTER), 'kind': q.kind, 'text': q.text,
                                'help': q.help, 'required': q.required, 'choices': q.choices,
                                'criterion': q.criterion, 'created_at': now, 'updated_at': now}
                               for n, q in enumerate(questions, start=1)]).execute()
            else:
                target = template.id
                Q.update(position=Q.position + 1, updated_at=now).where(
                    Q.template == target, Q.position > AFTER).execute()
            Q.insert(template=target, position=AFTER + 1, created_at=now, updated_at=now, **OVERALL).execute()


def down(migrator, db):
    """Takes the overall question out of a current default survey that has it as this migration added it and
    no answer to it; a version created by ``up`` stays (earlier versions are never made current again)."""
    T, Q, _I, _R, A = _models(db)
    now = datetime.now(UTC).replace(tzinfo=None)
    expected = SHIPPED[:AFTER] + [('rating', 'overall', OVERALL['text'])] + SHIPPED[AFTER:]
    with db.atomic():
        for template in list(T.select().where(T.is_default == True, T.is_current == True)):  # noqa: E712
            questions = _questions(Q, template.id)
            if _shape(questions) != expected:
                continue
            overall = questions[AFTER]
            if A.select().where(A.question == overall.id).exists():
                continue
            Q.delete().where(Q.id == overall.id).execute()
            Q.update(position=Q.position - 1, updated_at=now).where(
                Q.template == template.id, Q.position > AFTER + 1).execute()

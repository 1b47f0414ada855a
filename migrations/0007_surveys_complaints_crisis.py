"""Surveys, complaints and the crisis protocol (issue 6): survey templates, questions, invitations, links
(token hashes only), responses and answers; the complaints register with categories, SLA rules and status
history; crisis incidents and their protocol steps; the day a deadline's alert email last went out."""
from peewee import *


def up(migrator, db):
    class Case(Model):
        class Meta:
            database = db
            table_name = 'legal_case'

    class Client(Model):
        class Meta:
            database = db
            table_name = 'client'

    class PracticeArea(Model):
        class Meta:
            database = db
            table_name = 'practice_area'

    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class ComplaintCategory(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(unique=True, max_length=120)
        is_active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'complaint_category'
    db.create_tables([ComplaintCategory])

    class Complaint(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        number = CharField(unique=True, max_length=20)
        kind = CharField(max_length=10, default='complaint')
        client = ForeignKeyField(Client, null=True, on_delete='SET NULL')
        walk_in_name = CharField(max_length=200, default='')
        walk_in_contact = CharField(max_length=200, default='')
        case = ForeignKeyField(Case, null=True, on_delete='SET NULL')
        practice_area = ForeignKeyField(PracticeArea, null=True, on_delete='SET NULL')
        channel = CharField(max_length=10, default='email')
        source = CharField(max_length=7, default='manual')
        survey_response = IntegerField(null=True)
        description = TextField()
        category = ForeignKeyField(ComplaintCategory, null=True, on_delete='SET NULL')
        severity = CharField(max_length=6, default='medium')
        received_at = DateTimeField()
        owner = ForeignKeyField(User, on_delete='RESTRICT')
        response_due_at = DateTimeField()
        due_at = DateTimeField()
        first_response_at = DateTimeField(null=True)
        status = CharField(max_length=10, default='received')
        resolved_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        root_cause = TextField(default='')
        actions_taken = TextField(default='')
        informed_at = DateTimeField(null=True)
        informed_channel = CharField(max_length=10, default='')
        client_agreement = CharField(max_length=9, default='')
        reopened = SmallIntegerField(default=0)
        alert_level = SmallIntegerField(default=0)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'complaint'
            indexes = ((('status', 'due_at'), False), (('owner', 'status', 'due_at'), False), (('client', 'id'), False), (('received_at', 'client'), False), (('category', 'received_at'), False))
    db.create_tables([Complaint])

    class ComplaintStatusChange(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        complaint = ForeignKeyField(Complaint, on_delete='CASCADE')
        from_status = CharField(max_length=10, default='')
        to_status = CharField(max_length=10)
        note = TextField(default='')
        changed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'complaint_status_change'
    db.create_tables([ComplaintStatusChange])

    class CrisisIncident(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='CASCADE')
        case = ForeignKeyField(Case, null=True, on_delete='SET NULL')
        complaint = ForeignKeyField(Complaint, null=True, on_delete='SET NULL')
        opened_by = ForeignKeyField(User, on_delete='RESTRICT')
        occurred_at = DateTimeField()
        channel = CharField(max_length=10, default='in_person')
        status = CharField(max_length=6, default='open')
        behaviour = TextField(default='')
        actions = CharField(max_length=40, default='')
        solution = TextField(default='')
        security_called = BooleanField(default=False)
        supervisor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        escalated_at = DateTimeField(null=True)
        supervisor_note = TextField(default='')
        supervisor_at = DateTimeField(null=True)
        outcome = TextField(default='')
        closed_at = DateTimeField(null=True)
        follow_up_task = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'crisis_incident'
            indexes = ((('client', 'occurred_at'), False), (('status', 'occurred_at'), False))
    db.create_tables([CrisisIncident])

    class CrisisStep(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        incident = ForeignKeyField(CrisisIncident, on_delete='CASCADE')
        step = SmallIntegerField()
        done_at = DateTimeField()
        done_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'crisis_step'
            indexes = ((('incident', 'step'), True),)
    db.create_tables([CrisisStep])

    class SlaRule(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        kind = CharField(max_length=10)
        severity = CharField(max_length=6)
        response_days = SmallIntegerField(default=1)
        resolution_days = SmallIntegerField(default=5)
        class Meta:
            database = db
            table_name = 'sla_rule'
            indexes = ((('kind', 'severity'), True),)
    db.create_tables([SlaRule])

    class SurveyTemplate(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        family = IntegerField(index=True, default=0)
        version = SmallIntegerField(default=1)
        is_current = BooleanField(default=True)
        is_active = BooleanField(default=True)
        is_default = BooleanField(default=False)
        name = CharField(max_length=200)
        intro = TextField(default='')
        anonymous = BooleanField(default=False)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'survey_template'
            indexes = ((('family', 'version'), True),)
    db.create_tables([SurveyTemplate])

    class SurveyInvitation(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        template = ForeignKeyField(SurveyTemplate, on_delete='RESTRICT')
        client = ForeignKeyField(Client, on_delete='CASCADE')
        case = ForeignKeyField(Case, null=True, on_delete='SET NULL')
        email = CharField(max_length=254, default='')
        status = CharField(max_length=9, default='pending')
        send_on = DateField()
        sent_at = DateTimeField(null=True)
        opened_at = DateTimeField(null=True)
        answered_at = DateTimeField(null=True)
        expires_at = DateTimeField()
        reminders_sent = SmallIntegerField(default=0)
        last_sent_at = DateTimeField(null=True)
        withdrawn_at = DateTimeField(null=True)
        opted_out_on = DateField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        practice_area = ForeignKeyField(PracticeArea, null=True, on_delete='SET NULL')
        responsible = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'survey_invitation'
            indexes = ((('status', 'send_on'), False), (('client', 'id'), False), (('case', 'id'), False), (('status', 'sent_at'), False), (('practice_area', 'send_on'), False), (('responsible', 'send_on'), False))
    db.create_tables([SurveyInvitation])

    class SurveyResponse(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        template = ForeignKeyField(SurveyTemplate, on_delete='RESTRICT')
        invitation = ForeignKeyField(SurveyInvitation, unique=True, null=True, on_delete='SET NULL')
        client = ForeignKeyField(Client, null=True, on_delete='SET NULL')
        case = ForeignKeyField(Case, null=True, on_delete='SET NULL')
        anonymous = BooleanField(default=False)
        practice_area = ForeignKeyField(PracticeArea, null=True, on_delete='SET NULL')
        responsible = ForeignKeyField(User, null=True, on_delete='SET NULL')
        answered_on = DateField()
        month = DateField()
        ratings_count = SmallIntegerField(default=0)
        ratings_sum = SmallIntegerField(default=0)
        ratings_high = SmallIntegerField(default=0)
        min_rating = SmallIntegerField(null=True)
        nps = SmallIntegerField(null=True)
        has_comment = BooleanField(default=False)
        low_score = BooleanField(default=False)
        alert_sent = BooleanField(default=False)
        c_response_times = SmallIntegerField(null=True)
        c_communication = SmallIntegerField(null=True)
        c_courtesy = SmallIntegerField(null=True)
        c_commitments = SmallIntegerField(null=True)
        c_accessibility = SmallIntegerField(null=True)
        c_facilities = SmallIntegerField(null=True)
        c_overall = SmallIntegerField(null=True)
        class Meta:
            database = db
            table_name = 'survey_response'
            indexes = ((('month',), False), (('practice_area', 'month'), False), (('responsible', 'month'), False), (('answered_on',), False))
    db.create_tables([SurveyResponse])

    class SurveyQuestion(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        template = ForeignKeyField(SurveyTemplate, on_delete='CASCADE')
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
            indexes = ((('template', 'position'), False),)
    db.create_tables([SurveyQuestion])

    class SurveyAnswer(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        response = ForeignKeyField(SurveyResponse, on_delete='CASCADE')
        question = ForeignKeyField(SurveyQuestion, on_delete='RESTRICT')
        criterion = CharField(max_length=16, default='')
        score = SmallIntegerField(null=True)
        value = TextField(default='')
        class Meta:
            database = db
            table_name = 'survey_answer'
            indexes = ((('response', 'question'), True), (('response', 'criterion', 'score'), False))
    db.create_tables([SurveyAnswer])

    class SurveyLink(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        invitation = ForeignKeyField(SurveyInvitation, on_delete='CASCADE')
        token_hash = CharField(unique=True, max_length=64)
        purpose = CharField(max_length=8, default='email')
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'survey_link'
    db.create_tables([SurveyLink])

    migrator.migrate(migrator.add_column('deadline', 'alerted_on', DateField(null=True)))
    migrator.migrate(migrator.add_index('deadline', ('status', 'alert_from')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('deadline', 'deadline_status_alert_from'))
    migrator.migrate(migrator.drop_column('deadline', 'alerted_on'))
    migrator.migrate(migrator.drop_table('survey_link'))
    migrator.migrate(migrator.drop_table('survey_answer'))
    migrator.migrate(migrator.drop_table('survey_question'))
    migrator.migrate(migrator.drop_table('survey_response'))
    migrator.migrate(migrator.drop_table('survey_invitation'))
    migrator.migrate(migrator.drop_table('survey_template'))
    migrator.migrate(migrator.drop_table('sla_rule'))
    migrator.migrate(migrator.drop_table('crisis_step'))
    migrator.migrate(migrator.drop_table('crisis_incident'))
    migrator.migrate(migrator.drop_table('complaint_status_change'))
    migrator.migrate(migrator.drop_table('complaint'))
    migrator.migrate(migrator.drop_table('complaint_category'))

"""Case work (issue 5): cases with team, parties, status history, evidence, interventions and final
deliveries; the interaction log and meetings; document checklists with versions; deadlines, holidays and
calendar feeds; follow-up tasks; the last outgoing update of a client."""
from peewee import *


def up(migrator, db):
    class Client(Model):
        class Meta:
            database = db
            table_name = 'client'

    class Contract(Model):
        class Meta:
            database = db
            table_name = 'contract'

    class PracticeArea(Model):
        class Meta:
            database = db
            table_name = 'practice_area'

    class StoredFile(Model):
        class Meta:
            database = db
            table_name = 'stored_file'

    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class CalendarFeed(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        user = ForeignKeyField(User, unique=True, on_delete='CASCADE')
        token_hash = CharField(unique=True, max_length=64)
        last_used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'calendar_feed'
    db.create_tables([CalendarFeed])

    class Case(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='RESTRICT')
        contract = ForeignKeyField(Contract, null=True, on_delete='SET NULL')
        title = CharField(max_length=200)
        practice_area = ForeignKeyField(PracticeArea, null=True, on_delete='RESTRICT')
        responsible = ForeignKeyField(User, null=True, on_delete='SET NULL')
        status = CharField(max_length=12, default='open')
        opened_on = DateField()
        description = TextField(default='')
        legal_analysis = TextField(null=True)
        strategy = TextField(null=True)
        budget_amount = DecimalField(null=True, max_digits=16, decimal_places=2)
        budget_notes = TextField(default='')
        budget_told_on = DateField(null=True)
        budget_told_how = CharField(max_length=12, default='')
        resolution_summary = TextField(default='')
        explained_on = DateField(null=True)
        explained_how = CharField(max_length=12, default='')
        client_understood = BooleanField(default=False)
        resolved_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        closed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        survey_due_on = DateField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'legal_case'
            indexes = ((('client', 'id'), False), (('status', 'id'), False), (('responsible', 'status'), False))
    db.create_tables([Case])

    class CaseMember(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        added_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'case_member'
            indexes = ((('case', 'user'), True), (('user', 'case'), False))
    db.create_tables([CaseMember])

    class CaseStatusChange(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE')
        from_status = CharField(max_length=12)
        to_status = CharField(max_length=12)
        reason = TextField(default='')
        by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'case_status_change'
    db.create_tables([CaseStatusChange])

    class Deadline(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE')
        description = CharField(max_length=300)
        kind = CharField(max_length=14, default='procedural')
        due_at = DateTimeField()
        responsible = ForeignKeyField(User, on_delete='RESTRICT')
        alert_days = CharField(max_length=40, default='7,1')
        alert_from = DateField()
        status = CharField(max_length=6, default='open')
        done_at = DateTimeField(null=True)
        done_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        note = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'deadline'
            indexes = ((('case', 'due_at'), False), (('responsible', 'status', 'alert_from'), False))
    db.create_tables([Deadline])

    class RequirementTemplate(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        practice_area = ForeignKeyField(PracticeArea, on_delete='CASCADE')
        name = CharField(max_length=200)
        required = BooleanField(default=True)
        confidential = BooleanField(default=False)
        due_days = IntegerField(null=True)
        review_every_days = IntegerField(null=True)
        position = IntegerField(default=0)
        is_active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'requirement_template'
            indexes = ((('practice_area', 'position'), False),)
    db.create_tables([RequirementTemplate])

    class DocumentItem(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE')
        template = ForeignKeyField(RequirementTemplate, null=True, on_delete='SET NULL')
        name = CharField(max_length=200)
        required = BooleanField(default=True)
        confidential = BooleanField(default=False)
        status = CharField(max_length=10, default='pending')
        due_on = DateField(null=True)
        review_on = DateField(null=True)
        note = TextField(default='')
        reviewed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        reviewed_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'document_item'
            indexes = ((('case', 'id'), False), (('case', 'status', 'review_on'), False))
    db.create_tables([DocumentItem])

    class DocumentVersion(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        item = ForeignKeyField(DocumentItem, on_delete='CASCADE')
        number = IntegerField()
        file = ForeignKeyField(StoredFile, on_delete='RESTRICT')
        note = CharField(max_length=300, default='')
        uploaded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'document_version'
            indexes = ((('item', 'number'), True),)
    db.create_tables([DocumentVersion])

    class EvidenceItem(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE')
        kind = CharField(max_length=10, default='document')
        description = CharField(max_length=300)
        collected_on = DateField(null=True)
        notes = TextField(default='')
        class Meta:
            database = db
            table_name = 'evidence_item'
    db.create_tables([EvidenceItem])

    class FinalDelivery(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE')
        kind = CharField(max_length=12, default='resolution')
        description = CharField(max_length=300)
        delivered_on = DateField(null=True)
        delivered_how = CharField(max_length=12, default='')
        class Meta:
            database = db
            table_name = 'final_delivery'
    db.create_tables([FinalDelivery])

    class Holiday(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        day = DateField()
        region = CharField(max_length=2, default='CO')
        name = CharField(max_length=120)
        class Meta:
            database = db
            table_name = 'holiday'
            indexes = ((('region', 'day'), True),)
    db.create_tables([Holiday])

    class Interaction(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='CASCADE')
        case = ForeignKeyField(Case, null=True, on_delete='SET NULL')
        occurred_at = DateTimeField()
        channel = CharField(max_length=10, default='email')
        direction = CharField(max_length=3, default='out')
        kind = CharField(max_length=10, default='update')
        summary = TextField(default='')
        confidential = BooleanField(default=False)
        answered_at = DateTimeField(null=True)
        answered_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'interaction'
            indexes = ((('client', 'id'), False), (('case', 'id'), False), (('client', 'kind', 'answered_at'), False))
    db.create_tables([Interaction])

    class Intervention(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        case = ForeignKeyField(Case, on_delete='CASCADE')
        starts_at = DateTimeField()
        duration_minutes = IntegerField(default=60)
        place = CharField(max_length=200, default='')
        purpose = CharField(max_length=300, default='')
        assigned = ForeignKeyField(User, on_delete='RESTRICT')
        status = CharField(max_length=10, default='planned')
        done_at = DateTimeField(null=True)
        work_done = TextField(default='')
        treatment_type = CharField(max_length=120, default='')
        resources_used = TextField(default='')
        recommendations = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'intervention'
            indexes = ((('assigned', 'starts_at'), False), (('case', 'starts_at'), False))
    db.create_tables([Intervention])

    class Meeting(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='CASCADE')
        case = ForeignKeyField(Case, null=True, on_delete='SET NULL')
        uid = CharField(unique=True, max_length=64)
        starts_at = DateTimeField()
        duration_minutes = IntegerField(default=60)
        channel = CharField(max_length=10, default='video')
        location = CharField(max_length=300, default='')
        agenda = TextField()
        recording = BooleanField(default=False)
        recording_consent = BooleanField(default=False)
        status = CharField(max_length=10, default='scheduled')
        invitation_sent_at = DateTimeField(null=True)
        sequence = IntegerField(default=0)
        organiser = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'meeting'
            indexes = ((('client', 'starts_at'), False), (('organiser', 'starts_at'), False))
    db.create_tables([Meeting])

    class Task(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        kind = CharField(max_length=12, default='follow_up')
        title = CharField(max_length=300)
        due_on = DateField()
        owner = ForeignKeyField(User, on_delete='RESTRICT')
        client = ForeignKeyField(Client, null=True, on_delete='CASCADE')
        case = ForeignKeyField(Case, null=True, on_delete='CASCADE')
        interaction = ForeignKeyField(Interaction, null=True, on_delete='CASCADE')
        done_at = DateTimeField(null=True)
        done_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        note = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'task'
            indexes = ((('owner', 'done_at', 'due_on'), False), (('case', 'done_at'), False))
    db.create_tables([Task])

    migrator.migrate(migrator.add_column('client', 'last_update_at', DateTimeField(null=True)))
    migrator.migrate(migrator.add_column('party', 'case_id', ForeignKeyField(Case, field=Case.id, null=True, on_delete='CASCADE')))
    migrator.migrate(migrator.add_index('client', ('responsible_id', 'status', 'last_update_at')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('party', 'party_case_id'))
    migrator.migrate(migrator.drop_index('client', 'client_responsible_id_status_last_update_at'))
    migrator.migrate(migrator.drop_column('party', 'case_id'))
    migrator.migrate(migrator.drop_column('client', 'last_update_at'))
    migrator.migrate(migrator.drop_table('task'))
    migrator.migrate(migrator.drop_table('meeting'))
    migrator.migrate(migrator.drop_table('intervention'))
    migrator.migrate(migrator.drop_table('interaction'))
    migrator.migrate(migrator.drop_table('holiday'))
    migrator.migrate(migrator.drop_table('final_delivery'))
    migrator.migrate(migrator.drop_table('evidence_item'))
    migrator.migrate(migrator.drop_table('document_version'))
    migrator.migrate(migrator.drop_table('document_item'))
    migrator.migrate(migrator.drop_table('requirement_template'))
    migrator.migrate(migrator.drop_table('deadline'))
    migrator.migrate(migrator.drop_table('case_status_change'))
    migrator.migrate(migrator.drop_table('case_member'))
    migrator.migrate(migrator.drop_table('legal_case'))
    migrator.migrate(migrator.drop_table('calendar_feed'))

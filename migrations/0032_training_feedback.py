"""Training on the manual and the staff's feedback on it (issue 17, items 5 and 6): training sessions, courses,
simulations or inductions on a document of the manual (``training_session``), their attendees with attendance and
the score of the post-training evaluation (``training_attendee``), and what staff say about a published document
until it is considered in a version (``manual_feedback``)."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class ManualDocument(Model):
        class Meta:
            database = db
            table_name = 'manual_document'

    class ManualVersion(Model):
        class Meta:
            database = db
            table_name = 'manual_version'

    class TrainingSession(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        topic = CharField(max_length=200)
        kind = CharField(max_length=10, default='training')
        document = ForeignKeyField(ManualDocument, null=True, on_delete='RESTRICT')
        version = ForeignKeyField(ManualVersion, null=True, on_delete='RESTRICT')
        trainer = ForeignKeyField(User, null=True, on_delete='SET NULL')
        trainer_name = CharField(max_length=120, default='')
        starts_at = DateTimeField()
        duration_minutes = IntegerField(default=60)
        place = CharField(max_length=300, default='')
        description = TextField(default='')
        scenario = TextField(default='')
        outcome = TextField(default='')
        pass_mark = IntegerField(default=70)
        recorded_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'training_session'
            indexes = ((('starts_at',), False), (('document', 'starts_at'), False))

    class TrainingAttendee(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        session = ForeignKeyField(TrainingSession, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        status = CharField(max_length=8, default='invited')
        score = IntegerField(null=True)
        comment = TextField(default='')
        class Meta:
            database = db
            table_name = 'training_attendee'
            indexes = ((('session', 'user'), True), (('user', 'session'), False))

    class ManualFeedback(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        document = ForeignKeyField(ManualDocument, on_delete='RESTRICT')
        version = ForeignKeyField(ManualVersion, null=True, on_delete='RESTRICT')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        section = CharField(max_length=20, default='')
        what = TextField()
        suggestion = TextField(default='')
        status = CharField(max_length=10, default='open')
        considered_in = ForeignKeyField(ManualVersion, null=True, on_delete='RESTRICT')
        considered_note = TextField(default='')
        considered_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        considered_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'manual_feedback'
            indexes = ((('document', 'status', 'id'), False),)

    db.create_tables([TrainingSession, TrainingAttendee, ManualFeedback])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('manual_feedback'))
    migrator.migrate(migrator.drop_table('training_attendee'))
    migrator.migrate(migrator.drop_table('training_session'))

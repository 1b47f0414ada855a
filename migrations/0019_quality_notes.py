"""Results shared with the staff: a quality note about a period, with an optional client-facing text the
newsletter can carry, and each person's acknowledgement ("Leído") with its moment, once per person."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class QualityNote(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        title = CharField(max_length=200)
        body = TextField()
        period_start = DateField()
        period_end = DateField()
        indicator = CharField(max_length=16, default='')
        client_summary = TextField(default='')
        for_newsletter = BooleanField(default=False)
        published_at = DateTimeField()
        published_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'quality_note'
            indexes = ((('published_at',), False),)

    class QualityNoteAck(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        note = ForeignKeyField(QualityNote, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        acknowledged_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'quality_note_ack'
            indexes = ((('note', 'user'), True),)
    db.create_tables([QualityNote, QualityNoteAck])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('quality_note_ack'))
    migrator.migrate(migrator.drop_table('quality_note'))

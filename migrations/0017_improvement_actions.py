"""Improvement actions (quality, ISO 9001 §10.2): opened by hand or from a complaint, a survey criterion, an
indicator or a review finding, with the cause analysis, the correction, corrective and preventive actions, an
owner, a due day, a status and the effectiveness check that closing requires."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class Complaint(Model):
        class Meta:
            database = db
            table_name = 'complaint'

    class ImprovementAction(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        title = CharField(max_length=200)
        source = CharField(max_length=10, default='manual')
        complaint = ForeignKeyField(Complaint, null=True, on_delete='SET NULL')
        source_ref = CharField(max_length=200, default='')
        description = TextField()
        cause_analysis = TextField(default='')
        correction = TextField(default='')
        corrective_action = TextField(default='')
        preventive_action = TextField(default='')
        owner = ForeignKeyField(User, on_delete='RESTRICT')
        due_on = DateField()
        status = CharField(max_length=11, default='open')
        effectiveness_check = TextField(default='')
        verified_on = DateField(null=True)
        verified_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        closed_at = DateTimeField(null=True)
        cancel_reason = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'improvement_action'
            indexes = ((('status', 'due_on'), False), (('owner', 'status', 'due_on'), False))
    db.create_tables([ImprovementAction])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('improvement_action'))

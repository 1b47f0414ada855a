"""Erasure and blocking (issue 19 items 4 and 5): a client may be blocked (Spain, LOPDGDD art. 32: kept out of
everyone's reach but the legal-claims permission until a day) or erased (its personal values gone, its rows kept
anonymous for the firm's aggregates); the record of each erasure or blocking (who, why, which tables, how many
rows: never the values), and the retention review's list of what is due."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class Client(Model):
        class Meta:
            database = db
            table_name = 'client'

    class DataSubjectRequest(Model):
        class Meta:
            database = db
            table_name = 'data_subject_request'

    migrator.migrate(
        migrator.add_column('client', 'blocked_on', DateField(null=True)),
        migrator.add_column('client', 'blocked_until', DateField(null=True)),
        migrator.add_column('client', 'erased_at', DateTimeField(null=True)),
        migrator.add_index('client', ('blocked_on',), False),
    )

    class Erasure(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='RESTRICT')
        mode = CharField(max_length=7)
        jurisdiction = CharField(max_length=2)
        reason = TextField(default='')
        tables = TextField(default='{}')
        request = ForeignKeyField(DataSubjectRequest, null=True, on_delete='SET NULL')
        performed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'erasure'
            indexes = ((('client', 'id'), False),)

    class RetentionDue(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='RESTRICT')
        category = CharField(max_length=20)
        due_on = DateField()
        status = CharField(max_length=9, default='pending')
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        decided_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'retention_due'
            indexes = ((('client', 'category'), True), (('status', 'due_on'), False))

    db.create_tables([Erasure, RetentionDue])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('retention_due'))
    migrator.migrate(migrator.drop_table('erasure'))
    migrator.migrate(
        migrator.drop_index('client', 'client_blocked_on'),
        migrator.drop_column('client', 'erased_at'),
        migrator.drop_column('client', 'blocked_until'),
        migrator.drop_column('client', 'blocked_on'),
    )

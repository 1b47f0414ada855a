"""Clients: practice areas, the client registry, its search index, status history, parties and conflict checks."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class PracticeArea(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        name = CharField(unique=True, max_length=120)
        description = TextField(default='')
        is_active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'practice_area'
    db.create_tables([PracticeArea])

    class Client(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        kind = CharField(max_length=10, default='person')
        name = CharField(max_length=200)
        name_key = CharField(index=True, max_length=200)
        document_type = CharField(max_length=8, default='')
        document_number = TextField(null=True)
        document_index = CharField(index=True, null=True, max_length=64)
        document_last4 = CharField(max_length=4, default='')
        email = CharField(index=True, max_length=254, default='')
        phone = CharField(index=True, max_length=20, default='')
        phone_alt = CharField(max_length=20, default='')
        address = CharField(max_length=200, default='')
        city = CharField(max_length=100, default='')
        country = CharField(max_length=2, default='CO')
        preferred_channel = CharField(max_length=12, default='email')
        source = CharField(max_length=12, default='other')
        referred_by = ForeignKeyField('self', null=True, on_delete='SET NULL')
        practice_area = ForeignKeyField(PracticeArea, null=True, on_delete='RESTRICT')
        responsible = ForeignKeyField(User, null=True, on_delete='SET NULL')
        customer_type = CharField(max_length=12, default='')
        need = TextField(default='')
        special_requirements = TextField(default='')
        newsletter = BooleanField(default=False)
        status = CharField(index=True, max_length=12, default='prospect')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'client'
            indexes = ((('status', 'name'), False), (('name', 'id'), False))
    db.create_tables([Client])

    class ClientStatusChange(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='CASCADE')
        from_status = CharField(max_length=12)
        to_status = CharField(max_length=12)
        reason = TextField(default='')
        by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'client_status_change'
    db.create_tables([ClientStatusChange])

    class ConflictCheck(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='CASCADE')
        terms = TextField(default='[]')
        hits = TextField(default='[]')
        decision = CharField(null=True, max_length=10)
        reason = TextField(default='')
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        decided_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'conflict_check'
    db.create_tables([ConflictCheck])

    class Party(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        kind = CharField(max_length=14, default='counterparty')
        name = CharField(max_length=200)
        name_key = CharField(index=True, max_length=200)
        document_type = CharField(max_length=8, default='')
        document_index = CharField(index=True, null=True, max_length=64)
        relation = CharField(max_length=120, default='')
        client = ForeignKeyField(Client, null=True, on_delete='CASCADE')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'party'
    db.create_tables([Party])

    class SearchToken(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        kind = CharField(max_length=10)
        ref_id = IntegerField()
        token = CharField(max_length=60)
        class Meta:
            database = db
            table_name = 'search_token'
            indexes = ((('kind', 'token', 'ref_id'), False), (('kind', 'ref_id'), False))
    db.create_tables([SearchToken])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('search_token'))
    migrator.migrate(migrator.drop_table('party'))
    migrator.migrate(migrator.drop_table('conflict_check'))
    migrator.migrate(migrator.drop_table('client_status_change'))
    migrator.migrate(migrator.drop_table('client'))
    migrator.migrate(migrator.drop_table('practice_area'))

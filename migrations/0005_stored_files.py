"""Stored files (encrypted, outside static/) and their links: verification evidence, consent evidence,
the signed copy of a contract."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class StoredFile(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        storage_name = CharField(unique=True, max_length=64)
        original_name = CharField(max_length=200)
        content_type = CharField(max_length=80)
        size = BigIntegerField()
        sha256 = CharField(max_length=64)
        purpose = CharField(max_length=40)
        uploaded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'stored_file'
    db.create_tables([StoredFile])

    migrator.migrate(migrator.add_column('consent', 'evidence_id', ForeignKeyField(StoredFile, field=StoredFile.id, null=True, on_delete='RESTRICT')))
    migrator.migrate(migrator.add_column('contract', 'signed_copy_id', ForeignKeyField(StoredFile, field=StoredFile.id, null=True, on_delete='SET NULL')))
    migrator.migrate(migrator.add_column('verification_check', 'file_id', ForeignKeyField(StoredFile, field=StoredFile.id, null=True, on_delete='SET NULL')))


def down(migrator, db):
    migrator.migrate(migrator.drop_index('verification_check', 'verification_check_file_id'))
    migrator.migrate(migrator.drop_index('contract', 'contract_signed_copy_id'))
    migrator.migrate(migrator.drop_index('consent', 'consent_evidence_id'))
    migrator.migrate(migrator.drop_column('verification_check', 'file_id'))
    migrator.migrate(migrator.drop_column('contract', 'signed_copy_id'))
    migrator.migrate(migrator.drop_column('consent', 'evidence_id'))
    migrator.migrate(migrator.drop_table('stored_file'))
    if not isinstance(db, PostgresqlDatabase):
        # SQLite rebuilds a table to drop a column, and its triggers go with it: consent stays append-only.
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(f"CREATE TRIGGER IF NOT EXISTS consent_no_{op.lower()} BEFORE {op} ON consent "
                           "BEGIN SELECT RAISE(ABORT, 'consent is append-only'); END")

"""Evaluation (consultation, verification checklist), privacy notices and append-only consent records,
and the encrypted sensitive-data column of clients."""
from peewee import *


def up(migrator, db):
    class Client(Model):
        class Meta:
            database = db
            table_name = 'client'

    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class PrivacyNotice(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = CharField(unique=True, max_length=20)
        text = TextField()
        sha256 = CharField(max_length=64)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'privacy_notice'
    db.create_tables([PrivacyNotice])

    class Consent(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='RESTRICT')
        purpose = CharField(max_length=16)
        granted = BooleanField()
        method = CharField(max_length=12)
        given_on = DateField()
        notice = ForeignKeyField(PrivacyNotice, on_delete='RESTRICT')
        notice_sha256 = CharField(max_length=64)
        collected_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        notes = CharField(max_length=500, default='')
        class Meta:
            database = db
            table_name = 'consent'
            indexes = ((('client', 'purpose', 'id'), False),)
    db.create_tables([Consent])

    class IntakeEvaluation(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, unique=True, on_delete='CASCADE')
        specialty_fit = BooleanField(null=True)
        viability_notes = TextField(default='')
        consultation_at = DateTimeField(null=True)
        consultation_mode = CharField(max_length=10, default='')
        attendees = CharField(max_length=300, default='')
        consultation_notes = TextField(default='')
        expectations = TextField(default='')
        updated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'intake_evaluation'
    db.create_tables([IntakeEvaluation])

    class VerificationCheck(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, on_delete='CASCADE')
        item = CharField(max_length=24)
        state = CharField(max_length=16, default='pending')
        notes = CharField(max_length=500, default='')
        checked_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        checked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'verification_check'
            indexes = ((('client', 'item'), True),)
    db.create_tables([VerificationCheck])

    migrator.migrate(migrator.add_column('client', 'sensitive_data', TextField(null=True)))
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("CREATE TRIGGER consent_append_only BEFORE UPDATE OR DELETE ON consent "
                       "FOR EACH ROW EXECUTE FUNCTION traza_append_only()")
    else:
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(f"CREATE TRIGGER consent_no_{op.lower()} BEFORE {op} ON consent "
                           "BEGIN SELECT RAISE(ABORT, 'consent is append-only'); END")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS consent_append_only ON consent")
    else:
        db.execute_sql("DROP TRIGGER IF EXISTS consent_no_update")
        db.execute_sql("DROP TRIGGER IF EXISTS consent_no_delete")
    migrator.migrate(migrator.drop_column('client', 'sensitive_data'))
    migrator.migrate(migrator.drop_table('verification_check'))
    migrator.migrate(migrator.drop_table('intake_evaluation'))
    migrator.migrate(migrator.drop_table('consent'))
    migrator.migrate(migrator.drop_table('privacy_notice'))

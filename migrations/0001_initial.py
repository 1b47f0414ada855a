"""Accounts, roles, sessions, recovery codes, activation links, the audit log and the mail outbox.

The audit table is append-only: triggers refuse UPDATE and DELETE on SQLite and PostgreSQL (SECURITY.md L4).
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        email = CharField(unique=True, max_length=254)
        name = CharField(max_length=120)
        password_hash = CharField(null=True)
        is_active = BooleanField(default=True)
        locale = CharField(max_length=5, default='es')
        supervisor = ForeignKeyField('self', null=True, on_delete='SET NULL')
        totp_secret = CharField(null=True)
        totp_pending = CharField(null=True)
        totp_enrolled_at = DateTimeField(null=True)
        last_totp_timecode = BigIntegerField(null=True)
        failed_logins = IntegerField(default=0)
        locked_at = DateTimeField(null=True)
        otp_failures = IntegerField(default=0)
        otp_throttled_until = DateTimeField(null=True)
        last_login_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'app_user'
    db.create_tables([User])

    class ActivationToken(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        token_hash = CharField(unique=True, max_length=64)
        user = ForeignKeyField(User, on_delete='CASCADE')
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'activation_token'
    db.create_tables([ActivationToken])

    class LoginThrottle(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        key = CharField(unique=True, max_length=64)
        failures = IntegerField(default=0)
        until = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'login_throttle'
    db.create_tables([LoginThrottle])

    class AuditEvent(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        at = DateTimeField(index=True)
        actor = ForeignKeyField(User, null=True, on_delete='RESTRICT')
        actor_roles = CharField(max_length=120, default='')
        action = CharField(index=True, max_length=64)
        object_type = CharField(max_length=40, default='')
        object_id = CharField(max_length=40, default='')
        fields = CharField(max_length=400, default='')
        detail = TextField(default='')
        ip = CharField(max_length=45, default='')
        user_agent = CharField(default='')
        request_id = CharField(max_length=32, default='')
        prev_hash = CharField(max_length=64, default='')
        hash = CharField(max_length=64)
        class Meta:
            database = db
            table_name = 'audit_event'
            indexes = ((('object_type', 'object_id'), False),)
    db.create_tables([AuditEvent])

    class OutboundEmail(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        message_id = CharField(unique=True, max_length=36)
        to_addr = CharField(max_length=254)
        subject = CharField(max_length=200)
        body = TextField(default='')
        status = CharField(index=True, max_length=10, default='pending')
        attempts = IntegerField(default=0)
        last_error = CharField(max_length=300, default='')
        sent_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'outbound_email'
    db.create_tables([OutboundEmail])

    class RecoveryCode(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        user = ForeignKeyField(User, on_delete='CASCADE')
        code_hash = CharField()
        class Meta:
            database = db
            table_name = 'recovery_code'
    db.create_tables([RecoveryCode])

    class UserRole(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        user = ForeignKeyField(User, on_delete='CASCADE')
        role = CharField(max_length=32)
        class Meta:
            database = db
            table_name = 'user_role'
            indexes = ((('user', 'role'), True),)
    db.create_tables([UserRole])

    class UserSession(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        sid_hash = CharField(unique=True, max_length=64)
        user = ForeignKeyField(User, on_delete='CASCADE')
        stage = CharField(max_length=16)
        last_seen = DateTimeField()
        expires_at = DateTimeField()
        authenticated_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        end_reason = CharField(null=True, max_length=32)
        code_failures = IntegerField(default=0)
        ip = CharField(max_length=45, default='')
        user_agent = CharField(default='')
        class Meta:
            database = db
            table_name = 'user_session'
    db.create_tables([UserSession])
    append_only(db, "audit_event")


def append_only(db, table):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION traza_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
        )
        db.execute_sql(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION traza_append_only()"
        )
    else:
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        db.execute_sql("DROP FUNCTION IF EXISTS traza_append_only()")
    else:
        db.execute_sql("DROP TRIGGER IF EXISTS audit_event_no_update")
        db.execute_sql("DROP TRIGGER IF EXISTS audit_event_no_delete")
    migrator.migrate(migrator.drop_table('user_session'))
    migrator.migrate(migrator.drop_table('user_role'))
    migrator.migrate(migrator.drop_table('recovery_code'))
    migrator.migrate(migrator.drop_table('outbound_email'))
    migrator.migrate(migrator.drop_table('audit_event'))
    migrator.migrate(migrator.drop_table('login_throttle'))
    migrator.migrate(migrator.drop_table('activation_token'))
    migrator.migrate(migrator.drop_table('app_user'))

"""The procedures manual (issue 17): controlled documents (``manual_document``), their versions with the sections of
PRO 008 in Markdown, the change summary and its justification, author, approver and dates (``manual_version``), and
the templates and forms attached to a version (``manual_attachment``).

From approval on a version's text never changes, and a published version only moves on to superseded or
withdrawn: triggers refuse any other UPDATE, any DELETE of such a version, and any change to the attachments of
a version that is no longer a draft, on SQLite and PostgreSQL alike (as migration 0018 does for approved
management reviews)."""
from peewee import *

FROZEN = "('approved', 'published', 'superseded', 'withdrawn')"
CONTENT = ("document_id", "number", "objective", "scope", "responsibilities", "definitions", "procedure", "records",
           "indicators", "related", "change_summary", "justification", "author_id", "submitted_at", "review_note",
           "approver_id", "approver_title", "approved_at", "created_at")


def _refused(differs) -> str:
    """The condition under which an UPDATE of a version is refused; ``differs`` writes 'these two differ'."""
    changed = " OR ".join(differs(f"NEW.{c}", f"OLD.{c}") for c in CONTENT)
    return (f"OLD.state IN {FROZEN} AND ({changed} "
            "OR OLD.state IN ('superseded', 'withdrawn') "
            "OR (OLD.state = 'approved' AND NEW.state NOT IN ('approved', 'published', 'withdrawn')) "
            "OR (OLD.state = 'published' AND (NEW.state NOT IN ('published', 'superseded', 'withdrawn') "
            f"OR {differs('NEW.published_on', 'OLD.published_on')} "
            f"OR {differs('NEW.published_by_id', 'OLD.published_by_id')})))")


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class StoredFile(Model):
        class Meta:
            database = db
            table_name = 'stored_file'

    class ManualDocument(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        code = CharField(max_length=20, unique=True)
        title = CharField(max_length=200)
        kind = CharField(max_length=10)
        owner = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_label = CharField(max_length=60, default='')
        approved_label = CharField(max_length=60, default='')
        latest_number = IntegerField(default=0)
        latest_state = CharField(max_length=10, default='draft')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'manual_document'
            indexes = ((('kind', 'code'), False), (('latest_state', 'code'), False))

    class ManualVersion(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        document = ForeignKeyField(ManualDocument, on_delete='RESTRICT')
        number = IntegerField()
        state = CharField(max_length=10, default='draft')
        objective = TextField(default='')
        scope = TextField(default='')
        responsibilities = TextField(default='')
        definitions = TextField(default='')
        procedure = TextField(default='')
        records = TextField(default='')
        indicators = TextField(default='')
        related = TextField(default='')
        change_summary = CharField(max_length=300, default='')
        justification = TextField(default='')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        submitted_at = DateTimeField(null=True)
        review_note = TextField(default='')
        approver = ForeignKeyField(User, null=True, on_delete='SET NULL')
        approver_title = CharField(max_length=60, default='')
        approved_at = DateTimeField(null=True)
        published_on = DateField(null=True)
        published_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        ended_on = DateField(null=True)
        end_reason = TextField(default='')

        class Meta:
            database = db
            table_name = 'manual_version'
            indexes = ((('document', 'number'), True),)

    class ManualAttachment(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = ForeignKeyField(ManualVersion, on_delete='RESTRICT')
        file = ForeignKeyField(StoredFile, on_delete='RESTRICT')
        title = CharField(max_length=200)

        class Meta:
            database = db
            table_name = 'manual_attachment'
            indexes = ((('version', 'id'), False),)

    db.create_tables([ManualDocument, ManualVersion, ManualAttachment])
    migrator.migrate(migrator.add_column('manual_document', 'current_id', ForeignKeyField(
        ManualVersion, field=ManualVersion.id, null=True, on_delete='SET NULL')))

    if isinstance(db, PostgresqlDatabase):
        refused = _refused(lambda a, b: f"{a} IS DISTINCT FROM {b}")
        db.execute_sql(
            "CREATE FUNCTION traza_manual_version_frozen() RETURNS trigger AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' THEN IF OLD.state IN {FROZEN} THEN "
            "RAISE EXCEPTION 'an approved or published manual version cannot change'; END IF; RETURN OLD; END IF; "
            f"IF {refused} THEN RAISE EXCEPTION 'an approved or published manual version cannot change'; END IF; "
            "RETURN NEW; END; $$ LANGUAGE plpgsql")
        db.execute_sql("CREATE TRIGGER manual_version_frozen BEFORE UPDATE OR DELETE ON manual_version "
                       "FOR EACH ROW EXECUTE FUNCTION traza_manual_version_frozen()")
        db.execute_sql(
            "CREATE FUNCTION traza_manual_attachment_frozen() RETURNS trigger AS $$ DECLARE v integer; BEGIN "
            "IF TG_OP = 'INSERT' THEN v := NEW.version_id; ELSE v := OLD.version_id; END IF; "
            f"IF (SELECT state FROM manual_version WHERE id = v) IN {FROZEN} "
            "OR (TG_OP = 'UPDATE' AND (SELECT state FROM manual_version WHERE id = NEW.version_id) IN "
            f"{FROZEN}) THEN RAISE EXCEPTION 'the attachments of an approved or published manual version cannot "
            "change'; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql")
        db.execute_sql("CREATE TRIGGER manual_attachment_frozen BEFORE INSERT OR UPDATE OR DELETE ON "
                       "manual_attachment FOR EACH ROW EXECUTE FUNCTION traza_manual_attachment_frozen()")
    else:
        refused = _refused(lambda a, b: f"{a} IS NOT {b}")
        db.execute_sql("CREATE TRIGGER manual_version_frozen_update BEFORE UPDATE ON manual_version "
                       f"WHEN {refused} "
                       "BEGIN SELECT RAISE(ABORT, 'an approved or published manual version cannot change'); END")
        db.execute_sql("CREATE TRIGGER manual_version_frozen_delete BEFORE DELETE ON manual_version "
                       f"WHEN OLD.state IN {FROZEN} "
                       "BEGIN SELECT RAISE(ABORT, 'an approved or published manual version cannot change'); END")
        message = "the attachments of an approved or published manual version cannot change"
        for op, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            extra = (f" OR (SELECT state FROM manual_version WHERE id = NEW.version_id) IN {FROZEN}"
                     if op == "UPDATE" else "")
            db.execute_sql(f"CREATE TRIGGER manual_attachment_frozen_{op.lower()} BEFORE {op} ON manual_attachment "
                           f"WHEN (SELECT state FROM manual_version WHERE id = {row}.version_id) IN {FROZEN}{extra} "
                           f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS manual_attachment_frozen ON manual_attachment")
        db.execute_sql("DROP FUNCTION IF EXISTS traza_manual_attachment_frozen()")
        db.execute_sql("DROP TRIGGER IF EXISTS manual_version_frozen ON manual_version")
        db.execute_sql("DROP FUNCTION IF EXISTS traza_manual_version_frozen()")
    else:
        for name in ("manual_attachment_frozen_insert", "manual_attachment_frozen_update",
                     "manual_attachment_frozen_delete", "manual_version_frozen_update", "manual_version_frozen_delete"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    migrator.migrate(migrator.drop_index('manual_document', 'manual_document_current_id'))
    migrator.migrate(migrator.drop_column('manual_document', 'current_id'))
    db.execute_sql("DROP TABLE manual_attachment")
    db.execute_sql("DROP TABLE manual_version")
    db.execute_sql("DROP TABLE manual_document")

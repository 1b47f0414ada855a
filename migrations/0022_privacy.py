"""Privacy operations (issue 19): whose confidential data each audited read touched (``audit_subject``: one row
per client and case of a ``sensitive_read`` event, so "Quién consultó" on a client or case page is one index
range), an index for one person's reads in a period (the access review), and the register of data-subject
requests (``data_subject_request``).

The audit table refuses UPDATE, so the subjects of reads already logged go in a table of their own; they are
worked out here from each row's object (a client, a case, an interaction, a document item, a crisis incident),
in batches. A list export recorded before this migration named its filters, not its clients: it stays in the
person's reads but cannot be tied to a client."""
from peewee import *

BATCH = 5000


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class Client(Model):
        class Meta:
            database = db
            table_name = 'client'

    class StoredFile(Model):
        class Meta:
            database = db
            table_name = 'stored_file'

    class AuditEvent(Model):
        class Meta:
            database = db
            table_name = 'audit_event'

    class AuditSubject(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        event = ForeignKeyField(AuditEvent, on_delete='RESTRICT')
        actor_id = IntegerField(null=True)
        client_id = IntegerField(null=True)
        case_id = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'audit_subject'
            indexes = ((('client_id', 'event'), False), (('case_id', 'event'), False))

    class DataSubjectRequest(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        client = ForeignKeyField(Client, null=True, on_delete='SET NULL')
        kind = CharField(max_length=14)
        channel = CharField(max_length=10)
        received_on = DateField()
        jurisdiction = CharField(max_length=2)
        message = TextField(default='')
        identity_method = CharField(max_length=20, default='pending')
        identity_notes = CharField(max_length=500, default='')
        assignee = ForeignKeyField(User, on_delete='RESTRICT')
        due_on = DateField()
        extended_due_on = DateField(null=True)
        extension_reason = TextField(default='')
        escalate_from = DateField()
        status = CharField(max_length=11, default='received')
        answer = TextField(default='')
        evidence_note = TextField(default='')
        evidence = ForeignKeyField(StoredFile, null=True, on_delete='SET NULL')
        answered_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        answered_at = DateTimeField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'data_subject_request'
            indexes = ((('status', 'escalate_from'), False), (('assignee', 'status', 'escalate_from'), False),
                       (('client', 'id'), False))

    db.create_tables([AuditSubject, DataSubjectRequest])
    migrator.migrate(migrator.add_index('audit_event', ('actor_id', 'action', 'at'), False))
    _backfill(db)


def _ids(db, sql, ids):
    if not ids:
        return {}
    marks = ','.join([db.param] * len(ids))
    return {row[0]: row[1:] for row in db.execute_sql(sql.format(marks=marks), list(ids)).fetchall()}


def _backfill(db):
    """The subjects of the reads already in the log, oldest first, BATCH events at a time."""
    mark = db.param
    last = 0
    while True:
        rows = db.execute_sql(
            f"SELECT id, actor_id, object_type, object_id, at FROM audit_event WHERE action = 'sensitive_read' "
            f"AND id > {mark} ORDER BY id LIMIT {BATCH}", [last]).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        wanted = {}
        for _id, _actor, kind, object_id, _at in rows:
            if object_id and object_id.isdigit() and int(object_id) < 2**63:
                wanted.setdefault(kind, set()).add(int(object_id))
        cases = _ids(db, 'SELECT id, client_id FROM legal_case WHERE id IN ({marks})', wanted.get('legal_case', ()))
        interactions = _ids(db, 'SELECT id, client_id, case_id FROM interaction WHERE id IN ({marks})',
                            wanted.get('interaction', ()))
        items = _ids(db, 'SELECT d.id, c.client_id, d.case_id FROM document_item d JOIN legal_case c ON c.id = d.case_id '
                         'WHERE d.id IN ({marks})', wanted.get('document_item', ()))
        incidents = _ids(db, 'SELECT id, client_id, case_id FROM crisis_incident WHERE id IN ({marks})',
                         wanted.get('crisis_incident', ()))
        values = []
        for event_id, actor_id, kind, object_id, at in rows:
            number = int(object_id) if object_id and object_id.isdigit() and int(object_id) < 2**63 else None
            if number is None:
                continue
            subject = {'client': (number, None), 'legal_case': (cases.get(number, (None,))[0], number),
                       'interaction': interactions.get(number), 'document_item': items.get(number),
                       'crisis_incident': incidents.get(number)}.get(kind)
            if subject and (subject[0] or subject[1]):
                values.append((at, at, event_id, actor_id, subject[0], subject[1]))
        if values:
            db.execute_sql(
                'INSERT INTO audit_subject (created_at, updated_at, event_id, actor_id, client_id, case_id) VALUES '
                + ','.join([f'({mark},{mark},{mark},{mark},{mark},{mark})'] * len(values)),
                [v for row in values for v in row])


def down(migrator, db):
    migrator.migrate(migrator.drop_index('audit_event', 'audit_event_actor_id_action_at'))
    migrator.migrate(migrator.drop_table('data_subject_request'))
    migrator.migrate(migrator.drop_table('audit_subject'))

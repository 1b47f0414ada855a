"""The client journey's figures (``/manual/recorrido``) read each stage's sample from an index that holds both of its
moments: the cases resolved (with the day they were opened) and closed (with when they were resolved) in a period,
the cases' moves from open to in progress, the proposals decided, the contracts signed and the surveys answered.
Each median then counts and sorts its sample without reading the table's rows."""
from peewee import *

INDEXES = (
    ('legal_case', ('resolved_at', 'opened_on')),
    ('legal_case', ('closed_at', 'resolved_at')),
    ('case_status_change', ('from_status', 'to_status', 'created_at', 'case_id')),
    ('quotation', ('decided_at', 'sent_at', 'status')),
    ('contract', ('signed_on', 'quotation_id')),
    ('survey_invitation', ('answered_at', 'sent_at')),
)


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns, False) for table, columns in INDEXES))


def down(migrator, db):
    from playhouse.migrate import make_index_name

    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))

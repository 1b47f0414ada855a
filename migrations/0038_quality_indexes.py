"""Two figures of the quality dashboard read their rows from an index instead of the whole table: the readers who
have yet to acknowledge each published version of the manual (``manual_ack (version_id, acknowledged_at)``, counted
from the index) and the clients' moves out of the evaluation in a month, for the intake conversion
(``client_status_change (from_status, created_at)``: the month's moves only, not every move ever made)."""
from peewee import *

INDEXES = (
    ('manual_ack', ('version_id', 'acknowledged_at')),
    ('client_status_change', ('from_status', 'created_at')),
)


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns, False) for table, columns in INDEXES))


def down(migrator, db):
    from playhouse.migrate import make_index_name

    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))

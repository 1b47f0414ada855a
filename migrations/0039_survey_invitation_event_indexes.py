"""The survey figures of a period (the results page, the management review) count each thing that happened to an
invitation over its own index range: sent, opened (and whether it had been sent), answered and expired by state, so a
quarter reads its few thousand index entries instead of every invitation (services.surveys.results.invitations)."""
from peewee import *

INDEXES = (
    ('survey_invitation', ('sent_at',)),
    ('survey_invitation', ('opened_at', 'sent_at')),
    ('survey_invitation', ('status', 'answered_at')),
    ('survey_invitation', ('status', 'expires_at')),
)


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns, False) for table, columns in INDEXES))


def down(migrator, db):
    from playhouse.migrate import make_index_name

    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))

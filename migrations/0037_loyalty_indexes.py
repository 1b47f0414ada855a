"""The loyalty pages read what they show from indexes, in the order they show it, at any number of rows: the latest
benefits applied (``benefit_grant.applied_at``, walked newest first and stopped at the list's 20 instead of every
grant sorted), the referrals counted per referrer with their outcome (``client (referred_by_id, status)``: the
ranking counts them without reading a client row) and the newsletter's subscribers (``consent (purpose, client_id,
id)``: the latest "newsletter" record of each client among those records only, not every consent)."""
from peewee import *

INDEXES = (
    ('benefit_grant', ('applied_at',)),
    ('client', ('referred_by_id', 'status')),
    ('consent', ('purpose', 'client_id', 'id')),
)


def up(migrator, db):
    migrator.migrate(*(migrator.add_index(table, columns, False) for table, columns in INDEXES))


def down(migrator, db):
    from playhouse.migrate import make_index_name

    migrator.migrate(*(migrator.drop_index(table, make_index_name(table, columns)) for table, columns in INDEXES))

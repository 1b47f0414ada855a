"""New-user defects (issue 11): earlier quotation versions still marked sent when a later version was accepted
become superseded; the client's newsletter flag goes, the consent register (append-only) being the one
record of who wants the newsletter."""
from peewee import *

SUPERSEDE = """UPDATE quotation SET status = 'superseded'
WHERE status = 'sent' AND EXISTS (SELECT 1 FROM quotation AS later WHERE later.number = quotation.number
                                  AND later.version > quotation.version AND later.status = 'accepted')"""

NEWSLETTER_FROM_CONSENT = """UPDATE client SET newsletter = TRUE WHERE id IN (
    SELECT c.client_id FROM consent AS c WHERE c.purpose = 'newsletter' AND c.granted
    AND c.id = (SELECT MAX(c2.id) FROM consent AS c2 WHERE c2.client_id = c.client_id AND c2.purpose = 'newsletter'))"""


def up(migrator, db):
    db.execute_sql(SUPERSEDE)
    migrator.migrate(migrator.drop_column('client', 'newsletter'))


def down(migrator, db):
    migrator.migrate(migrator.add_column('client', 'newsletter', BooleanField(default=False)))
    db.execute_sql(NEWSLETTER_FROM_CONSENT)
    db.execute_sql("UPDATE quotation SET status = 'sent' WHERE status = 'superseded'")

"""New-user defects (issue 11): closing a case or a crisis incident with items still open takes a recorded
reason, kept with the list of what was open at that moment (the incident's reason encrypted, like its other
details); a compliment carries no SLA, so the complaint's due dates may be empty, and the compliments already
registered lose theirs (and any SLA rule written for them)."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('legal_case', 'closing_reason', TextField(default='')),
        migrator.add_column('legal_case', 'closed_open_items', TextField(default='')),
        migrator.add_column('crisis_incident', 'closing_reason', TextField(default='')),
        migrator.add_column('crisis_incident', 'closed_open_items', TextField(default='')),
        migrator.drop_not_null('complaint', 'response_due_at'),
        migrator.drop_not_null('complaint', 'due_at'),
    )
    db.execute_sql("UPDATE complaint SET response_due_at = NULL, due_at = NULL, alert_level = 0 WHERE kind = 'compliment'")
    db.execute_sql("DELETE FROM sla_rule WHERE kind = 'compliment'")


def down(migrator, db):
    # Without an SLA there is nothing owed: the moment it was received stands in for both due dates.
    db.execute_sql("UPDATE complaint SET response_due_at = received_at WHERE response_due_at IS NULL")
    db.execute_sql("UPDATE complaint SET due_at = received_at WHERE due_at IS NULL")
    migrator.migrate(
        migrator.add_not_null('complaint', 'due_at'),
        migrator.add_not_null('complaint', 'response_due_at'),
        migrator.drop_column('crisis_incident', 'closed_open_items'),
        migrator.drop_column('crisis_incident', 'closing_reason'),
        migrator.drop_column('legal_case', 'closed_open_items'),
        migrator.drop_column('legal_case', 'closing_reason'),
    )

"""Derived values the quality indicators read instead of computing them per row (issue 16): the case's first
survey moment (``legal_case.survey_sent_at``: the earliest ``sent_at`` of its invitations) and, on each outgoing
update, the moment of the client's next one and how many of the firm's local days later it came
(``interaction.next_update_at``, ``interaction.next_update_days``), with the indexes the indicators' scans by
period use. Existing rows are filled in batches, one set-based UPDATE each (the local days need the firm's time
zone, so they are worked out per batch and written with one UPDATE … FROM VALUES)."""
import os
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from peewee import *

BATCH = 20000
VALUES_BATCH = 1000


def _batches(db, table):
    (low, high), = db.execute_sql(f'SELECT MIN(id), MAX(id) FROM {table}').fetchall()
    start = low or 0
    while high is not None and start <= high:
        yield start, start + BATCH
        start += BATCH


def _zone():
    try:
        from flask import current_app

        return ZoneInfo(current_app.config['TIMEZONE'])
    except RuntimeError:  # outside the app (the test template): the configuration's own default
        return ZoneInfo(os.environ.get('TRAZA_TIMEZONE', 'America/Bogota'))


def _local_day(value, zone):
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC).astimezone(zone).date()


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('legal_case', 'survey_sent_at', DateTimeField(null=True)),
        migrator.add_column('interaction', 'next_update_at', DateTimeField(null=True)),
        migrator.add_column('interaction', 'next_update_days', IntegerField(null=True)),
    )
    backfill(db)
    migrator.migrate(
        migrator.add_index('legal_case', ('status', 'closed_at', 'survey_sent_at'), False),
        migrator.add_index('interaction', ('kind', 'direction', 'occurred_at', 'next_update_days', 'client_id'), False),
    )


def backfill(db):
    """The stored values of the rows already written, as the write paths keep them."""
    p = db.param
    for start, stop in _batches(db, 'legal_case'):
        db.execute_sql(
            'UPDATE legal_case SET survey_sent_at = (SELECT MIN(i.sent_at) FROM survey_invitation i'
            ' WHERE i.case_id = legal_case.id)'
            f' WHERE legal_case.id >= {p} AND legal_case.id < {p} AND EXISTS (SELECT 1 FROM survey_invitation i'
            ' WHERE i.case_id = legal_case.id AND i.sent_at IS NOT NULL)', (start, stop))
    zone = None
    for start, stop in _batches(db, 'client'):
        db.execute_sql(
            'UPDATE interaction SET next_update_at = linked.next FROM ('
            ' SELECT i.id, LEAD(i.occurred_at) OVER (PARTITION BY i.client_id ORDER BY i.occurred_at, i.id) AS next'
            " FROM interaction i WHERE i.direction = 'out' AND i.kind = 'update'"
            f' AND i.client_id >= {p} AND i.client_id < {p}) AS linked'
            ' WHERE interaction.id = linked.id AND linked.next IS NOT NULL', (start, stop))
        rows = db.execute_sql('SELECT id, occurred_at, next_update_at FROM interaction'
                              f' WHERE client_id >= {p} AND client_id < {p} AND next_update_at IS NOT NULL',
                              (start, stop)).fetchall()
        zone = zone or (_zone() if rows else None)
        for first in range(0, len(rows), VALUES_BATCH):
            chunk = rows[first:first + VALUES_BATCH]
            values = ', '.join([f'({p}, {p})'] * len(chunk))
            params = [x for row_id, occurred, following in chunk
                      for x in (row_id, (_local_day(following, zone) - _local_day(occurred, zone)).days)]
            db.execute_sql(f'UPDATE interaction SET next_update_days = v.column2 FROM (VALUES {values}) AS v'
                           ' WHERE interaction.id = v.column1', params)


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index('interaction', 'interaction_kind_direction_occurred_at_next_update_days__6d6d41b'),
        migrator.drop_index('legal_case', 'legal_case_status_closed_at_survey_sent_at'),
        migrator.drop_column('interaction', 'next_update_days'),
        migrator.drop_column('interaction', 'next_update_at'),
        migrator.drop_column('legal_case', 'survey_sent_at'),
    )

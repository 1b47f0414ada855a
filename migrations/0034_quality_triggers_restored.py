"""The quality figures' triggers on ``client``, back on SQLite.

Migration 0030 added ``client.priority`` NOT NULL; on SQLite peewee adds such a column by rebuilding the table, and a
rebuilt table loses its triggers: the five that forget a kept month when a client's kind, area, responsible, status
or creation day changes (migration 0021) were gone, so a filtered dashboard could show a month computed before the
change. This puts back every trigger of 0021 that is missing, whatever table lost it, and forgets every kept figure
(any of them may have been computed while a trigger was missing). PostgreSQL alters a column in place and keeps its
triggers: nothing to do there but forgetting the figures is harmless, so both forget them."""
import importlib.util
from pathlib import Path

from peewee import *

HERE = Path(__file__).with_name("0021_quality_figures.py")


def _origin():
    spec = importlib.util.spec_from_file_location("quality_figures_0021", HERE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected_sqlite_triggers() -> set[str]:
    """The names of the triggers migration 0021 creates on SQLite."""
    origin = _origin()
    names = {f"quality_figure_{table}_{kind}" for table, *_rest in origin.ROWS for kind in ("insert", "delete", "update")}
    return names | {f"quality_figure_{table}_{column}" for table, column, *_rest in origin.CHANGES}


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        origin = _origin()
        present = {name for (name,) in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        for table, columns, condition, actions in origin.ROWS:
            for event, refs in (("INSERT", ("NEW",)), ("DELETE", ("OLD",)), (f"UPDATE OF {columns}", ("OLD", "NEW"))):
                kind = event.split()[0].lower()
                if f"quality_figure_{table}_{kind}" in present:
                    continue
                when = " OR ".join(f"({condition.format(r=r)})" for r in refs) if condition else ""
                body = "; ".join([origin.BUMP, *(origin._statements(actions, r) for r in refs)])
                db.execute_sql(f"CREATE TRIGGER quality_figure_{table}_{kind} AFTER {event} ON {table} "
                               + (f"WHEN {when} " if when else "") + f"BEGIN {body}; END")
        for table, column, indicators, filtered in origin.CHANGES:
            name = f"quality_figure_{table}_{column}"
            if name not in present:
                body = f"{origin.BUMP}; {origin._forget_scope(indicators, filtered)};"
                db.execute_sql(f"CREATE TRIGGER {name} AFTER UPDATE OF {column} ON {table} "
                               f"WHEN OLD.{column} IS NOT NEW.{column} BEGIN {body} END")
    db.execute_sql("DELETE FROM quality_figure")
    db.execute_sql("UPDATE quality_figure_epoch SET n = n + 1")


def down(migrator, db):
    pass  # the triggers belong to 0021, which drops them

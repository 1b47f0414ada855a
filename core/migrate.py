"""Migrations with peewee's own runner (playhouse.migrations); files in migrations/NNNN_slug.py."""

from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from core.config import ROOT
from core.db import db

DIRECTORY = str(ROOT / "migrations")


def runner() -> Runner:
    return Runner(db.obj, DIRECTORY)


def pending() -> list[str]:
    return [m.name for m in runner().status() if not m.applied]


def schema_diff():
    from models import ALL_MODELS

    return diff_models(db.obj, ALL_MODELS)

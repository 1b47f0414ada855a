"""Targets of the quality indicators (PRO 008 §7): the value to reach, its direction, its owner, who set it
and when; one row per indicator."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class QualityTarget(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        indicator = CharField(max_length=16, unique=True)
        target = FloatField()
        direction = CharField(max_length=4, default='up')
        owner = ForeignKeyField(User, on_delete='RESTRICT')
        set_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        set_on = DateField()
        class Meta:
            database = db
            table_name = 'quality_target'
    db.create_tables([QualityTarget])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('quality_target'))

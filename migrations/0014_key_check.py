"""Key check values (issue 12): one known text sealed with each key, so Traza refuses to start with keys
that do not open this database's data."""
from peewee import *


def up(migrator, db):
    class KeyCheck(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        purpose = CharField(max_length=20, unique=True)
        value = TextField()
        class Meta:
            database = db
            table_name = 'key_check'
    db.create_tables([KeyCheck])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('key_check'))

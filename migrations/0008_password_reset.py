"""Password reset links (issue 11, SECURITY.md P6): one row per emailed link, only the token's SHA-256."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class PasswordResetToken(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        token_hash = CharField(unique=True, max_length=64)
        user = ForeignKeyField(User, on_delete='CASCADE')
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'password_reset_token'
    db.create_tables([PasswordResetToken])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('password_reset_token'))

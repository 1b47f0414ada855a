"""The newsletter (issue 18, PRO 008 §5.5.2 "Informar al cliente sobre buenas prácticas"): an issue written in Traza
(``newsletter_issue``: its number, subject and Markdown, draft → sending → sent) and one delivery per subscriber
(``newsletter_delivery``: the address it went to, the id of its message in the outbox, and the day the client unsubscribed from
it). The subscribers are no table: they are the clients whose latest "newsletter" consent is given. Outbox messages
get ``bulk``, so the mail worker sends newsletters at ``TRAZA_NEWSLETTER_RATE`` a minute, after the transactional
mail."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class Client(Model):
        class Meta:
            database = db
            table_name = 'client'

    class NewsletterIssue(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        number = IntegerField(unique=True)
        subject = CharField(max_length=200)
        body = TextField(default='')
        status = CharField(max_length=8, default='draft')
        started_at = DateTimeField(null=True)
        started_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        finished_at = DateTimeField(null=True)
        recipients = IntegerField(default=0)

        class Meta:
            database = db
            table_name = 'newsletter_issue'

    class NewsletterDelivery(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        issue = ForeignKeyField(NewsletterIssue, on_delete='CASCADE')
        client = ForeignKeyField(Client, on_delete='CASCADE')
        email = CharField(max_length=254)
        message_id = CharField(max_length=36)
        unsubscribed_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'newsletter_delivery'
            indexes = ((('issue', 'client'), True),)

    db.create_tables([NewsletterIssue, NewsletterDelivery])
    migrator.migrate(migrator.add_column('outbound_email', 'bulk', BooleanField(default=False)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('outbound_email', 'bulk'))
    migrator.migrate(migrator.drop_table('newsletter_delivery'))
    migrator.migrate(migrator.drop_table('newsletter_issue'))

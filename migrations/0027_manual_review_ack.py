"""The manual's review calendar and acknowledgements (issue 17, items 3 and 4): a document's review period, next
review day and the roles it concerns (``manual_document``); each periodic review with its outcome and any change in
the law that prompted it (``manual_review``); one acknowledgement per member of staff asked to read a published
version (``manual_ack``); and the confidentiality agreements of staff and contractors (``manual_agreement``)."""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'app_user'

    class StoredFile(Model):
        class Meta:
            database = db
            table_name = 'stored_file'

    class ManualDocument(Model):
        class Meta:
            database = db
            table_name = 'manual_document'

    class ManualVersion(Model):
        class Meta:
            database = db
            table_name = 'manual_version'

    migrator.migrate(
        # Database defaults too: rows written by plain INSERTs that do not name them (the bench) are taken.
        migrator.add_column('manual_document', 'review_months', IntegerField(default=12, constraints=[SQL('DEFAULT 12')])),
        migrator.add_column('manual_document', 'next_review_on', DateField(null=True)),
        migrator.add_column('manual_document', 'concerned_roles', CharField(max_length=200, default='',
                                                                            constraints=[SQL("DEFAULT ''")])),
        migrator.add_column('manual_document', 'ack_reminded_on', DateField(null=True)),
        migrator.add_index('manual_document', ('next_review_on',), False),
    )

    class ManualReview(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        document = ForeignKeyField(ManualDocument, on_delete='RESTRICT')
        version = ForeignKeyField(ManualVersion, null=True, on_delete='RESTRICT')
        reviewed_on = DateField()
        outcome = CharField(max_length=12)
        note = TextField(default='')
        law_change = TextField(default='')
        reviewer = ForeignKeyField(User, null=True, on_delete='SET NULL')
        new_version = ForeignKeyField(ManualVersion, null=True, on_delete='SET NULL')
        next_review_on = DateField(null=True)

        class Meta:
            database = db
            table_name = 'manual_review'
            indexes = ((('document', 'reviewed_on'), False),)

    class ManualAck(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = ForeignKeyField(ManualVersion, on_delete='RESTRICT')
        document = ForeignKeyField(ManualDocument, on_delete='RESTRICT')
        user = ForeignKeyField(User, on_delete='CASCADE')
        requested_on = DateField()
        acknowledged_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'manual_ack'
            indexes = ((('version', 'user'), True), (('user', 'acknowledged_at'), False))

    class ConfidentialityAgreement(Model):
        created_at = DateTimeField()
        updated_at = DateTimeField()
        person_name = CharField(max_length=120)
        kind = CharField(max_length=10)
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        organisation = CharField(max_length=200, default='')
        policy = ForeignKeyField(ManualDocument, null=True, on_delete='RESTRICT')
        policy_version = ForeignKeyField(ManualVersion, null=True, on_delete='RESTRICT')
        signed_on = DateField()
        consequences = TextField(default='')
        file = ForeignKeyField(StoredFile, null=True, on_delete='RESTRICT')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'manual_agreement'
            indexes = ((('person_name', 'id'), False),)

    db.create_tables([ManualReview, ManualAck, ConfidentialityAgreement])


def down(migrator, db):
    for table in ('manual_agreement', 'manual_ack', 'manual_review'):
        migrator.migrate(migrator.drop_table(table))
    migrator.migrate(
        migrator.drop_index('manual_document', 'manual_document_next_review_on'),
        migrator.drop_column('manual_document', 'ack_reminded_on'),
        migrator.drop_column('manual_document', 'concerned_roles'),
        migrator.drop_column('manual_document', 'next_review_on'),
        migrator.drop_column('manual_document', 'review_months'),
    )

"""The quality indicators' figures of closed months, kept between requests (migration 0021, services/quality/figures.py).

A row is one indicator's numerator and denominator (and, for the indicators with a percentile, the month's values)
for one whole, settled month of one scope. Triggers on every table an indicator reads delete the months a write
touches and advance the epoch; a figure is stored only if the epoch has not moved since its computation began."""

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DoubleField,
    IntegerField,
    Model,
    TextField,
)

from core.db import db, is_sqlite, utcnow

EPOCH_ID = 1


class QualityFigure(Model):
    indicator = CharField(max_length=16)
    scope = CharField(max_length=64)  # a digest of the filters and the settings the figure depends on
    filtered = BooleanField(default=False)  # some filter applies (client changes forget these)
    month = DateField()  # first local day
    day_lo = DateField()  # the month's days [day_lo, day_hi)
    day_hi = DateField()
    at_lo = DateTimeField()  # the anchor moments (UTC) of the rows counted in the month [at_lo, at_hi)
    at_hi = DateTimeField()
    numerator = DoubleField()
    denominator = IntegerField()
    lists = TextField(null=True)  # JSON: the month's values behind a percentile
    computed_at = DateTimeField(default=utcnow)

    class Meta:
        database = db
        table_name = "quality_figure"
        indexes = ((("scope", "month", "indicator"), True),)

    @classmethod
    def for_scope(cls, scope: str, months, indicators=None) -> list:
        """The cached figures of ``scope`` for these months, of ``indicators`` only when given (one query: an
        indicator's page reads its own, not the others' percentile lists)."""
        if not months:
            return []
        query = cls.select(cls.indicator, cls.month, cls.numerator, cls.denominator, cls.lists).where(
            cls.scope == scope, cls.month.in_(list(months)))
        if indicators is not None:
            query = query.where(cls.indicator.in_(list(indicators)))
        return list(query.tuples())

    @classmethod
    def store(cls, rows: list[dict], epoch: int) -> bool:
        """Insert ``rows`` if no write has touched an indicator's tables since ``epoch`` was read: under a lock on
        the epoch row (PostgreSQL: skipped when a writer holds it, since that writer will move it), so a write that
        commits later finds the rows and deletes them. False when not stored."""
        from peewee import DatabaseError

        if not rows:
            return False
        try:
            with db.atomic():
                current = QualityFigureEpoch.select().where(QualityFigureEpoch.id == EPOCH_ID,
                                                            QualityFigureEpoch.n == epoch)
                if not is_sqlite():
                    current = current.for_update("FOR UPDATE SKIP LOCKED")
                if not current.exists():
                    return False
                cls.insert_many(rows).on_conflict_ignore().execute()
        except DatabaseError:  # SQLite: a writer committed between the check and the insert
            return False
        return True


class QualityFigureEpoch(Model):
    n = BigIntegerField(default=0)

    class Meta:
        database = db
        table_name = "quality_figure_epoch"

    @classmethod
    def current(cls) -> int:
        """The epoch now (one query; the row is put back if something removed it)."""
        row = cls.select(cls.n).where(cls.id == EPOCH_ID).scalar()
        if row is None:
            cls.insert(id=EPOCH_ID, n=0).on_conflict_ignore().execute()
            return 0
        return int(row)

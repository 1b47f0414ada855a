"""Timing requests through a Flask test client, and counting (and timing) the SQL each one runs.

Timed requests run with no query hook installed; queries are counted afterwards on a few more requests
through peewee's ``Database.query_hooks`` (every statement sent with ``execute_sql``: the same ones
``playhouse.test_utils.count_queries`` sees, without turning on DEBUG logging).
"""

import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from core.db import db


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 100 samples is the 95th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass
class QueryStat:
    sql: str
    params: tuple
    calls_per_request: float
    ms_per_request: float  # time to the first row, summed over the calls in one request

    @property
    def short_sql(self) -> str:
        """The statement with a long column list folded: ``SELECT … 35 columns … FROM``."""
        head, sep, tail = self.sql.partition(" FROM ")
        if not sep or not head.startswith("SELECT ") or len(head) < 120:
            return self.sql
        return f"SELECT … {head.count(',') + 1} columns … FROM {tail}"


@dataclass
class Measurement:
    samples: list[float] = field(default_factory=list)  # seconds
    statuses: Counter = field(default_factory=Counter)
    queries: list[int] = field(default_factory=list)
    sql_ms: float = 0.0  # time to first row of all statements, per request (counted requests)
    slowest: list[QueryStat] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples, 0.95) * 1000

    @property
    def ok(self) -> bool:
        return set(self.statuses) == {200}

    @property
    def queries_label(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"


class QueryRecorder:
    """Record every statement the current database executes while active."""

    def __init__(self):
        self.events = []
        self._hook = self.events.append

    def __enter__(self):
        db.obj.query_hooks.append(self._hook)
        return self

    def __exit__(self, *exc):
        db.obj.query_hooks.remove(self._hook)


def measure(client, url: str, requests: int, warmup: int, counted: int = 3) -> Measurement:
    result = Measurement()
    for _ in range(warmup):
        result.statuses[client.get(url).status_code] += 1
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        result.samples.append(time.perf_counter() - start)
        result.statuses[response.status_code] += 1
    events = []
    for _ in range(counted):
        with QueryRecorder() as recorder:
            result.statuses[client.get(url).status_code] += 1
        result.queries.append(len(recorder.events))
        events.extend(recorder.events)
    result.sql_ms = sum(e.duration for e in events) * 1000 / counted
    result.slowest = _slowest(events, counted)
    return result


def _slowest(events, requests: int, keep: int = 3) -> list[QueryStat]:
    by_sql: dict[str, list] = {}
    for event in events:
        by_sql.setdefault(event.sql, []).append(event)
    stats = [QueryStat(sql, tuple(group[0].params or ()), len(group) / requests,
                       sum(e.duration for e in group) * 1000 / requests) for sql, group in by_sql.items()]
    return sorted(stats, key=lambda s: s.ms_per_request, reverse=True)[:keep]


def explain(sql: str, params: tuple) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN as indented lines (empty for statements other than SELECT)."""
    if not sql.lstrip().upper().startswith("SELECT"):
        return []
    with db.connection_context():
        rows = db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    depth = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines

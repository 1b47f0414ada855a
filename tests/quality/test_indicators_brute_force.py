"""Every indicator computed by brute force over generated rows, in plain Python, against what the service
returns and what the pages show: per month, over the period, and under each filter."""

import random
from datetime import date, datetime, time, timedelta

import pytest
from playhouse.test_utils import count_queries

from core.i18n import to_local, to_utc
from models.clients import Client, ClientStatusChange
from models.commercial import Contract, Quotation
from models.complaints import Complaint
from models.documents import Holiday
from models.surveys import SurveyInvitation, SurveyResponse, SurveyTemplate
from services.quality import indicators as ind
from tests.factories import make_area, make_client

pytestmark = pytest.mark.usefixtures("clock")

PERIOD = ind.Period(date(2025, 12, 10), date(2026, 11, 20))  # a part month at each end


def _day(rng):
    return PERIOD.start + timedelta(days=rng.randint(-40, (PERIOD.end - PERIOD.start).days + 40))


def _moment(rng):
    return to_utc(datetime.combine(_day(rng), time(rng.randint(0, 23), rng.randint(0, 59))))


def _generate(make_user):
    rng = random.Random(8)
    owners = [make_user(roles=("service",)), make_user(roles=("service",))]
    areas = [make_area("Derecho laboral"), make_area("Derecho de familia")]
    clients = [make_client(name=f"Cliente {i}", kind=("person", "company")[i % 2], document_number=f"5212{i:04d}",
                           practice_area=areas[i % 2].id, responsible=owners[i % 2].id) for i in range(4)]
    for day in (date(2026, 1, 12), date(2026, 3, 23), date(2026, 6, 29)):  # Mondays that are holidays
        Holiday.create(day=day, region="CO", name="Festivo")
    template = SurveyTemplate.create(name="Encuesta", family=0)
    for n in range(120):
        day, client = _day(rng), rng.choice([*clients, None])
        count = rng.randint(0, 6)
        high = rng.randint(0, count)
        SurveyResponse.create(template=template, client=client, anonymous=client is None,
                              practice_area=rng.choice([*areas, None]), responsible=rng.choice([*owners, None]),
                              answered_on=day, month=day.replace(day=1), ratings_count=count, ratings_sum=count * 3,
                              ratings_high=high, nps=rng.choice([None, *range(11)]))
        sent = _moment(rng) if rng.random() < 0.9 else None
        SurveyInvitation.create(template=template, client=rng.choice(clients), send_on=day, sent_at=sent,
                                answered_at=sent + timedelta(days=2) if sent and rng.random() < 0.5 else None,
                                withdrawn_at=sent if sent and rng.random() < 0.05 else None,
                                expires_at=datetime(2027, 1, 1), status="sent",
                                practice_area=rng.choice([*areas, None]), responsible=rng.choice([*owners, None]))
        received = _moment(rng)
        resolved = received + timedelta(hours=rng.randint(1, 400)) if rng.random() < 0.7 else None
        Complaint.create(number=f"Q-2026-{n:05d}", owner=rng.choice(owners), client=rng.choice([*clients, None]),
                         description="Queja", kind=rng.choice(["complaint", "claim", "compliment"]),
                         practice_area=rng.choice([*areas, None]), received_at=received,
                         due_at=received + timedelta(days=5) if rng.random() < 0.9 else None,
                         resolved_at=resolved, status="resolved" if resolved else "received")
    for _n in range(80):
        ClientStatusChange.create(client=rng.choice(clients), from_status=rng.choice(["evaluating", "prospect"]),
                                  to_status=rng.choice(["accepted", "rejected", "evaluating"]),
                                  created_at=_moment(rng))
    contracts = []
    for n in range(60):
        client = rng.choice(clients)
        quotation = Quotation.create(client=client, number=n + 1, valid_until=PERIOD.end)
        end = _day(rng)
        renews = rng.choice(contracts) if contracts and rng.random() < 0.5 else None
        contracts.append(Contract.create(client=client, quotation=quotation, start_date=end - timedelta(days=365),
                                         end_date=end, status=rng.choice(["active", "expired", "renewed", "draft"]),
                                         renews=renews))
    return areas, owners


def _month_index(day):
    months = PERIOD.months
    if not PERIOD.start <= day <= PERIOD.end:
        return None
    return max(i for i, m in enumerate(months) if m <= day)


def _local_day(moment):
    return to_local(moment).date()


def _expected(key, f: ind.Filters):
    """(per month [(num, den)], total num, total den) in plain Python."""
    clients = {c.id: c for c in Client.select()}
    months = [[0.0, 0] for _ in PERIOD.months]

    def kind_ok(client_id):
        return not f.kind or (client_id is not None and clients[client_id].kind == f.kind)

    def add(day, num, den):
        i = _month_index(day)
        if i is not None:
            months[i][0] += num
            months[i][1] += den

    if key in ("satisfaccion", "nps"):
        groups = {}  # (month, anonymous): [(num, den)] — a month's anonymous answers count only by enough of them
        for r in SurveyResponse.select():
            if not kind_ok(r.client_id) or (f.area and r.practice_area_id != f.area) or (
                    f.responsible and r.responsible_id != f.responsible) or _month_index(r.answered_on) is None:
                continue
            if key == "satisfaccion":
                part = (r.ratings_high, r.ratings_count)
            elif r.nps is not None:
                part = ((r.nps >= 9) - (r.nps <= 6), 1)
            else:
                continue
            groups.setdefault((r.answered_on.replace(day=1) if r.answered_on >= PERIOD.start.replace(day=1)
                               else r.answered_on, r.anonymous), []).append((r.answered_on, part))
        for (_month, anonymous), parts in groups.items():
            if anonymous and len(parts) < MIN_ANONYMOUS:
                continue
            for day, (num, den) in parts:
                add(day, num, den)
    elif key == "respuesta":
        for i in SurveyInvitation.select():
            if i.sent_at is None or i.withdrawn_at is not None or not kind_ok(i.client_id) or (
                    f.area and i.practice_area_id != f.area) or (f.responsible and i.responsible_id != f.responsible):
                continue
            add(_local_day(i.sent_at), i.answered_at is not None, 1)
    elif key in ("resolucion", "sla"):
        for c in Complaint.select():
            if c.kind == "compliment" or c.resolved_at is None or not kind_ok(c.client_id) or (
                    f.area and c.practice_area_id != f.area) or (f.responsible and c.owner_id != f.responsible):
                continue
            if key == "resolucion":
                add(_local_day(c.received_at), (c.resolved_at - c.received_at).total_seconds() / 86400, 1)
            elif c.due_at is not None:
                add(_local_day(c.received_at), c.resolved_at <= c.due_at, 1)
    elif key == "admision":
        for c in ClientStatusChange.select():
            client = clients[c.client_id]
            if c.from_status != "evaluating" or c.to_status not in ("accepted", "rejected") or not kind_ok(
                    c.client_id) or (f.area and client.practice_area_id != f.area) or (
                    f.responsible and client.responsible_id != f.responsible):
                continue
            add(_local_day(c.created_at), c.to_status == "accepted", 1)
    elif key == "retencion":
        all_contracts = list(Contract.select())
        for c in all_contracts:
            client = clients[c.client_id]
            if c.status == "draft" or not kind_ok(c.client_id) or (f.area and client.practice_area_id != f.area) or (
                    f.responsible and client.responsible_id != f.responsible):
                continue
            renewed = any(o.renews_id == c.id and o.status != "draft" for o in all_contracts)
            add(c.end_date, renewed, 1)
    return months


MIN_ANONYMOUS = 3  # SURVEY_MIN_ANONYMOUS's default


def _ratio(key, num, den):
    if not den:
        return None
    return round(num / den, 1) if key == "resolucion" else round(100.0 * num / den, 1)


def test_every_indicator_matches_a_brute_force_count(app, make_user):
    with app.test_request_context():
        areas, owners = _generate(make_user)
        for f in (ind.Filters(), ind.Filters(area=areas[0].id), ind.Filters(responsible=owners[1].id),
                  ind.Filters(kind="company"), ind.Filters(area=areas[1].id, kind="person")):
            for key in ind.INDICATORS:
                with count_queries() as counter:
                    got = ind.compute(key, PERIOD, f)
                assert counter.count <= (2 if key == "resolucion" else 1), key  # and the holidays it spans
                months = _expected(key, f)
                assert [m for m, _v, _d in got.by_month] == PERIOD.months
                assert [d for _m, _v, d in got.by_month] == [d for _n, d in months], (key, f)
                assert [v for _m, v, _d in got.by_month] == pytest.approx(
                    [_ratio(key, n, d) for n, d in months], abs=0.051), (key, f)
                total_num, total_den = sum(n for n, _d in months), sum(d for _n, d in months)
                assert got.denominator == total_den
                assert total_den or f != ind.Filters(), key  # the data reaches every indicator
                assert got.value == pytest.approx(_ratio(key, total_num, total_den), abs=0.051), (key, f)
                if key == "resolucion":
                    assert got.extra == _resolution_extras(f)


def _resolution_extras(f):
    """The 90th percentile (nearest rank) of calendar days, and the average and 90th percentile in business days,
    each business day counted one by one with the firm's calendar."""
    import math

    from services.documents.calendar import business_days_between

    clients = {c.id: c for c in Client.select()}
    calendar, business = [], []
    for c in Complaint.select():
        if c.kind == "compliment" or c.resolved_at is None or (f.kind and (
                c.client_id is None or clients[c.client_id].kind != f.kind)) or (
                f.area and c.practice_area_id != f.area) or (f.responsible and c.owner_id != f.responsible):
            continue
        if _month_index(_local_day(c.received_at)) is None:
            continue
        calendar.append((c.resolved_at - c.received_at).total_seconds() / 86400)
        business.append(max(0, business_days_between(_local_day(c.received_at), _local_day(c.resolved_at))))

    def p90(values):
        return round(float(sorted(values)[max(1, math.ceil(0.9 * len(values))) - 1]), 1) if values else None

    return {"p90": p90(calendar), "business_avg": round(sum(business) / len(business), 1) if business else None,
            "business_p90": p90(business)}


def _read(text):
    """A figure as the page writes it (Spanish: 1.234,5 %) back to a number; None for a dash or "sin datos"."""
    text = text.replace("\xa0", " ").replace("%", "").replace("días", "").replace("days", "").strip()
    if not text or text == "—" or not any(ch.isdigit() for ch in text):
        return None
    return float(text.replace("−", "-").replace(".", "").replace(",", "."))


def test_the_pages_show_the_brute_force_figures(app, http, make_user):
    import re

    from tests.factories import sign_in

    with app.test_request_context():
        areas, owners = _generate(make_user)
    sign_in(http, make_user(roles=("quality",)))
    query = f"desde={PERIOD.start.isoformat()}&hasta={PERIOD.end.isoformat()}"
    for f, args in ((ind.Filters(), ""), (ind.Filters(area=areas[0].id), f"&area={areas[0].id}"),
                    (ind.Filters(responsible=owners[1].id, kind="company"), f"&responsable={owners[1].id}&tipo=company")):
        with app.app_context():
            expected = {key: _expected(key, f) for key in ind.INDICATORS}
        page = http.get(f"/calidad?{query}{args}").get_data(as_text=True)
        for key, months in expected.items():
            total = _ratio(key, sum(n for n, _d in months), sum(d for _n, d in months))
            shown = re.search(rf'data-testid="value-{key}">([^<]*)<', page).group(1)
            assert _read(shown) == pytest.approx(total, abs=0.051) if total is not None else _read(shown) is None
            detail = http.get(f"/calidad/indicadores/{key}?{query}{args}").get_data(as_text=True)
            shown = re.search(r'data-testid="value">([^<]*)<', detail).group(1)
            assert _read(shown) == pytest.approx(total, abs=0.051) if total is not None else _read(shown) is None
            table = detail.split('data-testid="months"')[1].split("</table>")[0]
            cells = re.findall(r'<td class="num"[^>]*>([^<]*)</td><td class="num"[^>]*>(?:<a [^>]*>)?(\d+)(?:</a>)?</td>',
                               table)
            assert [int(n) for _v, n in cells] == [d for _n, d in months], key
            if key == "satisfaccion":  # each month's count opens that month's responses
                assert "/encuestas/resultados/respuestas?desde=" in table
            for (value, _n), (num, den) in zip(cells, months, strict=True):
                want = _ratio(key, num, den)
                assert (_read(value) is None) if want is None else _read(value) == pytest.approx(want, abs=0.051)

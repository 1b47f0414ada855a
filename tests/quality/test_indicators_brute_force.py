"""Every indicator computed by brute force over generated rows, in plain Python, against what the service
returns and what the pages show: per month, over the period, and under each filter."""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from playhouse.test_utils import count_queries

from core.i18n import to_local, to_utc
from models.cases import Case
from models.clients import Client, ClientStatusChange
from models.commercial import Contract, Quotation
from models.complaints import Complaint
from models.documents import Deadline, Holiday
from models.interactions import Interaction
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
    _generate_more(areas, owners, clients, template)
    return areas, owners


def _generate_more(areas, owners, clients, template):
    """Closed cases with their survey invitations, first contracts, outgoing updates and case deadlines (the
    four indicators added after the first seven), from their own random sequence."""
    rng = random.Random(16)
    more = [make_client(name=f"Cliente nuevo {i}", kind=("person", "company")[i % 2], document_number=f"5213{i:04d}",
                        practice_area=areas[i % 2].id, responsible=owners[(i // 2) % 2].id) for i in range(16)]
    for client in more:
        Client.update(created_at=_moment(rng) - timedelta(days=rng.randint(0, 200)),
                      status=rng.choice(["active", "active", "finished"])).where(Client.id == client.id).execute()
    everyone = [*clients, *more]
    cases = []
    for n in range(90):
        closed = _moment(rng) if rng.random() < 0.85 else None
        client = rng.choice(everyone)
        case = Case.create(client=client, title=f"Caso {n}", opened_on=PERIOD.start - timedelta(days=100),
                           practice_area=rng.choice([*areas, None]), responsible=rng.choice(owners),
                           status="closed" if closed else "in_progress", closed_at=closed)
        cases.append(case)
        if closed is None:
            continue
        shape = rng.choice(["none", "sent", "sent", "sent", "withdrawn", "pending", "withdrawn_then_sent"])
        invitations = {"none": [], "sent": [False], "withdrawn": [True], "pending": [None],
                       "withdrawn_then_sent": [True, False]}[shape]
        for withdrawn in invitations:
            sent = closed + timedelta(hours=rng.randint(0, 240)) if withdrawn is False else None
            SurveyInvitation.create(template=template, client=client, case=case, send_on=closed.date(), sent_at=sent,
                                    withdrawn_at=closed + timedelta(hours=1) if withdrawn else None,
                                    expires_at=datetime(2027, 1, 1), status="sent" if sent else "pending",
                                    practice_area=case.practice_area, responsible=case.responsible)
    for client in more:  # a first contract, sometimes an earlier or a later one, a renewal, a draft
        for n in range(rng.randint(1, 3)):
            quotation = Quotation.create(client=client, number=1000 + client.id * 10 + n, valid_until=PERIOD.end)
            signed = _day(rng) if rng.random() < 0.9 else None
            Contract.create(client=client, quotation=quotation, start_date=PERIOD.start, end_date=PERIOD.end,
                            status=rng.choice(["active", "active", "expired", "draft"]), signed_on=signed,
                            renews=rng.choice([None, None, None, *Contract.select().where(Contract.client == client)]))
    for client in everyone:  # outgoing updates every few days or weeks, and other contacts around them
        day = PERIOD.start - timedelta(days=rng.randint(0, 40))
        while day <= PERIOD.end + timedelta(days=30):
            moment = to_utc(datetime.combine(day, time(rng.choice([0, 7, 12, 23]), rng.randint(0, 59))))
            Interaction.create(client=client, occurred_at=moment, direction=rng.choice(["out", "out", "out", "in"]),
                               kind=rng.choice(["update", "update", "update", "question"]), summary="Contacto")
            day += timedelta(days=rng.randint(0, 30))
    for n in range(150):
        due = _moment(rng)
        status = rng.choice(["open", "done", "done", "missed"])
        Deadline.create(case=rng.choice(cases), description=f"Plazo {n}", due_at=due, responsible=rng.choice(owners),
                        alert_from=due.date(), status=status,
                        done_at=due + timedelta(hours=rng.randint(-72, 48)) if status == "done" else None)


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
    elif key == "encuestas":
        _expected_surveys(f, clients, kind_ok, add)
    elif key == "contratacion":
        for c, days in _first_contracts(f, clients):
            add(c.signed_on, days, 1)
    elif key == "actualizaciones":
        _expected_updates(f, clients, kind_ok, months)
    elif key == "plazos":
        cases = {c.id: c for c in Case.select()}
        now = datetime.now(UTC).replace(tzinfo=None)
        for d in Deadline.select():
            case = cases[d.case_id]
            if not kind_ok(case.client_id) or (f.area and case.practice_area_id != f.area) or (
                    f.responsible and d.responsible_id != f.responsible):
                continue
            if d.status == "open" and d.due_at >= now:
                continue  # not due yet
            add(_local_day(d.due_at), d.status == "done" and d.done_at is not None and d.done_at <= d.due_at, 1)
    return months


def _expected_surveys(f, clients, kind_ok, add):
    from core.i18n import today_local

    today = today_local()
    invitations = {}
    for i in SurveyInvitation.select().where(SurveyInvitation.case.is_null(False)):
        invitations.setdefault(i.case_id, []).append(i)
    for case in Case.select():
        if case.status != "closed" or case.closed_at is None or not kind_ok(case.client_id) or (
                f.area and case.practice_area_id != f.area) or (f.responsible and case.responsible_id != f.responsible):
            continue
        mine = invitations.get(case.id, [])
        if mine and all(i.withdrawn_at is not None and i.sent_at is None for i in mine):
            continue  # the client declined: left out
        sent = [i.sent_at for i in mine if i.sent_at is not None]
        due = _local_day(case.closed_at) + timedelta(days=5)
        on_time = bool(sent) and _local_day(min(sent)) <= due
        if not on_time and due >= today:
            continue  # still within its five days
        add(_local_day(case.closed_at), on_time, 1)


def _first_contracts(f, clients):
    """(contract, days from the client's registration day to its signing) of each client's first signed
    contract that is no renewal, signed within the period."""
    every = [c for c in Contract.select() if c.status != "draft" and c.signed_on is not None]
    for c in every:
        client = clients[c.client_id]
        if c.renews_id is not None or not PERIOD.start <= c.signed_on <= PERIOD.end or (
                f.kind and client.kind != f.kind) or (f.area and client.practice_area_id != f.area) or (
                f.responsible and client.responsible_id != f.responsible):
            continue
        if any(o.client_id == c.client_id and (o.signed_on, o.id) < (c.signed_on, c.id) for o in every):
            continue
        yield c, max(0, (c.signed_on - _local_day(client.created_at)).days)


def _expected_updates(f, clients, kind_ok, months):
    """Each outgoing update makes the next due UPDATE_INTERVAL_DAYS later (local days); counted in the month of
    that due day: given by then, or not given once it has passed (an active client)."""
    from flask import current_app

    from core.i18n import today_local

    interval, today = current_app.config["UPDATE_INTERVAL_DAYS"], today_local()
    days = {}
    for i in Interaction.select():
        client = clients[i.client_id]
        if i.direction != "out" or i.kind != "update" or not kind_ok(i.client_id) or (
                f.area and client.practice_area_id != f.area) or (
                f.responsible and client.responsible_id != f.responsible):
            continue
        days.setdefault(i.client_id, set()).add(_local_day(i.occurred_at))
    for client_id, given in days.items():
        given = sorted(given)
        dues = [(d + timedelta(days=interval), nxt <= d + timedelta(days=interval)) for d, nxt in zip(given, given[1:], strict=False)]
        last_due = given[-1] + timedelta(days=interval)
        if clients[client_id].status == "active" and last_due < today:
            dues.append((last_due, False))
        for due, on_time in dues:
            i = _month_index(due)
            if i is not None:
                months[i][0] += on_time
                months[i][1] += 1


MIN_ANONYMOUS = 3  # SURVEY_MIN_ANONYMOUS's default


def _ratio(key, num, den):
    if not den:
        return None
    return round(num / den, 1) if key in ("resolucion", "contratacion") else round(100.0 * num / den, 1)


def test_every_indicator_matches_a_brute_force_count(app, make_user):
    with app.test_request_context():
        areas, owners = _generate(make_user)
        clients = {c.id: c for c in Client.select()}
        for f in (ind.Filters(), ind.Filters(area=areas[0].id), ind.Filters(responsible=owners[1].id),
                  ind.Filters(kind="company"), ind.Filters(area=areas[1].id, kind="person")):
            for key in ind.INDICATORS:
                with count_queries() as counter:
                    got = ind.INDICATORS[key](PERIOD, f)
                assert counter.count <= (2 if key == "resolucion" else 1), key  # and the holidays it spans
                # the same figures with closed months computed and kept (cold), then read back (warm)
                assert _figures(ind.compute(key, PERIOD, f)) == _figures(got), (key, f)
                assert _figures(ind.compute(key, PERIOD, f)) == _figures(got), (key, f)
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
                if key == "contratacion":
                    assert got.extra == {"p90": _p90([days for _c, days in _first_contracts(f, clients)])}


def _figures(indicator):
    return (indicator.by_month, indicator.numerator, indicator.denominator, indicator.value, indicator.extra)


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


def _p90(values):
    import math

    return round(float(sorted(values)[max(1, math.ceil(0.9 * len(values))) - 1]), 1) if values else None


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

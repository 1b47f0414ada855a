"""Monthly bar charts: a scale with round marks, months without data marked as such, month names that fit a
phone, and the year where it changes."""

from datetime import date

from core.charts import PLOT_HEIGHT, PLOT_TOP, month_chart, nice_scale


def months(first: date, n: int) -> list[date]:
    index = first.year * 12 + first.month - 1
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(n)]


def test_counts_get_a_round_scale_from_zero():
    assert nice_scale(0, 5, integers=True) == (0, 6, 2)
    assert nice_scale(0, 0, integers=True) == (0, 4, 1)  # nothing yet: still a scale to read
    assert nice_scale(0, 87) == (0, 100, 25)
    chart = month_chart(zip(months(date(2026, 1, 1), 3), [0, 3, 5], strict=True))
    assert [t.value for t in chart.ticks] == [0, 2, 4, 6]
    assert chart.ticks[0].y == chart.zero_y == PLOT_TOP + PLOT_HEIGHT and chart.ticks[-1].y == PLOT_TOP
    zero, three, five = chart.bars
    assert zero.h == 0 and not zero.empty  # a month with none is a value, drawn as 0
    assert five.h == PLOT_HEIGHT * 5 / 6 and five.y == chart.zero_y - five.h


def test_a_month_without_data_is_marked_and_negative_bars_hang_from_zero():
    chart = month_chart(zip(months(date(2026, 1, 1), 3), [None, -50, 100], strict=True), -100, 100, 50)
    empty, negative, top = chart.bars
    assert empty.empty and chart.has_empty and empty.h == 0
    assert negative.negative and negative.y == chart.zero_y == PLOT_TOP + PLOT_HEIGHT / 2
    assert negative.h == PLOT_HEIGHT / 4 and top.y == PLOT_TOP
    assert [t.value for t in chart.ticks] == [-100, -50, 0, 50, 100]


def test_bars_share_the_width_in_percent():
    chart = month_chart([(m, 1) for m in months(date(2026, 1, 1), 4)])
    assert [b.cx for b in chart.bars] == [12.5, 37.5, 62.5, 87.5]
    assert all(b.x + b.w < (i + 1) * 25 for i, b in enumerate(chart.bars))


def test_a_year_names_every_month_on_a_desktop_and_every_other_on_a_phone():
    chart = month_chart([(m, 1) for m in months(date(2025, 12, 1), 12)])
    assert [b.label for b in chart.bars] == ["all", "wide"] * 6
    # the year under the first month shown and where it changes: January on a desktop, February on a phone
    years = {b.month: b.year for b in chart.bars if b.year}
    assert years == {date(2025, 12, 1): "all", date(2026, 1, 1): "wide", date(2026, 2, 1): "narrow"}
    assert not chart.crowded and chart.dense


def test_five_years_stay_readable():
    chart = month_chart([(m, None) for m in months(date(2022, 1, 1), 60)])
    wide = [b.month for b in chart.bars if b.label]
    narrow = [b.month for b in chart.bars if b.label == "all"]
    assert len(wide) == 15 and len(narrow) == 8 and set(narrow) <= set(wide)
    assert chart.crowded  # no text over each bar: a legend says what the marked months are

"""Monthly bar charts drawn on the server as SVG (templates/_macros/charts.html draws them).

Horizontal positions are percentages of the chart's width and vertical ones are pixels of a fixed height,
so one drawing fills a desktop card or a 360 px phone without its text shrinking with it: the phone shows
fewer month names (every other one, say) and leaves the values to the axis. A month without data (None) is
marked as such; a month with 0 is a value. Every chart keeps its data table beside it for screen readers.
"""

import math
from dataclasses import dataclass
from datetime import date

PLOT_TOP = 20  # px above the highest tick: room for the value over the tallest bar
PLOT_HEIGHT = 150
AXIS_LABELS = 34  # the month under the axis, and the year under the month where it changes
WIDE_LABELS = 16  # month names a desktop chart shows at most; a phone shows half as many
NICE_STEPS = (1, 2, 2.5, 5, 10)
LABEL_STEPS = (1, 2, 3, 4, 6, 12)
CROWDED = 24  # more bars than this: no value over each bar and no "no data" text, at any width


@dataclass(frozen=True)
class Bar:
    month: date
    value: float | None
    x: float  # left edge, % of the width
    w: float  # % of the width
    cx: float  # middle of the month's slot, %
    y: float  # top, px
    h: float  # px
    label: str  # "all": its month name shows at every width; "wide": not on a phone; "": never
    year: str  # the same for the year under the name (where the year changes)

    @property
    def empty(self) -> bool:
        return self.value is None

    @property
    def negative(self) -> bool:
        return self.value is not None and self.value < 0


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class MonthChart:
    bars: list[Bar]
    ticks: list[Tick]
    zero_y: float
    top: float
    bottom: float
    height: int

    @property
    def crowded(self) -> bool:
        return len(self.bars) > CROWDED

    @property
    def dense(self) -> bool:
        """Too many bars for a value over each on a phone."""
        return len(self.bars) > 8

    @property
    def has_empty(self) -> bool:
        return any(b.empty for b in self.bars)


def nice_scale(low: float, high: float, intervals: int = 4, integers: bool = False) -> tuple[float, float, float]:
    """(low, high, step) covering ``low``–``high`` in at most ``intervals`` round steps (1, 2, 2.5 or 5 × 10ⁿ)."""
    span = high - low
    if span <= 0:
        span = intervals if integers else 1
    raw = span / intervals
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(s * magnitude for s in NICE_STEPS if s * magnitude >= raw - 1e-9)
    if integers:
        step = max(1, math.ceil(step))
    return math.floor(low / step) * step, math.ceil(high / step) * step or step * intervals, step


def _label_step(n: int, fit: int) -> int:
    return next((s for s in LABEL_STEPS if n <= fit * s), math.ceil(n / fit))


def month_chart(points, low: float | None = None, high: float | None = None, step: float | None = None) -> MonthChart:
    """``points``: (first day of the month, value or None). The scale runs from ``low`` to ``high`` in ``step``s
    when given (a rate from 0 to 100), or from 0 to a round number above the largest value (counts)."""
    points = list(points)
    values = [v for _m, v in points if v is not None]
    if low is None or high is None or step is None:
        integers = all(float(v).is_integer() for v in values)
        low, high, step = nice_scale(min([0, *values]), max([0, *values]), integers=integers)
    top, bottom = PLOT_TOP, PLOT_TOP + PLOT_HEIGHT

    def y_of(value: float) -> float:
        return round(top + PLOT_HEIGHT * (high - value) / (high - low), 1)

    zero_y = y_of(min(max(0, low), high))
    n = max(len(points), 1)
    slot = 100 / n
    wide = _label_step(n, WIDE_LABELS)
    narrow = wide * _label_step(math.ceil(n / wide), WIDE_LABELS // 2)
    bars, last_year = [], {"wide": None, "narrow": None}
    for i, (month, value) in enumerate(points):
        shown = {"wide": i % wide == 0, "narrow": i % narrow == 0}
        new_year = {k: shown[k] and last_year[k] != month.year for k in shown}
        for k in shown:
            if shown[k]:
                last_year[k] = month.year
        y = zero_y if value is None else min(y_of(value), zero_y)
        h = 0 if value is None else abs(y_of(value) - zero_y)
        bars.append(Bar(month=month, value=value, x=round(i * slot + slot * 0.18, 2), w=round(slot * 0.64, 2),
                        cx=round(i * slot + slot / 2, 2), y=y, h=round(h, 1),
                        label=_where(shown["wide"], shown["narrow"]), year=_where(new_year["wide"], new_year["narrow"])))
    ticks = [Tick(round(low + k * step, 6), y_of(low + k * step)) for k in range(round((high - low) / step) + 1)]
    return MonthChart(bars=bars, ticks=ticks, zero_y=zero_y, top=top, bottom=bottom,
                      height=bottom + AXIS_LABELS)


def _where(wide: bool, narrow: bool) -> str:
    """Which widths show a label: every width, desktops only, phones only, or none."""
    if wide and narrow:
        return "all"
    return "wide" if wide else "narrow" if narrow else ""

"""SVG charts for pages and PDF recaps alike: plain strings, no dependency, no CSS.

Every chart has a fixed viewBox sized for an A4 column (720 wide), presentation attributes
inline (WeasyPrint and browsers draw it the same), a `<title>` and `<desc>` referenced by
`aria-labelledby`, and a one-sentence `summary` for a text alternative beside the data table
the caller renders. Every piece of text is escaped here.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 720
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#1b2330"
SOFT_INK = "#4a5566"
GRID = "#e3e7ee"
AXIS = "#9aa3b0"

EXECUTIVE_COLORS = ("#7a1f5c", "#c2410c", "#a16207")
"""Warm colours for executive levels, most senior first: the few who matter stand out."""
OTHER_COLORS = ("#0f766e", "#2563eb", "#7fa6e0", "#4b6584")
"""Cool colours for the other levels, most senior first."""
UNKNOWN_COLOR = "#b8bfca"
BAR_COLOR = "#1f5fbf"


@dataclass(frozen=True)
class Series:
    """One stacked layer: a name for the legend, a colour and one value per category."""

    name: str
    color: str
    values: Sequence[float]


@dataclass(frozen=True)
class Line:
    """One line of shares (0 to 1; None where there is nothing to measure) and its legend."""

    name: str
    color: str
    values: Sequence[float | None]
    width: float = 2.5


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its label, its length, and the text printed at its end."""

    label: str
    value: float
    text: str


@dataclass(frozen=True)
class RateBar:
    """One horizontal bar of a share (0 to 1; None where there is nobody to measure)."""

    label: str
    share: float | None
    text: str
    """Printed at the bar's end, e.g. "42%"."""
    color: str = BAR_COLOR
    detail: str = ""
    """What the share is of, e.g. "6 of 14": in the bar's tooltip and the summary."""


@dataclass(frozen=True)
class Chart:
    """An SVG document (already escaped) and a sentence that says what it shows."""

    svg: str
    summary: str

    def __html__(self) -> str:
        # Jinja prints a Chart as its markup; the summary goes where the caller puts it.
        return self.svg


def level_colors(levels: Sequence[tuple[str, bool]]) -> dict[str, str]:
    """A colour per level key, given (key, is_executive) most senior first."""
    colors: dict[str, str] = {}
    executive = iter(EXECUTIVE_COLORS)
    other = iter(OTHER_COLORS)
    for key, is_executive in levels:
        if key == "unknown":
            colors[key] = UNKNOWN_COLOR
        else:
            colors[key] = next(executive if is_executive else other, UNKNOWN_COLOR)
    return colors


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _axis(value: float) -> tuple[float, int]:
    """A round axis maximum at or above `value` and its number of gridline steps (≤ 6)."""
    if value <= 0:
        return 1.0, 1
    # Counts of people: never a gridline at a fraction of one.
    magnitude = max(10 ** math.floor(math.log10(value / 6)), 1)
    for step in (1, 2, 2.5, 5, 10, 20):
        candidate = step * magnitude
        steps = math.ceil(value / candidate)
        if steps <= 6:
            return float(candidate * steps), steps
    return float(value), 1


def _open(chart_id: str, title: str, desc: str, height: int, width: int = WIDTH) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-family="{escape(FONT)}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = SOFT_INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>'
    )


def _empty(parts: list[str], height: int, message: str, width: int = WIDTH) -> str:
    parts.append(_text(width / 2, height / 2, message, size=14, anchor="middle"))
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "attendees",
    height: int = 300,
) -> Chart:
    """Vertical bars, one per label (a session, a month), stacked by series (levels)."""
    parts = _open(chart_id, title, desc, height)
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    if not labels or not any(totals):
        return Chart(_empty(parts, height, "Nothing to show for this period."), f"{title}: none.")

    # Legend across the top, one swatch per series, in stacking order.
    x = 56.0
    for layer in series:
        parts.append(
            f'<rect x="{x:.1f}" y="10" width="12" height="12" rx="2" fill="{escape(layer.color)}"/>'
        )
        parts.append(_text(x + 17, 21, layer.name, size=12, fill=INK))
        x += 17 + 6.7 * len(layer.name) + 20

    left, right, top, bottom = 56, 12, 40, 34
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    ceiling, steps = _axis(max(totals))
    for tick in range(steps + 1):
        value = ceiling * tick / steps
        y = top + plot_h - plot_h * tick / steps
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{AXIS if tick == 0 else GRID}" stroke-width="1"/>'
        )
        parts.append(_text(left - 8, y + 4, _num(value), size=11, anchor="end"))

    count = len(labels)
    slot = plot_w / count
    bar_w = max(slot * (0.7 if count <= 60 else 0.85), 1.0)
    label_every = max(1, math.ceil(count / 8))
    for i, label in enumerate(labels):
        x0 = left + slot * i + (slot - bar_w) / 2
        y = float(top + plot_h)
        breakdown = ", ".join(f"{s.name} {_num(s.values[i])}" for s in series if s.values[i])
        parts.append(
            f"<g><title>{escape(label)}: {_num(totals[i])} {escape(unit)}"
            f"{' (' + escape(breakdown) + ')' if breakdown else ''}</title>"
        )
        for layer in series:
            value = layer.values[i]
            if not value:
                continue
            h = plot_h * value / ceiling
            y -= h
            parts.append(
                f'<rect x="{x0:.2f}" y="{y:.2f}" width="{bar_w:.2f}" height="{h:.2f}" '
                f'fill="{escape(layer.color)}"/>'
            )
        parts.append("</g>")
        if i % label_every == 0:
            parts.append(_text(x0 + bar_w / 2, top + plot_h + 18, label, size=11, anchor="middle"))
    parts.append("</svg>")

    peak = max(range(count), key=lambda i: totals[i])
    layers = "; ".join(f"{s.name} {_num(sum(s.values))}" for s in series)
    summary = (
        f"{title}: {count} bars from {labels[0]} to {labels[-1]}; the highest is {labels[peak]} "
        f"with {_num(totals[peak])} {unit}. In total: {layers}."
    )
    return Chart("".join(parts), summary)


def horizontal_bars(
    *,
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[Bar],
    max_value: float | None = None,
    color: str = BAR_COLOR,
) -> Chart:
    """One horizontal bar per item (e.g. a department's participation rate), top to bottom."""
    row, top = 26, 12
    height = top * 2 + row * max(len(bars), 1)
    parts = _open(chart_id, title, desc, height)
    if not bars:
        return Chart(_empty(parts, height, "Nothing to show."), f"{title}: none.")
    label_w, text_w = 210, 70
    plot_w = WIDTH - label_w - text_w - 16
    ceiling = max_value or max(bar.value for bar in bars) or 1
    for i, bar in enumerate(bars):
        y = top + row * i
        label = bar.label if len(bar.label) <= 30 else bar.label[:29] + "…"
        parts.append(_text(label_w - 10, y + 17, label, size=12, anchor="end", fill=INK))
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{plot_w}" height="{row - 10}" fill="{GRID}"/>'
        )
        w = plot_w * min(bar.value, ceiling) / ceiling
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{w:.2f}" height="{row - 10}" '
            f'fill="{escape(color)}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>'
        )
        parts.append(_text(label_w + plot_w + 8, y + 17, bar.text, size=12, fill=INK, weight="600"))
    parts.append("</svg>")
    first, last = bars[0], bars[-1]
    summary = (
        f"{title}: {len(bars)} bars, from {first.label} ({first.text}) "
        f"to {last.label} ({last.text})."
    )
    return Chart("".join(parts), summary)


def rate_bars(
    *,
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[RateBar],
    width: int = WIDTH,
) -> Chart:
    """One horizontal bar per item on a 0–100 % axis (e.g. each level's share present).

    Narrow widths keep their text readable when the chart shares a line with something else.
    """
    row, top, bottom = 24, 22, 6
    height = top + bottom + row * max(len(bars), 1)
    parts = _open(chart_id, title, desc, height, width)
    if not bars:
        return Chart(_empty(parts, height, "Nothing to show.", width), f"{title}: none.")
    longest = max(len(bar.label) for bar in bars)
    label_w = int(min(longest * 6.8 + 14, width * 0.42))
    text_w = 48
    plot_w = width - label_w - text_w - 8
    for tick in range(5):
        x = label_w + plot_w * tick / 4
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{height - bottom}" '
            f'stroke="{AXIS if tick == 0 else GRID}" stroke-width="1"/>'
        )
        if tick % 2 == 0:
            parts.append(_text(x, top - 8, f"{tick * 25}%", size=11, anchor="middle"))
    limit = max(int((label_w - 10) / 6.8), 4)
    for i, bar in enumerate(bars):
        y = top + row * i
        label = bar.label if len(bar.label) <= limit else bar.label[: limit - 1] + "…"
        parts.append(_text(label_w - 8, y + 16, label, size=12, anchor="end", fill=INK))
        tip = f"{bar.label}: {bar.text}" + (f" ({bar.detail})" if bar.detail else "")
        share = min(max(bar.share or 0.0, 0.0), 1.0)
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{plot_w * share:.2f}" height="{row - 10}" '
            f'fill="{escape(bar.color)}"><title>{escape(tip)}</title></rect>'
        )
        parts.append(_text(label_w + plot_w + 6, y + 16, bar.text, size=12, fill=INK, weight="600"))
    parts.append("</svg>")
    described = "; ".join(
        f"{bar.label} {bar.text}" + (f" ({bar.detail})" if bar.detail else "") for bar in bars
    )
    return Chart("".join(parts), f"{title}: {described}.")


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _legend(parts: list[str], names: Sequence[tuple[str, str]], width: int, left: int) -> int:
    """Swatches and names in rows across the top; returns the height they take."""
    x, y = float(left), 10
    for name, color in names:
        step = 17 + 6.9 * len(name) + 18
        if x + step > width and x > left:
            x, y = float(left), y + 20
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="14" height="4" rx="2" '
            f'transform="translate(0 4)" fill="{escape(color)}"/>'
        )
        parts.append(_text(x + 19, y + 11, name, size=13, fill=INK))
        x += step
    return y + 20


def _spread(wanted: list[tuple[float, int]], gap: float, low: float, high: float) -> list[float]:
    """Label heights near `wanted` (y, index), at least `gap` apart, within [low, high]."""
    order = sorted(wanted)
    placed: list[float] = []
    for y, _ in order:
        placed.append(max(y, placed[-1] + gap) if placed else max(y, low))
    overflow = placed[-1] - high if placed else 0
    if overflow > 0:
        placed = [y - overflow for y in placed]
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - gap)
    result = [0.0] * len(order)
    for (_, index), y in zip(order, placed, strict=True):
        result[index] = y
    return result


def rate_lines(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    lines: Sequence[Line],
    width: int = WIDTH,
    height: int = 320,
    marker: tuple[int, str] | None = None,
) -> Chart:
    """Shares over time on a 0–100 % axis: one line per series, its latest value at its end.

    `marker` (index, text) draws a dashed line at that point: when something changed.
    """
    parts = _open(chart_id, title, desc, height, width)
    drawn = [line for line in lines if any(value is not None for value in line.values)]
    if not labels or not drawn:
        return Chart(
            _empty(parts, height, "Nothing to show for this period.", width), f"{title}: none."
        )
    narrow = width < 500
    left, right, bottom = 44, 48 if narrow else 60, 30
    top = _legend(parts, [(line.name, line.color) for line in drawn], width, left) + 10
    plot_w, plot_h = width - left - right, height - top - bottom
    for tick in range(5):
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{AXIS if tick == 0 else GRID}" stroke-width="1"/>'
        )
        parts.append(_text(left - 8, y + 4, f"{tick * 25}%", size=12, anchor="end"))

    count = len(labels)
    step = plot_w / max(count - 1, 1)

    def x_of(i: int) -> float:
        return left + (step * i if count > 1 else plot_w / 2)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * min(max(value, 0.0), 1.0)

    widest = max(len(label) for label in labels) * 6.8 + 14
    label_every = max(1, math.ceil(widest * (count - 1) / plot_w))
    for i, label in enumerate(labels):
        if i % label_every == 0:
            parts.append(_text(x_of(i), top + plot_h + 19, label, size=12, anchor="middle"))

    if marker is not None and 0 <= marker[0] < count:
        x = x_of(marker[0])
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + plot_h}" stroke="{SOFT_INK}" '
            f'stroke-width="1.5" stroke-dasharray="4 4"/>'
        )
        anchor = "end" if x > left + plot_w * 0.6 else "start"
        parts.append(
            _text(x + (-6 if anchor == "end" else 6), top + 14, marker[1], size=12, anchor=anchor)
        )

    ends: list[tuple[float, int]] = []
    for index, line in enumerate(drawn):
        color = escape(line.color)
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(line.values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append((x_of(i), y_of(value)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{color}" '
                    f'stroke-width="{line.width}" stroke-linejoin="round" stroke-linecap="round"/>'
                )
        for i, value in enumerate(line.values):
            if value is not None:
                parts.append(
                    f'<circle cx="{x_of(i):.1f}" cy="{y_of(value):.1f}" r="{line.width + 0.5}" '
                    f'fill="{color}"><title>{escape(labels[i])}: {escape(line.name)} '
                    f"{_percent(value)}</title></circle>"
                )
        last = next(value for value in reversed(line.values) if value is not None)
        ends.append((y_of(last), index))
    heights = _spread(ends, 15, top + 4, top + plot_h + 4)
    for line, y in zip(drawn, heights, strict=True):
        last = next(value for value in reversed(line.values) if value is not None)
        parts.append(
            _text(width - right + 6, y + 4, _percent(last), size=12, fill=line.color, weight="700")
        )
    parts.append("</svg>")

    def change(line: Line) -> str:
        known = [value for value in line.values if value is not None]
        return f"{line.name} {_percent(known[0])} to {_percent(known[-1])}"

    marked = (
        f" {marker[1]} at {labels[marker[0]]}."
        if marker is not None and 0 <= marker[0] < count
        else ""
    )
    summary = (
        f"{title}: {count} point{'s' if count != 1 else ''} from {labels[0]} to {labels[-1]}, "
        f"each a share of that level's people.{marked} First to last: "
        f"{'; '.join(change(line) for line in drawn)}."
    )
    return Chart("".join(parts), summary)

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
class Bar:
    """One horizontal bar: its label, its length, and the text printed at its end."""

    label: str
    value: float
    text: str


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


def _open(chart_id: str, title: str, desc: str, height: int) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-family="{escape(FONT)}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
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


def _empty(parts: list[str], height: int, message: str) -> str:
    parts.append(_text(WIDTH / 2, height / 2, message, size=14, anchor="middle"))
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

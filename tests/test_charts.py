import xml.etree.ElementTree as ET
from itertools import pairwise

from app.kit.charts import (
    Bar,
    Line,
    RateBar,
    Series,
    horizontal_bars,
    level_colors,
    rate_bars,
    rate_lines,
    stacked_bars,
)

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - markup this test just generated


def test_stacked_bars_is_valid_svg_with_title_desc_and_summary() -> None:
    chart = stacked_bars(
        chart_id="t",
        title="Attendees <per> session",
        desc="By level & more",
        labels=["Jan", "Feb"],
        series=[Series("C-suite", "#7a1f5c", [1, 0]), Series("IC", "#2563eb", [10, 20])],
    )
    root = _parse(chart.svg)
    assert root.get("viewBox") == "0 0 720 300"
    assert root.get("aria-labelledby") == "t-title t-desc"
    assert root.find(f"{SVG}title").text == "Attendees <per> session"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "By level & more"  # type: ignore[union-attr]
    # One rect per non-zero segment (3), plus background, legend swatches (2).
    assert len(root.findall(f".//{SVG}g/{SVG}rect")) == 3
    assert chart.summary == (
        "Attendees <per> session: 2 bars from Jan to Feb; the highest is Feb with 20 attendees. "
        "In total: C-suite 1; IC 30."
    )
    assert "class=" not in chart.svg
    assert "style=" not in chart.svg


def test_stacked_bars_escapes_labels_and_series_names() -> None:
    chart = stacked_bars(
        chart_id="x",
        title="T",
        desc="D",
        labels=['<script>alert("x")</script>'],
        series=[Series('"><b>', "#000", [3])],
    )
    assert "<script>" not in chart.svg
    assert "<b>" not in chart.svg
    _parse(chart.svg)


def test_stacked_bars_without_data_says_so() -> None:
    chart = stacked_bars(chart_id="e", title="Trend", desc="D", labels=[], series=[])
    assert "Nothing to show for this period." in chart.svg
    assert chart.summary == "Trend: none."


def test_horizontal_bars_draws_one_bar_per_item_with_its_text() -> None:
    chart = horizontal_bars(
        chart_id="h",
        title="Rates",
        desc="D",
        bars=[Bar("Sales & Ops", 0.5, "50%"), Bar("Support", 0.25, "25%")],
        max_value=1.0,
    )
    root = _parse(chart.svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["Sales & Ops", "50%", "Support", "25%"]
    assert chart.summary == "Rates: 2 bars, from Sales & Ops (50%) to Support (25%)."


def test_rate_bars_draw_shares_of_the_whole_width_with_a_text_alternative() -> None:
    chart = rate_bars(
        chart_id="r",
        title="Share present",
        desc="D",
        bars=[
            RateBar("C-suite", 0.6, "60%", "#7a1f5c", detail="6 of 10"),
            RateBar("<Ops>", 1.4, "100%", detail="7 of 7"),  # clamped: never past the axis
            RateBar("Nobody", None, "—"),
        ],
        width=400,
    )
    root = _parse(chart.svg)
    assert root.get("viewBox") == "0 0 400 100"
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    widths = [float(r.get("width", "0")) for r in bars]
    assert widths[0] == round(0.6 * widths[1], 2)
    assert widths[2] == 0
    assert [r.get("fill") for r in bars][:2] == ["#7a1f5c", "#1f5fbf"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[:3] == ["0%", "50%", "100%"]
    assert "<Ops>" in texts
    assert chart.summary == ("Share present: C-suite 60% (6 of 10); <Ops> 100% (7 of 7); Nobody —.")


def test_level_colors_give_executives_warm_colours_and_unknown_grey() -> None:
    colors = level_colors([("c-suite", True), ("vp", True), ("ic", False), ("unknown", False)])
    assert colors == {"c-suite": "#7a1f5c", "vp": "#c2410c", "ic": "#0f766e", "unknown": "#b8bfca"}


def test_rate_lines_draws_shares_on_a_0_to_100_axis_with_the_latest_at_the_end() -> None:
    chart = rate_lines(
        chart_id="r",
        title="Share <of> each level",
        desc="D",
        labels=["Jan", "Feb", "Mar"],
        lines=[
            Line("C-suite", "#7a1f5c", [0.0, None, 0.5]),
            Line("IC", "#2563eb", [0.4, 0.6, 0.8]),
            Line("Nobody", "#000000", [None, None, None]),
        ],
        marker=(1, "First recap sent"),
    )
    root = _parse(chart.svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    axis = [t for t in texts if t and t.endswith("%")][:5]
    assert axis == ["0%", "25%", "50%", "75%", "100%"]
    assert texts[-2:] == ["50%", "80%"]  # each line's latest value, at its end
    assert "Nobody" not in texts
    assert "First recap sent" in texts
    # The C-suite line breaks where it has no value: two single points, no polyline.
    assert len(root.findall(f"{SVG}polyline")) == 1
    assert len(root.findall(f"{SVG}circle")) == 5
    assert chart.summary == (
        "Share <of> each level: 3 points from Jan to Mar, each a share of that level's people. "
        "First recap sent at Feb. First to last: C-suite 0% to 50%; IC 40% to 80%."
    )
    assert "style=" not in chart.svg


def test_rate_lines_narrow_keeps_the_labels_apart() -> None:
    labels = [f"{day:02d} Jan 26" for day in range(1, 27)]
    chart = rate_lines(
        chart_id="n",
        title="T",
        desc="D",
        labels=labels,
        lines=[Line("IC", "#2563eb", [0.5] * 26)],
        width=320,
    )
    root = _parse(chart.svg)
    assert root.get("viewBox") == "0 0 320 320"
    shown = [t for t in root.iter(f"{SVG}text") if t.text in labels]
    xs = [float(t.get("x") or 0) for t in shown]
    assert 2 <= len(shown) <= 4
    assert min(b - a for a, b in pairwise(xs)) >= 9 * 6.8


def test_rate_lines_without_data_says_so() -> None:
    chart = rate_lines(chart_id="e", title="Shares", desc="D", labels=["Jan"], lines=[])
    assert "Nothing to show for this period." in chart.svg
    assert chart.summary == "Shares: none."

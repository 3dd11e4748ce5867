import xml.etree.ElementTree as ET

from app.charts import Bar, Series, horizontal_bars, level_colors, stacked_bars

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


def test_level_colors_give_executives_warm_colours_and_unknown_grey() -> None:
    colors = level_colors([("c-suite", True), ("vp", True), ("ic", False), ("unknown", False)])
    assert colors == {"c-suite": "#7a1f5c", "vp": "#c2410c", "ic": "#0f766e", "unknown": "#b8bfca"}

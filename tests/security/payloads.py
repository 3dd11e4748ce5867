"""Hostile text shared by the security tests, and a check that HTML shows it only as text."""

from collections.abc import Iterable
from html.parser import HTMLParser

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
    "{{7*7}}",
)
HOSTILE = " ".join(PAYLOADS)
"""Every payload in one value (108 characters), for fields that take that much."""
SHORT_HOSTILE = '"><svg onload=alert(1)> {{7*7}}'
"""For the short fields (theme names)."""

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.script: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.script if self._in_script else self.text).append(data)


def assert_inert(html: str, shown: Iterable[str]) -> None:
    """No payload became a tag, handler or link; each text in `shown` is visible, unevaluated."""
    page = _Page()
    page.feed(html)
    for tag, attrs in page.tags:
        assert tag != "svg" or "onload" not in attrs, (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in _URL_ATTRIBUTES:
                assert not value.strip().lower().startswith("javascript:"), (tag, name, value)
        if tag == "img":
            assert attrs.get("src") != "x", attrs
    assert "alert(1)" not in "".join(page.script)
    text = "".join(page.text)
    for value in shown:
        assert value in text, f"{value!r} is not shown as text"

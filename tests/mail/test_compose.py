"""`render_email`: every email's bodies come from one helper and every HTML body from one layout."""

from pathlib import Path

import pytest

from app.config import get_settings
from app.mail.compose import render_email

EMAIL_TEMPLATES = Path(__file__).parents[2] / "templates" / "email"
KINDS = sorted(path.stem for path in EMAIL_TEMPLATES.glob("[!_]*.html"))


def test_every_email_has_a_text_twin_and_extends_the_one_layout() -> None:
    assert KINDS == [
        "action_due",
        "commitment_due",
        "digest",
        "follow_up",
        "invitation",
        "invitation_cancelled",
        "invitation_reminder",
        "recap",
        "recap_overdue",
        "scorecard",
    ]
    assert [
        path.name for path in EMAIL_TEMPLATES.glob("*.html") if "<html" in path.read_text()
    ] == ["_layout.html"]
    for kind in KINDS:
        assert (EMAIL_TEMPLATES / f"{kind}.txt").exists(), kind
        assert (
            '{% extends "email/_layout.html" %}' in (EMAIL_TEMPLATES / f"{kind}.html").read_text()
        )


# The recap, digest and scorecard need their whole document: tests/distribution renders those.
WHOLE_DOCUMENT = {"recap", "digest", "scorecard"}


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind not in WHOLE_DOCUMENT])
def test_render_email_frames_the_html_and_ends_the_text_with_one_newline(kind: str) -> None:
    text, html = render_email(kind, {"preheader": "The line a mail client previews."})
    assert html.startswith("<!doctype html>")
    assert html.count("<html") == 1
    assert '<div style="display:none;' in html
    assert "The line a mail client previews." in html
    assert text == text.strip() + "\n"


def test_render_email_defaults_the_company_name_and_lets_the_context_override_it() -> None:
    configured = get_settings().company_name
    _, default = render_email("recap_overdue", {"title": "Acme"})
    _, named = render_email("recap_overdue", {"title": "Acme", "company_name": "Northwind"})
    assert f'letter-spacing:0.5px;">{configured}</td>' in default
    assert 'letter-spacing:0.5px;">Northwind</td>' in named


def test_invitation_emails_keep_their_header_and_footer_in_the_common_layout() -> None:
    context = {
        "subject": "Invitation: Acme tells",
        "company_name": "Northwind",
        "title": "Acme tells",
        "has_organizer": True,
        "organizer_name": "Cora Lead",
        "answers": [("Yes", "https://rsvp.example/yes", "#1d7a46")],
    }
    for kind in ("invitation", "invitation_cancelled", "invitation_reminder"):
        _, html = render_email(kind, context)
        assert "<title>Invitation: Acme tells</title>" in html
        assert 'letter-spacing:0.5px;">Northwind · customer-story session</td>' in html
        assert "Sent by Storyroom for Cora Lead." in html
        assert "border-top:4px solid #1f5fbf" in html  # the layout's card
    _, invitation = render_email("invitation", context)
    assert "Will you come?" in invitation
    assert 'href="https://rsvp.example/yes"' in invitation
    assert "The calendar invitation is attached" in invitation

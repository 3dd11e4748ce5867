"""Recap documents built directly (no database), for rendering tests and the benchmark.

`typical_document()` reads like a real recap; `hostile_document()` puts markup and script in
every text field; `huge_document()` is the 500-quote, 300-action-item worst case;
`carried_over_document()` carries many open items from earlier sessions.
"""

from datetime import UTC, date, datetime, timedelta
from itertools import cycle, islice

from app.kit.charts import Chart, RateBar, level_colors, rate_bars
from app.recaps.document import (
    ActionEntry,
    AttendanceSection,
    DepartmentCount,
    LevelCount,
    NamedLeader,
    QuoteEntry,
    RecapDocument,
)

SESSION_DATE = date(2026, 3, 12)

SUMMARY_HTML = """\
<p>Meridian Freight moves refrigerated goods for 140 grocery chains. Its operations director,
Ana Ruiz, and two dispatch leads walked us through their first year with us: what made them
choose us, the <strong>three weeks of onboarding</strong> that nearly made them leave, and why
they now route 40% of their volume through our platform.</p>
<p>What we heard, in short:</p>
<ul>
<li>Onboarding asks for the same carrier documents three times, in three different tools.</li>
<li>Our support team is fast and friendly, but cannot see the customer's contract, so every
billing question is escalated.</li>
<li>The route optimiser saves Meridian about 11% in fuel, a figure they now quote to their own
board.</li>
</ul>
<p>They would recommend us today, <em>if</em> we fix the first month. Their exact words: fix the
first month and we will bring you our two sister companies.</p>
"""

QUOTES = [
    (
        "We uploaded our insurance certificate three times in the first week. Nobody could tell "
        "us which upload counted.",
        "Ana Ruiz, Director of Operations, Meridian Freight",
    ),
    (
        "Your support people are lovely. But every time I ask about an invoice they say they "
        "need to check with someone, and that someone takes four days.",
        "Meridian Freight",
    ),
    (
        "The route optimiser paid for the whole contract in five months. I show that slide to "
        "our board every quarter.",
        "Tom Okafor, Dispatch Lead, Meridian Freight",
    ),
    ("I did not know there was an API until month eight.", "A customer"),
    (
        "If the first month had felt like month six, we would have moved all our volume on day "
        "one.",
        "Ana Ruiz, Director of Operations, Meridian Freight",
    ),
    (
        "Our drivers like the app. Our finance team does not like the invoices: they cannot "
        "match a line to a delivery.",
        "Meridian Freight",
    ),
    (
        "When the outage happened in November, you called us before we noticed. That is why we "
        "stayed.",
        "Tom Okafor, Dispatch Lead, Meridian Freight",
    ),
    ("Training videos are great; the certification quiz is not.", "A customer"),
    (
        "Give me one person who owns our account end to end and I will stop emailing your CEO.",
        "Ana Ruiz, Director of Operations, Meridian Freight",
    ),
    (
        "The new dashboard is the first time I could see cost per drop without a spreadsheet.",
        "Priya Nair, Finance Manager, Meridian Freight",
    ),
]

ACTIONS = [
    ("Merge the three carrier-document uploads into one checklist", "Lena Fischer"),
    ("Give support read access to contract terms in the billing console", "Marcus Reed"),
    ("Add delivery ids to every invoice line", "Priya Shah"),
    ("Name an onboarding owner for every account over 100 vehicles", "Daniel Kim"),
    ("Send the API guide in the welcome email", "Sofia Almeida"),
    ("Rewrite the certification quiz with the training team", "Jonas Berg"),
    ("Publish the route optimiser savings report monthly to customers", "Hannah Cole"),
    ("Review escalation times for billing questions", "Unassigned"),
]

EARLIER_SESSIONS = [
    ("How Northwind Retail plans peak season", date(2026, 1, 15)),
    ("A year with Harbor Foods", date(2026, 2, 12)),
    ("Bluepeak Logistics on switching from a competitor", date(2025, 12, 11)),
]

OPEN_UPDATES = [
    "Design approved; build starts in sprint 14.",
    "Pilot with two accounts shows escalations down by half.",
    "Waiting on legal review of the data-sharing terms.",
    "",
    "Draft shared with the customer advisory board.",
]

LEVELS = [
    # name, executive, attendees, previous session, of its people
    ("C-suite", True, 0, 1, 12),
    ("SVP/VP", True, 3, 1, 24),
    ("Director", False, 21, 14, 60),
    ("Manager", False, 164, 120, 300),
    ("Individual contributor", False, 902, 811, 2400),
    ("Unknown", False, 37, 52, None),
]

ABSENT_EXECUTIVES = [
    ("Olivia Grant", "Chief Executive Officer", "C-suite"),
    ("Samuel Okoro", "Chief Financial Officer", "C-suite"),
    ("Helena Brandt", "Chief Operating Officer", "C-suite"),
    ("Kenji Watanabe", "Chief Technology Officer", "C-suite"),
    ("Amara Diallo", "Chief People Officer", "C-suite"),
    ("Lucas Moreau", "Chief Revenue Officer", "C-suite"),
    ("Nadia Petrova", "Chief Marketing Officer", "C-suite"),
    ("Diego Alvarez", "Chief Legal Officer", "C-suite"),
    ("Fatima Rahman", "Chief Information Officer", "C-suite"),
    ("Ingrid Larsen", "Chief Product Officer", "C-suite"),
    ("Victor Hughes", "Chief Strategy Officer", "C-suite"),
    ("Chloe Martin", "Chief Customer Officer", "C-suite"),
    ("Ravi Menon", "SVP Engineering", "SVP/VP"),
    ("Elena Rossi", "VP Sales, EMEA", "SVP/VP"),
    ("Tomasz Nowak", "VP Support", "SVP/VP"),
    ("Grace Liu", "VP Finance", "SVP/VP"),
    ("Omar Haddad", "VP Logistics", "SVP/VP"),
]
"""Seventeen invited executives who stayed away: page 1 names twelve and counts five more."""


def _chart(levels: list[LevelCount]) -> Chart:
    colors = level_colors([(level.level, level.is_executive) for level in levels])
    return rate_bars(
        chart_id="recap-levels",
        title="Share of each level present",
        desc="For each level, the share of its people who attended this session.",
        bars=[
            RateBar(
                level.level,
                level.share,
                f"{level.share:.0%}" if level.share is not None else "—",
                colors[level.level],
            )
            for level in levels
            if level.people
        ],
        width=400,
    )


def _attendance() -> AttendanceSection:
    levels = [
        LevelCount(
            level=name,
            is_executive=executive,
            attendees=now,
            previous=before,
            came=now if people else 0,
            people=people,
        )
        for name, executive, now, before, people in LEVELS
    ]
    chart = _chart(levels)
    return AttendanceSection(
        attendees=sum(level.attendees for level in levels),
        unique_people=sum(level.attendees for level in levels) - 37,
        previous_attendees=sum(level.previous or 0 for level in levels),
        previous_session_title="A year with Harbor Foods",
        levels=levels,
        leaders=[
            NamedLeader(
                name="Grace Holloway",
                title="SVP Customer Operations",
                level="SVP/VP",
                department="Customer Success",
            ),
            NamedLeader(
                name="Rafael Ortiz", title="VP Finance", level="SVP/VP", department="Finance"
            ),
            NamedLeader(
                name="Mei Tanaka", title="VP Product", level="SVP/VP", department="Product"
            ),
        ],
        top_departments=[
            DepartmentCount(department=name, attendees=count)
            for name, count in [
                ("Customer Success", 318),
                ("Operations", 241),
                ("Engineering", 167),
                ("Sales", 112),
                ("Finance", 64),
            ]
        ],
        chart_svg=chart.svg,
        chart_summary=chart.summary,
        executives_present=3,
        executives_expected=20,
        executives_basis="invited",
        absent_executives=[
            NamedLeader(name=name, title=title, level=level, department="")
            for name, title, level in ABSENT_EXECUTIVES
        ],
    )


def _actions(count: int) -> list[ActionEntry]:
    return [
        ActionEntry(
            description=description,
            owner=owner,
            due_on=SESSION_DATE + timedelta(days=14 + 7 * (i % 9)),
            status="open" if i % 3 else "in_progress",
            session_title="How Meridian Freight onboards 400 drivers a month",
            session_date=SESSION_DATE,
        )
        for i, (description, owner) in enumerate(islice(cycle(ACTIONS), count))
    ]


def _open_items(count: int) -> list[ActionEntry]:
    items = []
    for i, (description, owner) in enumerate(islice(cycle(reversed(ACTIONS)), count)):
        title, held_on = EARLIER_SESSIONS[i % len(EARLIER_SESSIONS)]
        update = OPEN_UPDATES[i % len(OPEN_UPDATES)]
        due = held_on + timedelta(days=30 + 10 * i)
        items.append(
            ActionEntry(
                description=f"{description} — raised earlier",
                owner=owner,
                due_on=due,
                status="in_progress" if update else "open",
                session_title=title,
                session_date=held_on,
                latest_update=update,
                latest_update_on=SESSION_DATE - timedelta(days=3 + i) if update else None,
                overdue=due < SESSION_DATE,
            )
        )
    return items


def _done_items() -> list[ActionEntry]:
    return [
        ActionEntry(
            description="Call every customer affected by an outage within the hour",
            owner="Marcus Reed",
            due_on=date(2026, 2, 28),
            status="done",
            session_title="A year with Harbor Foods",
            session_date=date(2026, 2, 12),
            latest_update="Runbook live; used twice this month.",
            latest_update_on=date(2026, 3, 2),
        ),
        ActionEntry(
            description="Show cost per drop on the fleet dashboard",
            owner="Hannah Cole",
            due_on=date(2026, 3, 1),
            status="done",
            session_title="How Northwind Retail plans peak season",
            session_date=date(2026, 1, 15),
            latest_update="Shipped in release 26.3.",
            latest_update_on=date(2026, 3, 4),
        ),
    ]


def typical_document(
    *,
    quotes: int = 6,
    action_items: int = 8,
    open_items: int = 5,
    version: int = 2,
    company_name: str = "Northwind Outfitters",
) -> RecapDocument:
    """A realistic recap: about 3–4 pages with the defaults, ~4 with 10 quotes and 60 items."""
    return RecapDocument(
        company_name=company_name,
        session_id=42,
        session_title="How Meridian Freight onboards 400 drivers a month",
        customer="Meridian Freight",
        starts_at=datetime(2026, 3, 12, 15, 0, tzinfo=UTC),
        timezone="Europe/Paris",
        series_title="Voice of the customer, 2026",
        version=version,
        status="approved" if version else "draft",
        approved_at=datetime(2026, 3, 13, 9, 30, tzinfo=UTC) if version else None,
        approved_by="Claire Dubois" if version else "",
        summary_html=SUMMARY_HTML,
        themes=["Onboarding", "Billing", "Support", "Route optimisation"],
        quotes=[QuoteEntry(text=t, attribution=a) for t, a in islice(cycle(QUOTES), quotes)],
        action_items=_actions(action_items),
        open_items=_open_items(open_items),
        done_since_previous=_done_items(),
        attendance=_attendance(),
    )


PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<img src="https://evil.example/track.png">',
    '"><svg onload=alert(1)>',
]
HOSTILE = " ".join(PAYLOADS)


def hostile_document() -> RecapDocument:
    """Every plain-text field carries script, event handlers and remote references."""
    document = typical_document(quotes=2, action_items=2, open_items=2)
    evil_entry = ActionEntry(
        description=HOSTILE,
        owner=HOSTILE,
        due_on=None,
        status=HOSTILE,
        session_title=HOSTILE,
        session_date=SESSION_DATE,
        latest_update=HOSTILE,
        latest_update_on=SESSION_DATE,
    )
    attendance = document.attendance.model_copy(
        update={
            "previous_session_title": HOSTILE,
            "levels": [
                LevelCount(level=HOSTILE, is_executive=True, attendees=0),
                *document.attendance.levels,
            ],
            "leaders": [
                NamedLeader(name=HOSTILE, title=HOSTILE, level=HOSTILE, department=HOSTILE)
            ],
            "top_departments": [DepartmentCount(department=HOSTILE, attendees=3)],
        }
    )
    return document.model_copy(
        update={
            "company_name": HOSTILE,
            "session_title": HOSTILE,
            "customer": HOSTILE,
            "series_title": HOSTILE,
            "approved_by": HOSTILE,
            "themes": [HOSTILE, "Billing"],
            "quotes": [QuoteEntry(text=HOSTILE, attribution=HOSTILE)],
            "action_items": [evil_entry],
            "open_items": [evil_entry],
            "done_since_previous": [evil_entry],
            "attendance": attendance,
        }
    )


def huge_document(*, quotes: int = 500, action_items: int = 300) -> RecapDocument:
    """The worst case the issue names: hundreds of quotes and action items."""
    return typical_document(quotes=quotes, action_items=action_items, open_items=40)


def carried_over_document(*, open_items: int = 40, title: str = "") -> RecapDocument:
    """A recap carrying many open items from earlier sessions, some of them overdue."""
    document = typical_document(quotes=4, action_items=4, open_items=open_items)
    if title:
        document.session_title = title
    return document


def short_document() -> RecapDocument:
    """Two pages: title, summary, two quotes and the per-level table (the memory benchmark)."""
    document = typical_document(quotes=2, action_items=0, open_items=0)
    document.done_since_previous = []
    document.attendance.chart_svg = ""
    document.attendance.top_departments = []
    return document

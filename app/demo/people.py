"""The demo directory: about 1,200 people in a manager hierarchy, inserted in bulk."""

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from app.demo.names import DUPLICATE_NAME, FIRST_NAMES, LAST_NAMES
from app.errors import Conflict
from app.models import Level, Person, utcnow

EMAIL_DOMAIN = "northwind.demo"
LEVEL_KEYS = ("c-suite", "vp", "director", "manager", "ic")
CEO_TITLE = "Chief Executive Officer"
HOST_TITLE = "Director of Customer Experience"
INACTIVE_COUNT = 7
LAYERS = ("CEO", "C-suite", "VPs", "directors", "managers", "individual contributors")
"""The depths of the hierarchy, inserted in this order so every manager has an id in time."""


@dataclass(frozen=True)
class Department:
    name: str
    head: str | None
    """The C-suite title leading it; None when its VPs report to another department's head."""
    reports_to: str | None
    """The department whose head the VPs report to when `head` is None."""
    vps: tuple[str, ...]
    directors: tuple[str, ...]
    managers: tuple[str, ...]
    ics: tuple[str, ...]
    """Titles drawn at random, so a repeated title is a more common one."""
    director_count: int
    manager_count: int
    ic_count: int


DEPARTMENTS: tuple[Department, ...] = (
    Department(
        name="Sales",
        head="Chief Revenue Officer",
        reports_to=None,
        vps=(
            "SVP Global Sales",
            "VP Sales, North America",
            "VP Sales, EMEA",
            "VP Sales, Public Sector",
            "VP Sales Operations",
        ),
        directors=(
            "Director of Enterprise Sales",
            "Director of Mid-Market Sales",
            "Regional Sales Director, UK & Ireland",
            "Regional Sales Director, DACH",
            "Regional Sales Director, Nordics",
            "Regional Sales Director, US East",
            "Regional Sales Director, US West",
            "Director of Public Sector Sales",
            "Director of Sales Development",
            "Director of Channel Partnerships",
            "Director of Sales Enablement",
            "Director of Revenue Operations",
        ),
        managers=(
            "Sales Manager",
            "Regional Sales Manager",
            "Enterprise Sales Manager",
            "Sales Development Manager",
            "Partner Sales Manager",
            "Inside Sales Team Lead",
        ),
        ics=(
            "Account Executive",
            "Account Executive",
            "Account Executive",
            "Senior Account Executive",
            "Senior Account Executive",
            "Enterprise Account Executive",
            "Sales Development Representative",
            "Sales Development Representative",
            "Business Development Representative",
            "Sales Engineer",
            "Solutions Consultant",
            "Sales Operations Analyst",
            "Bid Writer",
        ),
        director_count=12,
        manager_count=32,
        ic_count=170,
    ),
    Department(
        name="Customer Success",
        head="Chief Customer Officer",
        reports_to=None,
        vps=("VP Customer Success", "VP Customer Experience"),
        directors=(
            HOST_TITLE,
            "Director of Customer Success, Enterprise",
            "Director of Customer Success, Mid-Market",
            "Director of Onboarding",
            "Director of Renewals",
            "Director of Customer Insights",
        ),
        managers=(
            "Customer Success Team Lead",
            "Customer Success Team Manager",
            "Onboarding Manager",
            "Renewals Manager",
            "Customer Experience Programme Manager",
        ),
        ics=(
            "Customer Success Partner",
            "Customer Success Partner",
            "Customer Success Partner",
            "Senior Customer Success Partner",
            "Onboarding Specialist",
            "Onboarding Specialist",
            "Implementation Consultant",
            "Renewals Specialist",
            "Customer Experience Analyst",
            "Customer Insights Analyst",
            "Customer Programmes Coordinator",
            "Customer Advocacy Specialist",
        ),
        director_count=6,
        manager_count=16,
        ic_count=85,
    ),
    Department(
        name="Support",
        head=None,
        reports_to="Customer Success",
        vps=("VP Support", "VP Global Support Operations"),
        directors=(
            "Director of Support, EMEA",
            "Director of Support, Americas",
            "Director of Support, APAC",
            "Director of Technical Support",
            "Director of Support Operations",
            "Director of Escalations",
            "Director of Customer Care",
            "Director of Knowledge & Self-Service",
        ),
        managers=(
            "Support Team Manager",
            "Support Team Manager",
            "Support Team Lead",
            "Technical Support Manager",
            "Escalations Manager",
            "Support Shift Supervisor",
            "Customer Care Team Lead",
        ),
        ics=(
            "Support Engineer",
            "Support Engineer",
            "Support Engineer",
            "Senior Support Engineer",
            "Senior Support Engineer",
            "Support Specialist",
            "Support Specialist",
            "Customer Care Advisor",
            "Customer Care Advisor",
            "Customer Care Advisor",
            "Technical Support Analyst",
            "Escalation Engineer",
            "Knowledge Base Writer",
            "Support Operations Analyst",
            "Support Quality Analyst",
        ),
        director_count=8,
        manager_count=26,
        ic_count=134,
    ),
    Department(
        name="Product",
        head=None,
        reports_to="Engineering",
        vps=("VP Product", "VP Product Design"),
        directors=(
            "Director of Product, Ordering",
            "Director of Product, Platform",
            "Director of Product, Mobile",
            "Director of Product Design",
            "Director of User Research",
        ),
        managers=(
            "Group Product Manager",
            "Design Manager",
            "Research Manager",
            "Product Operations Manager",
        ),
        ics=(
            "Product Owner",
            "Product Owner",
            "Product Owner",
            "Senior Product Owner",
            "Product Designer",
            "Product Designer",
            "Senior Product Designer",
            "UX Researcher",
            "Content Designer",
            "Product Analyst",
            "Product Operations Specialist",
        ),
        director_count=5,
        manager_count=10,
        ic_count=53,
    ),
    Department(
        name="Engineering",
        head="Chief Technology Officer",
        reports_to=None,
        vps=(
            "SVP Engineering",
            "VP Engineering, Platform",
            "VP Engineering, Commerce",
            "VP Engineering, Data",
            "VP Infrastructure",
            "VP Quality Engineering",
        ),
        directors=(
            "Director of Engineering, Ordering",
            "Director of Engineering, Payments",
            "Director of Engineering, Search",
            "Director of Engineering, Mobile",
            "Director of Engineering, Integrations",
            "Director of Engineering, Customer Portal",
            "Director of Engineering, Warehouse Systems",
            "Director of Engineering, Pricing",
            "Director of Platform Engineering",
            "Director of Data Engineering",
            "Director of Data Science",
            "Director of Site Reliability",
            "Director of Security Engineering",
            "Director of Quality Engineering",
            "Director of Developer Experience",
        ),
        managers=(
            "Engineering Manager",
            "Engineering Manager",
            "Engineering Manager",
            "Senior Engineering Manager",
            "QA Manager",
            "Data Engineering Manager",
            "Site Reliability Manager",
        ),
        ics=(
            "Software Engineer",
            "Software Engineer",
            "Software Engineer",
            "Software Engineer",
            "Senior Software Engineer",
            "Senior Software Engineer",
            "Senior Software Engineer",
            "Senior Software Engineer",
            "Staff Software Engineer",
            "Principal Engineer",
            "Site Reliability Engineer",
            "Data Engineer",
            "Data Scientist",
            "QA Engineer",
            "Security Engineer",
            "Mobile Engineer",
            "Frontend Engineer",
            "Backend Engineer",
        ),
        director_count=15,
        manager_count=42,
        ic_count=236,
    ),
    Department(
        name="Marketing",
        head="Chief Marketing Officer",
        reports_to=None,
        vps=("VP Marketing", "VP Brand & Communications", "VP Growth Marketing"),
        directors=(
            "Director of Product Marketing",
            "Director of Demand Generation",
            "Director of Brand",
            "Director of Communications",
            "Director of Customer Marketing",
            "Director of Events",
        ),
        managers=(
            "Marketing Manager",
            "Content Manager",
            "Events Manager",
            "Campaign Manager",
            "Social Media Manager",
            "Product Marketing Manager",
        ),
        ics=(
            "Marketing Specialist",
            "Marketing Specialist",
            "Content Writer",
            "Copywriter",
            "Graphic Designer",
            "Brand Designer",
            "Marketing Analyst",
            "Events Coordinator",
            "SEO Specialist",
            "Product Marketing Specialist",
            "Communications Specialist",
            "Marketing Operations Specialist",
        ),
        director_count=6,
        manager_count=12,
        ic_count=58,
    ),
    Department(
        name="Finance",
        head="Chief Financial Officer",
        reports_to=None,
        vps=("VP Finance", "VP Financial Planning & Analysis"),
        directors=(
            "Director of Accounting",
            "Director of FP&A",
            "Director of Tax",
            "Director of Treasury",
            "Director of Procurement",
        ),
        managers=(
            "Accounting Manager",
            "Accounts Payable Manager",
            "Billing Manager",
            "FP&A Manager",
            "Payroll Manager",
            "Procurement Manager",
            "Credit Control Supervisor",
        ),
        ics=(
            "Accountant",
            "Senior Accountant",
            "Financial Analyst",
            "Senior Financial Analyst",
            "Billing Specialist",
            "Billing Specialist",
            "Accounts Payable Specialist",
            "Accounts Receivable Specialist",
            "Payroll Specialist",
            "Buyer",
            "Tax Analyst",
            "Credit Controller",
        ),
        director_count=5,
        manager_count=9,
        ic_count=43,
    ),
    Department(
        name="People",
        head="Chief People Officer",
        reports_to=None,
        vps=("VP People Operations", "VP Talent"),
        directors=(
            "Director of Talent Acquisition",
            "Director of People Partnering",
            "Director of Learning & Development",
            "Director of Total Rewards",
        ),
        managers=(
            "Recruiting Manager",
            "HR Operations Manager",
            "Learning Manager",
            "Talent Team Lead",
        ),
        ics=(
            "Recruiter",
            "Recruiter",
            "Senior Recruiter",
            "People Partner",
            "People Partner",
            "HR Coordinator",
            "Learning Designer",
            "Compensation Analyst",
            "People Operations Specialist",
        ),
        director_count=4,
        manager_count=7,
        ic_count=36,
    ),
    Department(
        name="Operations",
        head="Chief Operating Officer",
        reports_to=None,
        vps=("VP Operations", "VP Supply Chain", "VP Fulfilment"),
        directors=(
            "Director of Logistics",
            "Director of Supply Chain Planning",
            "Director of Warehouse Operations",
            "Director of Sourcing",
            "Director of Quality Assurance",
        ),
        managers=(
            "Warehouse Manager",
            "Logistics Manager",
            "Operations Manager",
            "Inventory Manager",
            "Fulfilment Supervisor",
            "Quality Manager",
        ),
        ics=(
            "Operations Analyst",
            "Supply Chain Planner",
            "Demand Planner",
            "Transport Planner",
            "Logistics Coordinator",
            "Inventory Analyst",
            "Warehouse Associate",
            "Warehouse Associate",
            "Sourcing Specialist",
            "Quality Inspector",
        ),
        director_count=5,
        manager_count=11,
        ic_count=50,
    ),
    Department(
        name="Legal",
        head="Chief Legal Officer & General Counsel",
        reports_to=None,
        vps=("VP Legal, Deputy General Counsel",),
        directors=("Director of Legal, Commercial", "Director of Compliance"),
        managers=("Legal Operations Manager", "Compliance Manager", "Contracts Manager"),
        ics=(
            "Commercial Counsel",
            "Commercial Counsel",
            "Senior Counsel",
            "Privacy Counsel",
            "Paralegal",
            "Paralegal",
            "Compliance Analyst",
            "Contracts Specialist",
        ),
        director_count=2,
        manager_count=3,
        ic_count=13,
    ),
    Department(
        name="IT",
        head="Chief Information Officer",
        reports_to=None,
        vps=("VP IT", "VP Information Security"),
        directors=(
            "Director of IT Operations",
            "Director of Enterprise Applications",
            "Director of IT Security",
            "Director of Service Desk",
        ),
        managers=(
            "IT Service Desk Manager",
            "Systems Manager",
            "Security Operations Manager",
            "IT Team Lead",
        ),
        ics=(
            "IT Support Analyst",
            "IT Support Analyst",
            "Service Desk Technician",
            "Service Desk Technician",
            "Systems Administrator",
            "Network Engineer",
            "Security Analyst",
            "Business Systems Analyst",
            "Salesforce Administrator",
            "Cloud Engineer",
        ),
        director_count=4,
        manager_count=7,
        ic_count=35,
    ),
)
EXECUTIVE_OFFICE = "Executive Office"


@dataclass
class _Draft:
    """A person before insertion; `ref` and `manager_ref` are positions in the draft list."""

    ref: int
    level_key: str
    department: str
    title: str
    manager_ref: int | None
    depth: int
    name: str = ""
    email: str = ""
    active: bool = True


@dataclass(frozen=True)
class DemoPeople:
    """What the next demo modules need from the directory."""

    count: int
    departments: int
    ceo_id: int
    host_id: int
    """The Director of Customer Experience, who hosts the demo series."""
    ids_by_level: dict[str, list[int]] = field(default_factory=dict)


def demo_people_count(session: Session) -> int:
    """How many people have an email on the demo domain."""
    return session.exec(
        select(func.count()).select_from(Person).where(col(Person.email).like(f"%@{EMAIL_DOMAIN}"))
    ).one()


def load_people(
    session: Session, *, rng: random.Random, progress: Callable[[str], None]
) -> DemoPeople:
    """Insert the demo directory, most senior first so every manager has an id in time."""
    if existing := demo_people_count(session):
        raise Conflict(
            f"The demo is already loaded: {existing:,} people have @{EMAIL_DOMAIN} emails."
        )
    level_ids = _level_ids(session)
    drafts = _organisation(rng)
    _name(drafts, rng)
    now = utcnow()
    ids: dict[int, int] = {}
    for depth, layer in enumerate(LAYERS):
        batch = [draft for draft in drafts if draft.depth == depth]
        rows = [
            {
                "email": draft.email,
                "name": draft.name,
                "title": draft.title,
                "department": draft.department,
                "employee_id": f"NW{draft.ref + 1:05d}",
                "manager_id": None if draft.manager_ref is None else ids[draft.manager_ref],
                "level_id": level_ids[draft.level_key],
                "active": draft.active,
                "created_at": now,
                "updated_at": now,
            }
            for draft in batch
        ]
        result = session.exec(
            insert(Person).returning(col(Person.id), sort_by_parameter_order=True), params=rows
        )
        for draft, (person_id,) in zip(batch, result.all(), strict=True):
            ids[draft.ref] = person_id
        progress(f"People: {layer} ({len(ids):,} of {len(drafts):,})")
    by_level: dict[str, list[int]] = {key: [] for key in LEVEL_KEYS}
    for draft in drafts:
        by_level[draft.level_key].append(ids[draft.ref])
    host = next(draft for draft in drafts if draft.title == HOST_TITLE)
    return DemoPeople(
        count=len(drafts),
        departments=len({draft.department for draft in drafts}),
        ceo_id=ids[0],
        host_id=ids[host.ref],
        ids_by_level=by_level,
    )


def _level_ids(session: Session) -> dict[str, int]:
    levels = session.exec(select(Level).where(col(Level.key).in_(LEVEL_KEYS))).all()
    found = {level.key: level.id for level in levels if level.id is not None}
    if missing := [key for key in LEVEL_KEYS if key not in found]:
        raise Conflict(
            "The demo needs the default levels "
            f"{', '.join(LEVEL_KEYS)}; missing: {', '.join(missing)}. "
            "Restore them on the levels page, then load the demo again."
        )
    return found


def _organisation(rng: random.Random) -> list[_Draft]:
    """Every position with its title, department and manager; names come later."""
    drafts: list[_Draft] = []

    def add(level_key: str, department: str, title: str, manager_ref: int | None) -> _Draft:
        depth = 0 if manager_ref is None else drafts[manager_ref].depth + 1
        draft = _Draft(len(drafts), level_key, department, title, manager_ref, depth)
        drafts.append(draft)
        return draft

    ceo = add("c-suite", EXECUTIVE_OFFICE, CEO_TITLE, None)
    heads = {
        department.name: add("c-suite", department.name, department.head, ceo.ref).ref
        for department in DEPARTMENTS
        if department.head is not None
    }
    for department in DEPARTMENTS:
        head = heads[department.name if department.head else str(department.reports_to)]
        vps = [add("vp", department.name, title, head).ref for title in department.vps]
        directors = [
            add("director", department.name, title, manager).ref
            for title, manager in zip(
                _cycle(department.directors, department.director_count),
                _spread(vps, department.director_count, rng),
                strict=True,
            )
        ]
        managers = [
            add("manager", department.name, rng.choice(department.managers), manager).ref
            for manager in _spread(directors, department.manager_count, rng)
        ]
        for manager in _spread(managers, department.ic_count, rng):
            add("ic", department.name, rng.choice(department.ics), manager)
    ics = [draft for draft in drafts if draft.level_key == "ic"]
    for leaver in rng.sample(ics, INACTIVE_COUNT):
        leaver.active = False
    return drafts


def _cycle(titles: tuple[str, ...], count: int) -> list[str]:
    return [titles[index % len(titles)] for index in range(count)]


def _spread(managers: list[int], count: int, rng: random.Random) -> list[int]:
    """Give every manager at least one report, then spread the rest unevenly, as in life."""
    first = managers[:count]
    rest = [rng.choice(managers) for _ in range(count - len(first))]
    return sorted(first + rest)


def _name(drafts: list[_Draft], rng: random.Random) -> None:
    """Unique names, except the deliberate pair of namesakes in Sales and Engineering."""
    namesakes = {
        next(d.ref for d in drafts if d.department == department and d.level_key == "ic")
        for department in ("Sales", "Engineering")
    }
    used = {DUPLICATE_NAME}
    emails: set[str] = set()
    for draft in drafts:
        if draft.ref in namesakes:
            draft.name, draft.active = DUPLICATE_NAME, True
        else:
            while (name := f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}") in used:
                pass
            used.add(name)
            draft.name = name
        draft.email = _email(draft.name, emails)


def _email(name: str, taken: set[str]) -> str:
    """first.last@northwind.demo in plain ASCII, with a digit when the address is taken."""
    first, _, last = name.partition(" ")
    local = f"{_slug(first)}.{_slug(last)}"
    candidate, number = local, 1
    while candidate in taken:
        number += 1
        candidate = f"{local}{number}"
    taken.add(candidate)
    return f"{candidate}@{EMAIL_DOMAIN}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())

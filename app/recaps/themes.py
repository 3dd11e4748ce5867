"""Recap themes: the shared vocabulary recaps are tagged with, matched case-insensitively."""

from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.db import id_of
from app.errors import NotFound
from app.models import Recap, RecapTheme, Theme
from app.recaps.schemas import ThemeFigures, ThemeRead


def theme_key(name: str) -> str:
    """Themes match case-insensitively and ignore repeated spaces."""
    return " ".join(name.split()).casefold()


def set_themes(session: Session, *, recap: Recap, names: Sequence[str]) -> None:
    """Tag the recap with exactly these themes, making the ones no recap used before."""
    wanted: dict[str, str] = {}
    for name in names:
        clean = " ".join(name.split())
        if clean:
            wanted.setdefault(theme_key(clean), clean)
    existing = {
        theme.key: theme
        for theme in session.exec(select(Theme).where(col(Theme.key).in_(list(wanted))))
    }
    ids = []
    for key, name in wanted.items():
        theme = existing.get(key)
        if theme is None:
            theme = Theme(name=name, key=key)
            session.add(theme)
            session.flush()
        ids.append(id_of(theme))
    session.exec(delete(RecapTheme).where(col(RecapTheme.recap_id) == recap.id))
    session.add_all(RecapTheme(recap_id=id_of(recap), theme_id=theme_id) for theme_id in ids)
    session.flush()


def list_themes(
    session: Session, *, prefix: str = "", limit: int = 50, offset: int = 0
) -> tuple[list[ThemeRead], int]:
    """Themes in use, most used first; `prefix` suggests the ones starting with it."""
    uses = func.count(col(RecapTheme.recap_id)).label("uses")
    query = select(Theme, uses).join(RecapTheme, col(RecapTheme.theme_id) == Theme.id, isouter=True)
    key = theme_key(prefix)
    if key:
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(Theme.key).like(f"{escaped}%", escape="\\"))
    query = query.group_by(col(Theme.id))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(uses.desc(), col(Theme.key)).limit(limit).offset(offset)
    ).all()
    return [theme_read(theme, n) for theme, n in rows], total


def theme_read(theme: Theme, recaps: int) -> ThemeRead:
    return ThemeRead(
        id=id_of(theme),
        name=theme.name,
        recaps=recaps,
        customers_affected=theme.customers_affected,
        revenue_at_risk=theme.revenue_at_risk,
    )


def get_theme(session: Session, *, theme_id: int) -> Theme:
    """The theme with this id, or 404."""
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound(f"There is no theme with id {theme_id}.")
    return theme


def set_theme_figures(session: Session, *, theme: Theme, data: ThemeFigures) -> ThemeRead:
    """Record (or clear, with null) the customers affected and revenue at risk of a theme."""
    with audit.recording(
        session,
        theme,
        ("customers_affected", "revenue_at_risk"),
        entity="theme",
        summary=lambda changed: f"Changed {changed} of the theme “{theme.name}”",
    ):
        for figure in data.model_fields_set:
            setattr(theme, figure, getattr(data, figure))
        session.add(theme)
    session.flush()
    uses = session.exec(
        select(func.count()).select_from(RecapTheme).where(RecapTheme.theme_id == theme.id)
    ).one()
    return theme_read(theme, uses)

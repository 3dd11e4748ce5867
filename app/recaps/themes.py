"""Recap themes: the shared vocabulary recaps are tagged with, matched case-insensitively."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.db import id_of
from app.errors import Conflict, Invalid, NotFound
from app.kit import search
from app.models import ActionItem, Commitment, Recap, RecapTheme, Theme
from app.recaps.schemas import MAX_THEME_CHARS, ThemeFigures, ThemeRead


def theme_key(name: str) -> str:
    """Themes match case-insensitively and ignore repeated spaces."""
    return " ".join(name.split()).casefold()


def theme_named(session: Session, *, name: str) -> Theme:
    """The theme of this name (matched by `theme_key`), made when no theme has it yet."""
    clean = " ".join(name.split())
    if not clean:
        raise Invalid("A theme needs a name: type one, or choose one from the list.")
    if len(clean) > MAX_THEME_CHARS:
        raise Invalid(
            f"The theme “{clean[:40]}…” is {len(clean)} characters long; the limit is "
            f"{MAX_THEME_CHARS}."
        )
    theme = session.exec(select(Theme).where(Theme.key == theme_key(clean))).first()
    if theme is None:
        theme = Theme(name=clean, key=theme_key(clean))
        session.add(theme)
        session.flush()
    return theme


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
        query = query.where(col(Theme.key).like(search.starting_with(key), escape=search.ESCAPE))
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


@dataclass(frozen=True)
class MergeResult:
    """What a merge moved onto the target theme."""

    recaps: int
    """Recaps tagged with the source, now tagged with the target (once each)."""
    action_items: int
    commitments: int


def _summed(first: int | None, second: int | None) -> int | None:
    if first is None or second is None:
        return first if second is None else second
    return first + second


def merge_themes(session: Session, *, source: Theme, target: Theme) -> MergeResult:
    """Move everything filed under `source` onto `target`, then delete `source`.

    Recap tags move (a recap tagged with both keeps one tag), and so do the action items and
    commitments that answer it. Figures: where both themes have one, they are summed, since
    each counts the customers (and revenue) that stood behind its own name, and a person who
    merges two themes says they were one problem all along; where only one has it, it is kept.
    Approved recap versions are not reopened: they keep the theme names they were approved
    with. There is no alias table, so a recap later tagged with the old name makes a new theme.
    """
    if source.id == target.id:
        raise Conflict(
            f"“{source.name}” cannot be merged into itself: choose another theme to merge it into."
        )
    source_id, target_id = id_of(source), id_of(target)

    def filed(model: type[RecapTheme] | type[ActionItem] | type[Commitment]) -> int:
        return session.exec(
            select(func.count()).select_from(model).where(col(model.theme_id) == source_id)
        ).one()

    moved_recaps, items, commitments = filed(RecapTheme), filed(ActionItem), filed(Commitment)
    # A recap tagged with both keeps the target's tag; the source's goes with the theme.
    tagged_both = select(RecapTheme.recap_id).where(RecapTheme.theme_id == target_id)
    session.exec(
        delete(RecapTheme).where(
            col(RecapTheme.theme_id) == source_id, col(RecapTheme.recap_id).in_(tagged_both)
        )
    )
    for model in (RecapTheme, ActionItem, Commitment):
        session.exec(
            update(model).where(col(model.theme_id) == source_id).values(theme_id=target_id)
        )
    before = audit.snapshot(target, ("customers_affected", "revenue_at_risk"))
    target.customers_affected = _summed(target.customers_affected, source.customers_affected)
    target.revenue_at_risk = _summed(target.revenue_at_risk, source.revenue_at_risk)
    session.add(target)
    audit.record(
        session,
        action="merged",
        entity="theme",
        entity_id=target_id,
        summary=f"Merged the theme “{source.name}” into “{target.name}”: {moved_recaps} "
        f"recap{'' if moved_recaps == 1 else 's'}, {items} action "
        f"item{'' if items == 1 else 's'} and {commitments} "
        f"commitment{'' if commitments == 1 else 's'} moved",
        changes={
            "merged_theme": [f"{source.name} (#{source_id})", None],
            **audit.diff(before, audit.snapshot(target, ("customers_affected", "revenue_at_risk"))),
        },
    )
    session.delete(source)
    session.flush()
    # Objects loaded before the bulk updates still hold the old theme id.
    session.expire_all()
    return MergeResult(recaps=moved_recaps, action_items=items, commitments=commitments)

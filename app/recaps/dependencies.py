"""Load-or-404 dependencies for recap paths."""

from typing import Annotated

from fastapi import Depends

from app.db import SessionDep
from app.deps import IdPath
from app.models import ActionItem
from app.recaps.action_items import get_action_item


def valid_action_item_id(session: SessionDep, item_id: IdPath) -> ActionItem:
    """The action item named in the path, or 404."""
    return get_action_item(session, item_id=item_id)


ValidActionItem = Annotated[ActionItem, Depends(valid_action_item_id)]

"""Load-or-404 dependencies for follow-up paths."""

from typing import Annotated

from fastapi import Depends

from app.db import SessionDep
from app.deps import IdPath
from app.follow_ups.letters import get_follow_up
from app.models import FollowUp


def valid_follow_up_id(session: SessionDep, follow_up_id: IdPath) -> FollowUp:
    """The follow-up named in the path, or 404."""
    return get_follow_up(session, follow_up_id=follow_up_id)


ValidFollowUp = Annotated[FollowUp, Depends(valid_follow_up_id)]

"""Load-or-404 dependencies for distribution routes."""

from typing import Annotated

from fastapi import Depends

from app.db import SessionDep
from app.deps import IdPath
from app.distribution import lists
from app.models import DistributionList


def valid_list_id(session: SessionDep, list_id: IdPath) -> DistributionList:
    """The list named in the path, or 404."""
    return lists.get_list(session, list_id=list_id)


ValidList = Annotated[DistributionList, Depends(valid_list_id)]

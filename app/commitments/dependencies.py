"""Load-or-404 dependencies for commitment paths."""

from typing import Annotated

from fastapi import Depends

from app.db import SessionDep
from app.deps import IdPath
from app.errors import NotFound
from app.models import Commitment


def valid_commitment_id(session: SessionDep, commitment_id: IdPath) -> Commitment:
    """The commitment named in the path, or 404."""
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        raise NotFound(f"There is no commitment with id {commitment_id}.")
    return commitment


ValidCommitment = Annotated[Commitment, Depends(valid_commitment_id)]

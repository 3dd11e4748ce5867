"""Load-or-404 dependencies for people routes."""

from typing import Annotated

from fastapi import Depends, Path

from app.db import SessionDep
from app.deps import MAX_ID
from app.models import Person
from app.people import service

PersonId = Annotated[int, Path(ge=1, le=MAX_ID, description="A person's id.")]
AliasId = Annotated[int, Path(ge=1, le=MAX_ID, description="An alias's id.")]


def valid_person_id(session: SessionDep, person_id: PersonId) -> Person:
    """The person named in the path, or a 404."""
    return service.get_person(session, person_id)


ValidPerson = Annotated[Person, Depends(valid_person_id)]

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    actor: str = Field(examples=["ana@example.com"], description='A user\'s email, or "system".')
    action: str = Field(examples=["approved"])
    entity: str = Field(examples=["recap"])
    entity_id: int | None
    summary: str = Field(examples=["Approved version 3 of the recap of “Acme onboarding”."])
    changes: dict[str, list[Any]] = Field(
        description="Key fields that changed: {field: [before, after]}."
    )
    request_id: str | None

"""Response bodies of the session routes."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from app.features.auth.model import AuthSession
from app.features.shared.pagination import Page


class SessionRead(BaseModel):
    """One signed-in device."""

    id: UUID
    created_at: datetime = Field(description="When it signed in.")
    last_used_at: datetime = Field(
        description="When it last got tokens (signed in or refreshed): accurate to the "
        "access-token lifetime."
    )
    client_address: str | None = Field(description="The address it signed in from.")
    user_agent: str | None = Field(description="Its User-Agent at sign-in, trimmed.")
    current: bool = Field(description="Whether this is the session of the calling token.")

    @classmethod
    def of(cls, auth_session: AuthSession, *, current_id: UUID) -> "SessionRead":
        """The view of `auth_session` for the caller whose session is `current_id`."""
        return cls(
            id=auth_session.id,
            created_at=auth_session.created_at,
            last_used_at=auth_session.refreshed_at,
            client_address=auth_session.client_address,
            user_agent=auth_session.user_agent,
            current=auth_session.id == current_id,
        )


class SessionPage(BaseModel):
    """One page of sessions and the cursor of the next page (null on the last one)."""

    items: list[SessionRead]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[AuthSession], *, current_id: UUID) -> "SessionPage":
        """The page as the caller whose session is `current_id` sees it."""
        return cls(
            items=[SessionRead.of(item, current_id=current_id) for item in page.items],
            next_cursor=page.next_cursor,
        )

"""Request and response bodies of the inquiry routes.

Neither side's CPF or e-mail is ever shown: the collector sees the sender's name and,
if given, phone; the sender sees their inquiry without the phone.
"""

from datetime import datetime
from typing import Annotated, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from app.features.inquiries.commands import PHONE_EXAMPLES, PHONE_FORM, NewInquiry, e164_phone
from app.features.inquiries.model import (
    MESSAGE_MAX_LENGTH,
    MESSAGE_MIN_LENGTH,
    ContactTime,
    Inquiry,
)
from app.features.inquiries.repository import InquiryFilters
from app.features.shared.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page
from app.routers.v1.validation import CURSOR_DESCRIPTION, Cursor, padded_pattern, trimmed

Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=24),
    AfterValidator(e164_phone),
    # The document states the forms `e164_phone` accepts; surrounding spaces are trimmed.
    WithJsonSchema(
        {
            "type": "string",
            "pattern": padded_pattern(PHONE_FORM),
            "description": "A Brazilian mobile or landline number with its area code, as "
            "(11) 91234-5678, 11912345678 or +55 11 91234-5678; stored and shown in E.164 "
            "(+5511912345678).",
            "examples": list(PHONE_EXAMPLES),
        }
    ),
]
Message = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=MESSAGE_MIN_LENGTH, max_length=MESSAGE_MAX_LENGTH
    ),
    trimmed(MESSAGE_MIN_LENGTH),
    Field(
        description=f"What you want to know: {MESSAGE_MIN_LENGTH} to {MESSAGE_MAX_LENGTH} "
        "characters once trimmed."
    ),
]
CONTACT_TIME_DESCRIPTION = (
    "When you prefer to be called back: `morning`, `afternoon`, `evening` or `any`."
)


class InquiryCreate(BaseModel):
    """An inquiry about a published listing, to its collector."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "message": "Olá! O apartamento ainda está disponível? Posso visitar no sábado?",
                    "phone": "(11) 91234-5678",
                    "preferred_contact_time": "morning",
                }
            ]
        },
    )

    message: Message
    phone: Phone | None = Field(default=None, description="Optional; only the collector sees it.")
    preferred_contact_time: ContactTime | None = Field(
        default=None, description=CONTACT_TIME_DESCRIPTION
    )

    def command(self) -> NewInquiry:
        """The typed input of the send use case."""
        return NewInquiry(
            message=self.message,
            phone=self.phone,
            preferred_contact_time=self.preferred_contact_time,
        )


class InquiryListing(BaseModel):
    """The listing an inquiry is about, as it was when the inquiry was sent."""

    id: UUID | None = Field(description="The listing; null once it has been deleted.")
    title: str = Field(examples=["Apartamento com varanda perto do metrô"])
    city: str = Field(examples=["São Paulo"])


class SentInquiry(BaseModel):
    """An inquiry as its sender sees it."""

    id: UUID
    listing: InquiryListing
    sender_name: str = Field(description="Your name when you sent it.", examples=["Ana Souza"])
    message: str
    preferred_contact_time: ContactTime | None = Field(description=CONTACT_TIME_DESCRIPTION)
    collector_deleted: bool = Field(
        description="True when the collector's account has been deleted: nobody will answer."
    )
    created_at: datetime

    @classmethod
    def of(cls, inquiry: Inquiry) -> Self:
        """The sender's view of `inquiry`."""
        return cls(
            id=inquiry.id,
            listing=_listing(inquiry),
            sender_name=inquiry.sender_name,
            message=inquiry.message,
            preferred_contact_time=inquiry.preferred_contact_time,
            collector_deleted=inquiry.recipient_id is None,
            created_at=inquiry.created_at,
        )


class ReceivedInquiry(BaseModel):
    """An inquiry as the listing's collector sees it."""

    id: UUID
    listing: InquiryListing
    sender_name: str = Field(description="Who wrote.", examples=["Ana Souza"])
    message: str
    phone: str | None = Field(
        description="The sender's phone in E.164, if they gave one.", examples=["+5511912345678"]
    )
    preferred_contact_time: ContactTime | None = Field(description=CONTACT_TIME_DESCRIPTION)
    read_at: datetime | None = Field(description="When you first marked it read; null: unread.")
    created_at: datetime

    @classmethod
    def of(cls, inquiry: Inquiry) -> Self:
        """The collector's view of `inquiry`."""
        return cls(
            id=inquiry.id,
            listing=_listing(inquiry),
            sender_name=inquiry.sender_name,
            message=inquiry.message,
            phone=inquiry.phone,
            preferred_contact_time=inquiry.preferred_contact_time,
            read_at=inquiry.read_at,
            created_at=inquiry.created_at,
        )


def _listing(inquiry: Inquiry) -> InquiryListing:
    return InquiryListing(
        id=inquiry.listing_id, title=inquiry.listing_title, city=inquiry.listing_city
    )


class SentInquiryPage(BaseModel):
    """One page of sent inquiries and the cursor of the next (null on the last one)."""

    items: list[SentInquiry]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[Inquiry]) -> Self:
        """The sender's view of `page`."""
        return cls(
            items=[SentInquiry.of(item) for item in page.items], next_cursor=page.next_cursor
        )


class ReceivedInquiryPage(BaseModel):
    """One page of received inquiries and the cursor of the next (null on the last one)."""

    items: list[ReceivedInquiry]
    next_cursor: str | None

    @classmethod
    def of(cls, page: Page[Inquiry]) -> Self:
        """The collector's view of `page`."""
        items = [ReceivedInquiry.of(item) for item in page.items]
        return cls(items=items, next_cursor=page.next_cursor)


class SentParams(BaseModel):
    """The query of the sent inbox."""

    model_config = ConfigDict(extra="forbid")

    listing_id: UUID | None = Field(default=None, description="Only those about this listing.")
    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: Cursor | None = Field(default=None, description=CURSOR_DESCRIPTION)

    def filters(self) -> InquiryFilters:
        """The filters of the query."""
        return InquiryFilters(listing_id=self.listing_id)


class ReceivedParams(SentParams):
    """The query of the received inbox."""

    unread: bool | None = Field(
        default=None, description="true: only unread ones; false: only read ones; omitted: all."
    )

    def filters(self) -> InquiryFilters:
        """The filters of the query."""
        return InquiryFilters(listing_id=self.listing_id, unread=self.unread)

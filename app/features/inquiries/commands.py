"""The typed input of sending an inquiry, and the Brazilian phone numbers it may carry."""

import re
from dataclasses import dataclass

from app.features.inquiries.model import ContactTime

# A Brazilian number as people write it: an optional +55, the two-digit area code (DDD,
# no zero in it), bare or in parentheses, then a mobile (9 digits, starting with 9) or a
# landline (8 digits, starting with 2 to 5), with an optional space or hyphen before the
# last four digits. ASCII digits only (`\d` would take other scripts' digits).
PHONE_FORM = r"(?:\+55 ?)?(?:\(([1-9]{2})\) ?|([1-9]{2}) ?)(9[0-9]{4}|[2-5][0-9]{3})[ -]?([0-9]{4})"
_PHONE = re.compile(PHONE_FORM)
PHONE_EXAMPLES = ("(11) 91234-5678", "11912345678", "+55 11 91234-5678", "(11) 3123-4567")


def e164_phone(text: str) -> str:
    """The E.164 form (`+5511912345678`) of a Brazilian phone number written as people do.

    Raises:
        ValueError: `text` is not a Brazilian mobile or landline number.
    """
    match = _PHONE.fullmatch(text)
    if match is None:
        raise ValueError(
            "phone must be a Brazilian number with its area code, e.g. (11) 91234-5678, "
            "11912345678 or +55 11 91234-5678"
        )
    parenthesised, bare, first, last = match.groups()
    return f"+55{parenthesised or bare}{first}{last}"


@dataclass(frozen=True)
class NewInquiry:
    """What a searcher writes to a listing's collector (already trimmed and normalised)."""

    message: str
    phone: str | None = None
    preferred_contact_time: ContactTime | None = None

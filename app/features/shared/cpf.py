"""Brazilian CPF numbers: normalisation and check-digit validation."""

import re
from typing import NewType

Cpf = NewType("Cpf", str)
"""The 11 digits of a valid CPF: the only form services and the database see."""

# ASCII digits only: `\d` also matches other scripts' digits (e.g. Arabic-Indic), which
# `int()` reads but the database's `[0-9]{11}` check refuses.
_FORMATTED = re.compile(r"[0-9]{3}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}")
_DIGITS = re.compile(r"[0-9]{11}")


def _check_digit(digits: str) -> str:
    weight_start = len(digits) + 1
    total = sum(
        int(digit) * weight
        for digit, weight in zip(digits, range(weight_start, 1, -1), strict=True)
    )
    remainder = total * 10 % 11
    return "0" if remainder == 10 else str(remainder)


def cpf_from_number(number: int) -> Cpf:
    """The valid CPF whose first nine digits are `number` (for generated accounts)."""
    digits = f"{number:09d}"
    digits += _check_digit(digits)
    return Cpf(digits + _check_digit(digits))


def normalize_cpf(raw: str) -> Cpf | None:
    """Return the 11 digits of a valid CPF, or None.

    The one parser of CPFs: sign-up, sign-in and the command line all go through it.
    Accepts "529.982.247-25" or "52998224725"; refuses wrong check digits and
    numbers whose digits are all equal (e.g. "111.111.111-11").
    """
    candidate = raw.strip()
    if _FORMATTED.fullmatch(candidate):
        candidate = candidate.replace(".", "").replace("-", "")
    if not _DIGITS.fullmatch(candidate) or len(set(candidate)) == 1:
        return None
    expected = _check_digit(candidate[:9])
    expected += _check_digit(candidate[:9] + expected)
    return Cpf(candidate) if candidate[9:] == expected else None

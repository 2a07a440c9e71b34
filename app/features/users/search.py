"""What the admins' user list can look for: a name prefix or one CPF."""

import re
from dataclasses import dataclass

from app.features.shared.cpf import Cpf, normalize_cpf

_DIGIT = re.compile(r"[0-9]")
_NON_DIGITS = re.compile(r"[^0-9]")


@dataclass(frozen=True)
class UserSearch:
    """Users whose name starts with `name_prefix` (case-insensitively), or whose CPF is `cpf`."""

    name_prefix: str | None = None
    cpf: Cpf | None = None

    @classmethod
    def parse(cls, text: str) -> "UserSearch":
        """Read an admin's `q`: with a digit it is a CPF in any format, otherwise a name.

        Raises:
            ValueError: the digits are not a valid CPF (names have no digits).
        """
        if _DIGIT.search(text) is None:
            return cls(name_prefix=" ".join(text.split()))
        cpf = normalize_cpf(_NON_DIGITS.sub("", text))
        if cpf is None:
            raise ValueError("q with digits must be a valid CPF, as 529.982.247-25")
        return cls(cpf=cpf)

    def fingerprint(self) -> str:
        """The search as text, for binding cursors to it."""
        if self.cpf is not None:
            return f"cpf:{self.cpf}"
        return f"name:{(self.name_prefix or '').casefold()}"

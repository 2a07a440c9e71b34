"""The password policy of NIST SP 800-63B: length, no CPF, no common passwords."""

from pathlib import Path
from typing import Self

from app.features.users.exceptions import PasswordRejected

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


class PasswordPolicy:
    """Decides whether a new password is acceptable. No composition rules, by design."""

    def __init__(self, common_passwords: frozenset[str]) -> None:
        self._common = common_passwords

    @classmethod
    def from_file(cls, path: Path = COMMON_PASSWORDS_FILE) -> Self:
        """Load the shipped list of common passwords."""
        lines = path.read_text(encoding="utf-8").splitlines()
        return cls(frozenset(line.strip().lower() for line in lines if line.strip()))

    def refusal_for(self, password: str, *, cpf: str) -> PasswordRejected | None:
        """Why `password` may not be used by the holder of `cpf`, or None when it may."""
        if len(password) < MIN_PASSWORD_LENGTH:
            return PasswordRejected(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
        if len(password) > MAX_PASSWORD_LENGTH:
            return PasswordRejected(f"Use at most {MAX_PASSWORD_LENGTH} characters.")
        digits_only = "".join(char for char in password if char.isdigit())
        if password.strip() == cpf or (digits_only == cpf and len(password.strip()) <= 14):
            return PasswordRejected("The password must not be your CPF.")
        if password.lower() in self._common:
            return PasswordRejected("This password is too common; choose another one.")
        return None

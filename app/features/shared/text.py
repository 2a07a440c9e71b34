"""Text normalisation for case- and accent-insensitive matching."""

import unicodedata


def search_key(text: str) -> str:
    """Lower-case, accent-free, single-spaced form of `text` ("São  Paulo" -> "sao paulo")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())

"""search_key: the case- and accent-free form the city and neighbourhood filters compare."""

import pytest

from app.features.shared.text import search_key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("São Paulo", "sao paulo"),
        ("  SÃO   paulo ", "sao paulo"),
        ("Florianópolis", "florianopolis"),
        ("Straße", "strasse"),
        ("\uff32\uff49\uff4f", "rio"),
        ("", ""),
    ],
    ids=["accents", "case-and-spaces", "acute", "casefold", "full-width", "empty"],
)
def test_search_key_folds_case_accents_width_and_spacing(text: str, key: str) -> None:
    assert search_key(text) == key

"""CPF normalisation: formatted or bare digits in, the 11 digits of a valid CPF out."""

import pytest

from app.features.shared.cpf import normalize_cpf


@pytest.mark.parametrize("raw", ["529.982.247-25", "52998224725", "  529.982.247-25 \n"])
def test_normalize_cpf_accepts_formatted_digits_and_surrounding_whitespace(raw: str) -> None:
    assert normalize_cpf(raw) == "52998224725"


@pytest.mark.parametrize(
    "raw",
    [
        "529.982.247-26",
        "52998224715",
        "111.111.111-11",
        "00000000000",
        "529.982.247-2X",
        "abc.def.ghi-jk",
        "529 982 247 25",
        "5299822472",
        "529982247250",
        "529.982247-25",
        "",
    ],
)
def test_normalize_cpf_refuses_invalid_numbers(raw: str) -> None:
    assert normalize_cpf(raw) is None

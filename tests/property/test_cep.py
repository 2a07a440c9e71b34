"""Properties of the CEP (postal code) of a listing's address."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from app.routers.v1.real_estates.schemas import PostalCode
from tests.property import PROPERTY

CEP = TypeAdapter(PostalCode)

eight_digits = st.text(st.sampled_from("0123456789"), min_size=8, max_size=8)
whitespace = st.sampled_from(["", " ", "\t", " \n"])


@PROPERTY
@given(eight_digits, st.booleans(), whitespace)
def test_a_cep_reads_back_as_its_eight_digits_with_or_without_the_hyphen(
    digits: str, hyphen: bool, padding: str
) -> None:
    spelled = f"{digits[:5]}-{digits[5:]}" if hyphen else digits

    assert CEP.validate_python(f"{padding}{spelled}{padding}") == digits


cep_like = st.text(
    st.one_of(st.sampled_from("0123456789- "), st.characters(categories=["Nd"])), max_size=10
)


@PROPERTY
@given(st.one_of(st.text(max_size=12), cep_like))
def test_anything_but_eight_digits_and_an_optional_hyphen_is_refused(text: str) -> None:
    # `\d` in the pattern is ASCII only: Arabic-Indic or full-width digits are not a CEP.
    is_cep = re.fullmatch(r"[0-9]{5}-?[0-9]{3}", text.strip()) is not None
    if is_cep:
        assert CEP.validate_python(text) == text.strip().replace("-", "")
    else:
        with pytest.raises(ValidationError):
            CEP.validate_python(text)

"""Properties of the CPF parser and of the mask that hides CPFs in logs."""

import re

from hypothesis import given
from hypothesis import strategies as st

from app.core.config.logging import mask_cpf
from app.features.shared.cpf import Cpf, cpf_from_number, normalize_cpf
from tests.property import PROPERTY

DIGIT = st.sampled_from("0123456789")


def _digits(count: int) -> st.SearchStrategy[str]:
    return st.text(DIGIT, min_size=count, max_size=count)


def _formatted(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


# Every valid CPF: nine free digits and their two check digits, less the repeated ones.
valid_cpfs = (
    st.integers(min_value=0, max_value=999_999_999)
    .map(cpf_from_number)
    .filter(lambda cpf: len(set(cpf)) > 1)
)


@PROPERTY
@given(valid_cpfs, st.sampled_from(["", " ", "\t", "\n "]))
def test_a_valid_cpf_reads_back_as_its_digits_in_either_spelling(cpf: Cpf, padding: str) -> None:
    assert normalize_cpf(cpf) == cpf
    assert normalize_cpf(_formatted(cpf)) == cpf
    assert normalize_cpf(f"{padding}{_formatted(cpf)}{padding}") == cpf


@PROPERTY
@given(valid_cpfs, _digits(2))
def test_eleven_digits_with_wrong_check_digits_are_refused(cpf: Cpf, check: str) -> None:
    candidate = cpf[:9] + check

    assert (normalize_cpf(candidate) is None) == (check != cpf[9:])
    assert (normalize_cpf(_formatted(candidate)) is None) == (check != cpf[9:])


@PROPERTY
@given(DIGIT)
def test_repeated_digits_are_refused_even_when_their_check_digits_add_up(digit: str) -> None:
    assert normalize_cpf(digit * 11) is None
    assert normalize_cpf(_formatted(digit * 11)) is None


# Text that looks like a CPF: ASCII digits, punctuation, and digits of other scripts
# (Arabic-Indic, full-width...), which `int()` reads but the database's `[0-9]` does not.
cpf_like = st.text(
    st.one_of(DIGIT, st.sampled_from(".- "), st.characters(categories=["Nd"])), max_size=16
)


@PROPERTY
@given(st.one_of(st.text(max_size=40), cpf_like))
def test_any_text_is_either_refused_or_eleven_ascii_digits(text: str) -> None:
    parsed = normalize_cpf(text)

    assert parsed is None or (
        re.fullmatch(r"[0-9]{11}", parsed) is not None and normalize_cpf(parsed) == parsed
    )


@PROPERTY
@given(valid_cpfs, st.characters(categories=["Nd"]).filter(lambda c: c not in "0123456789"))
def test_a_digit_of_another_script_is_not_a_cpf_digit(cpf: Cpf, digit: str) -> None:
    assert normalize_cpf(digit + cpf[1:]) is None


@PROPERTY
@given(valid_cpfs, st.booleans(), st.text(alphabet=st.characters(exclude_categories=["Nd"])))
def test_the_mask_hides_all_but_the_middle_digits_wherever_the_cpf_is(
    cpf: Cpf, formatted: bool, around: str
) -> None:
    spelled = _formatted(cpf) if formatted else cpf
    masked = mask_cpf(f"{around} {spelled} {around}")

    assert f"***.{cpf[3:6]}.***-**" in masked
    assert spelled not in masked
    assert cpf not in masked.replace(".", "").replace("-", "")


@PROPERTY
@given(st.text(max_size=60))
def test_masking_is_idempotent_and_leaves_no_cpf_behind(text: str) -> None:
    masked = mask_cpf(text)

    assert mask_cpf(masked) == masked
    assert not re.search(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b", masked)

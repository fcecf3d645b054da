"""Resident ID numbers (GB 11643): check character, validation, masking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.core.identifiers import (
    is_valid_resident_id,
    mask_resident_id,
    normalize_resident_id,
    resident_id_check_char,
)

# The worked example of GB 11643-1999 (check character X); 440524188001010014 is the
# other example printed in many references.
STANDARD_EXAMPLE = "11010519491231002X"


def test_standard_example_check_character_is_x() -> None:
    assert resident_id_check_char(STANDARD_EXAMPLE[:17]) == "X"
    assert is_valid_resident_id(STANDARD_EXAMPLE)


@pytest.mark.parametrize(
    "body, check",
    [("44052418800101001", "4"), ("32058219900307123", "2"), ("33010219880818123", "X")],
)
def test_check_character_by_hand(body: str, check: str) -> None:
    # weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; check = (12 - sum mod 11) mod 11
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    expected = (12 - total % 11) % 11
    assert check == ("X" if expected == 10 else str(expected))
    assert resident_id_check_char(body) == check
    assert is_valid_resident_id(body + check)


@pytest.mark.parametrize(
    "number, why",
    [
        ("110105194912310021", "wrong check digit"),
        ("11010519491231002x", "lower-case x is not canonical"),
        ("11010519491331002X", "month 13"),
        ("32058219900230123X", "30 February"),
        ("01010519491231002X", "division cannot start with 0"),
        ("1101051949123100X2", "X only at the end"),
        ("11010519491231002", "17 characters"),
        ("320582299912310016", "born in the future (check digit right)"),
        ("１１０１０５１９４９１２３１００２X", "full-width digits"),
    ],
)
def test_invalid_numbers(number: str, why: str) -> None:
    assert not is_valid_resident_id(number), why


@given(
    st.from_regex(
        r"[1-9][0-9]{5}(19[5-9][0-9]|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}",
        fullmatch=True,
    )
)
def test_every_body_gets_exactly_one_valid_check_character(body: str) -> None:
    valid = [c for c in "0123456789X" if is_valid_resident_id(body + c)]
    assert valid == [resident_id_check_char(body)]


def test_normalize_accepts_spaces_and_lower_x_and_refuses_garbage() -> None:
    assert normalize_resident_id(" 110105 19491231 002x ") == STANDARD_EXAMPLE
    with pytest.raises(ValueError, match="身份证号码无效"):
        normalize_resident_id("110105194912310021")


def test_mask_keeps_division_and_last_four() -> None:
    assert mask_resident_id("320582199003071239") == "320582********1239"
    assert mask_resident_id(STANDARD_EXAMPLE) == "110105********002X"
    assert mask_resident_id(None) is None
    assert mask_resident_id("") is None
    assert mask_resident_id("12345") == "*****"

"""USCC (GB 32100-2015) and phone number validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.core.identifiers import (
    USCC_ALPHABET,
    is_valid_mobile,
    is_valid_phone,
    is_valid_uscc,
    normalize_phone,
    uscc_check_char,
)

# Publicly listed codes (national enterprise credit publicity system / company sites);
# each appears in many public repositories and passes the GB 32100 check.
PUBLISHED_USCC = [
    pytest.param("914403001922038216", id="huawei-technologies"),
    pytest.param("91440300708461136T", id="shenzhen-tencent-computer-systems"),
    pytest.param("91330100799655058B", id="alibaba-china"),
    pytest.param("91110108551385082Q", id="xiaomi-technology"),
    pytest.param("91110000802100433B", id="baidu-online-network-technology"),
    # The example in hutool's CreditCodeUtilTest; exercises letters in the body.
    pytest.param("91350100M000100Y43", id="hutool-example"),
]


# ------------------------------------------------------------------------------- USCC


@pytest.mark.parametrize("code", PUBLISHED_USCC)
def test_published_codes_validate(code):
    assert is_valid_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", PUBLISHED_USCC)
def test_every_wrong_check_char_fails(code):
    for char in USCC_ALPHABET:
        if char != code[17]:
            assert not is_valid_uscc(code[:17] + char)


@pytest.mark.parametrize(
    "code",
    [
        "91110000100000589B",  # often quoted, but its check character is really A
        "914403001922038216 ",
        "91440300708461136t",  # lower case
        "9144030019220382",
        "9144030019220382166",
        "91440300I922038216",  # I is not in the alphabet
        "914403O01922038216",  # O is not in the alphabet
        "9144A3001922038216",  # division code must be digits
        "",
    ],
)
def test_malformed_codes_fail(code):
    assert not is_valid_uscc(code)


def test_non_string_code_fails():
    assert not is_valid_uscc(None)  # type: ignore[arg-type]
    assert not is_valid_uscc(914403001922038216)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body", ["", "9144030019220382", "914403001922038216", "9144030019220382I"]
)
def test_check_char_rejects_bad_bodies(body):
    with pytest.raises(ValueError):
        uscc_check_char(body)


def test_check_char_weights_are_powers_of_three():
    # Only position 1 (weight 3**0 = 1) nonzero, value 1 -> check = 31 - 1 = 30 -> "Y".
    assert uscc_check_char("1" + "0" * 16) == "Y"
    # Position 2 has weight 3: 31 - 3 = 28 -> "W".
    assert uscc_check_char("01" + "0" * 15) == "W"
    assert uscc_check_char("0" * 17) == "0"


uscc_bodies = st.builds(
    lambda head, division, org: head + division + org,
    st.sampled_from(["11", "12", "13", "19", "51", "52", "91", "92", "93", "N1", "Y1"]),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


@given(uscc_bodies)
def test_property_generated_codes_validate(body):
    assert is_valid_uscc(body + uscc_check_char(body))


@given(uscc_bodies, st.integers(min_value=0, max_value=16), st.sampled_from(USCC_ALPHABET))
def test_property_any_single_substitution_is_detected(body, position, char):
    code = body + uscc_check_char(body)
    corrupted = code[:position] + char + code[position + 1 :]
    # Weights are nonzero mod the prime 31, so one changed character always changes the sum.
    assert is_valid_uscc(corrupted) == (corrupted == code)


# ----------------------------------------------------------------------------- mobile


@pytest.mark.parametrize(
    ("phone", "normalized"),
    [
        ("13812345678", "13812345678"),
        ("19912345678", "19912345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-13812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("008613812345678", "13812345678"),
    ],
)
def test_valid_mobiles(phone, normalized):
    assert is_valid_mobile(phone)
    assert is_valid_phone(phone)
    assert normalize_phone(phone) == normalized


@pytest.mark.parametrize(
    "phone",
    [
        "12812345678",  # second digit must be 3-9
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "23812345678",
        "+1 138 1234 5678",
        "86138123456",  # prefix only counts with 11 digits after it
        "1381234567a",
        "",
    ],
)
def test_invalid_mobiles(phone):
    assert not is_valid_mobile(phone)


def test_landline_is_not_a_mobile():
    assert not is_valid_mobile("010-12345678")


# ---------------------------------------------------------------------------- landline


@pytest.mark.parametrize(
    ("phone", "normalized"),
    [
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("021-6888 8888", "021-68888888"),
        ("0755-86013388", "0755-86013388"),
        ("(0755) 8601 3388", "0755-86013388"),
        ("（0755）86013388", "0755-86013388"),
        ("075586013388", "0755-86013388"),
        ("0311-8123456", "0311-8123456"),
        ("0755-86013388转123", "0755-86013388-123"),
        ("0755-86013388-123", "0755-86013388-123"),
        ("0755-86013388 ext. 8", "0755-86013388-8"),
        ("0755-86013388#8", "0755-86013388-8"),
        (" 13812345678 ", "13812345678"),
    ],
)
def test_landlines_normalize(phone, normalized):
    assert is_valid_phone(phone)
    assert normalize_phone(phone) == normalized


@pytest.mark.parametrize(
    "phone",
    [
        "12345678",  # no area code
        "86013388",
        "0755-123456",  # local number too short
        "0755-123456789",  # too long
        "0755-06013388",  # local number cannot start with 0
        "755-86013388",  # area code must start with 0
        "0755-86013388转",  # extension separator without digits
        "电话：0755-86013388",
        "",
    ],
)
def test_invalid_phones(phone):
    assert not is_valid_phone(phone)
    with pytest.raises(ValueError, match="无效的电话号码"):
        normalize_phone(phone)


def test_non_string_phone():
    assert not is_valid_phone(None)  # type: ignore[arg-type]
    assert not is_valid_mobile(13812345678)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="无效的电话号码"):
        normalize_phone(None)  # type: ignore[arg-type]


def test_error_message_names_the_input_and_expected_forms():
    with pytest.raises(ValueError) as excinfo:
        normalize_phone("123")
    message = str(excinfo.value)
    assert "'123'" in message and "手机号" in message and "固定电话" in message

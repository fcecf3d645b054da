"""The field checks of the supervised-object register (DR-2): the USCC check character
(GB 32100), mainland mobile numbers, contact phones, licence dates — each refusal says
what is wrong."""

from __future__ import annotations

from datetime import date

import pytest

from geo.core.identifiers import uscc_check_char
from geo.inspection.object_rules import (
    check_licence_dates,
    contact_phone,
    mobile,
    normalize_uscc,
)
from geo.inspection.register_errors import RegisterRuleError

BODY = "91320582MA1W2X3Y4"  # 17 characters; the 18th is the check character
GOOD = BODY + uscc_check_char(BODY)


def test_a_valid_code_is_kept_and_normalised() -> None:
    assert normalize_uscc(GOOD) == GOOD
    assert normalize_uscc(" " + GOOD.lower()[:9] + " " + GOOD.lower()[9:]) == GOOD


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (BODY, "应为 18 位，现为 17 位"),
        (BODY[:-1] + "I" + "0", "不允许的字符：I"),
        ("91AB0582MA1W2X3Y4" + "0", "行政区划代码"),
        (BODY + next(c for c in "0123456789" if c != uscc_check_char(BODY)), "校验位不符"),
    ],
)
def test_a_bad_code_is_refused_saying_why(code: str, message: str) -> None:
    with pytest.raises(RegisterRuleError, match=message):
        normalize_uscc(code)


def test_the_refusal_names_the_expected_check_character() -> None:
    wrong = BODY + ("0" if uscc_check_char(BODY) != "0" else "1")
    with pytest.raises(RegisterRuleError, match=f"应为“{uscc_check_char(BODY)}”"):
        normalize_uscc(wrong)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"),
     ("0086 19912345678", "19912345678")],
)  # fmt: skip
def test_mobile_numbers_are_stored_as_eleven_digits(raw: str, stored: str) -> None:
    assert mobile(raw) == stored


@pytest.mark.parametrize(
    "raw", ["12812345678", "1381234567", "138123456789", "0512-58681234", "1381234567a", ""]
)
def test_anything_but_a_mainland_mobile_is_refused(raw: str) -> None:
    with pytest.raises(RegisterRuleError, match="手机号"):
        mobile(raw)


def test_contact_phones_accept_landlines_and_refuse_nonsense() -> None:
    assert contact_phone("0512 58681234") == "0512-58681234"
    assert contact_phone("  ") is None
    with pytest.raises(RegisterRuleError, match="联系电话无效"):
        contact_phone("12345")


def test_a_licence_cannot_end_before_it_starts() -> None:
    check_licence_dates(date(2025, 1, 1), date(2025, 1, 1))
    check_licence_dates(None, date(2020, 1, 1))
    with pytest.raises(RegisterRuleError, match="不能早于"):
        check_licence_dates(date(2025, 1, 2), date(2025, 1, 1))

"""Validation of Chinese identifiers that appear in township registers.

* 统一社会信用代码 (unified social credit code, GB 32100-2015) for enterprises and
  organisations;
* mainland mobile numbers and landlines for contact fields.

Validators return bools so they can be used in filters; ``normalize_phone`` raises with
a Chinese message because its error text goes straight back to the form that sent it.
"""

from __future__ import annotations

import re

# GB 32100-2015 code alphabet: digits plus capitals without I, O, Z, S, V (too easily
# confused with 1, 0, 2, 5, U). A character's value is its index here.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_MODULUS = len(USCC_ALPHABET)  # 31
_USCC_WEIGHTS = tuple(pow(3, i, _USCC_MODULUS) for i in range(17))
_USCC_VALUES = {char: value for value, char in enumerate(USCC_ALPHABET)}
# Positions 3-8 are the registering authority's administrative division code (digits).
_USCC_DIVISION = slice(2, 8)

# Mainland mobile: 11 digits, 1 then 3-9 (no live numbers start 10/11/12).
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_MOBILE_COUNTRY_PREFIXES = ("+86", "0086", "86")
# Area codes are 010, 02x or 0 + three digits starting 3-9, so the code length is
# unambiguous even without a separator. Local numbers are 7-8 digits; a leading 0 there
# would mean a doubled area code, so it is rejected.
_LANDLINE_RE = re.compile(
    r"(?P<area>0(?:10|2[0-9]|[3-9][0-9]{2}))-?(?P<local>[1-9][0-9]{6,7})"
    r"(?:(?:-|转|分机|ext\.?|x|#)(?P<ext>[0-9]{1,6}))?",
    re.IGNORECASE,
)
# Separators people type inside numbers; stripped before matching.
_PHONE_NOISE_RE = re.compile(r"[\s()（）]")


# ------------------------------------------------------------------------------- USCC


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a code.

    Weight i is 3**i mod 31; the check value is (31 - sum mod 31) mod 31.
    """
    if len(first17) != 17 or any(char not in _USCC_VALUES for char in first17):
        raise ValueError(f"USCC body must be 17 characters from {USCC_ALPHABET!r}: {first17!r}")
    total = sum(_USCC_VALUES[char] * w for char, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(-total) % _USCC_MODULUS]


def is_valid_uscc(code: str) -> bool:
    """True for a well-formed 18-character code whose check character matches.

    Strict on purpose (upper case, no spaces): callers normalise user input themselves
    so that what is stored is exactly what was validated.
    """
    if not isinstance(code, str) or len(code) != 18:
        return False
    if any(char not in _USCC_VALUES for char in code):
        return False
    if not code[_USCC_DIVISION].isdigit():
        return False
    return uscc_check_char(code[:17]) == code[17]


# ------------------------------------------------------------------------------ phones


def _strip_phone(phone: str) -> str:
    return _PHONE_NOISE_RE.sub("", phone)


def _normalize_mobile(phone: str) -> str | None:
    digits = _strip_phone(phone).replace("-", "")
    for prefix in _MOBILE_COUNTRY_PREFIXES:
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if _MOBILE_RE.fullmatch(digits) else None


def _normalize_landline(phone: str) -> str | None:
    match = _LANDLINE_RE.fullmatch(_strip_phone(phone))
    if match is None:
        return None
    number = f"{match['area']}-{match['local']}"
    return f"{number}-{match['ext']}" if match["ext"] else number


def is_valid_mobile(phone: str) -> bool:
    """Mainland mobile number; tolerates +86/0086/86, spaces and hyphens."""
    return isinstance(phone, str) and _normalize_mobile(phone) is not None


def is_valid_phone(phone: str) -> bool:
    """A mobile number or a landline with area code (optionally an extension)."""
    if not isinstance(phone, str):
        return False
    return _normalize_mobile(phone) is not None or _normalize_landline(phone) is not None


def normalize_phone(phone: str) -> str:
    """Canonical form: ``13812345678`` or ``0755-12345678`` / ``0755-12345678-123``.

    Raises ValueError (Chinese message) for anything that is neither.
    """
    normalized = None
    if isinstance(phone, str):
        normalized = _normalize_mobile(phone) or _normalize_landline(phone)
    if normalized is None:
        raise ValueError(
            f"无效的电话号码 {phone!r}：应为 11 位手机号（如 13812345678）"
            "或带区号的固定电话（如 0755-12345678，可带分机号）"
        )
    return normalized


# ------------------------------------------------------------------ resident ID numbers

# GB 11643-1999 公民身份号码: 6-digit division code, 8-digit birth date, 3-digit serial,
# check character. Weight i is 2**(17-i) mod 11; the check value is (12 - sum mod 11)
# mod 11, written 0-9 or X for 10.
_RESIDENT_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_RESIDENT_ID_RE = re.compile(r"[1-9][0-9]{16}[0-9X]")


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a resident ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"resident ID body must be 17 digits: {first17!r}")
    total = sum(int(d) * w for d, w in zip(first17, _RESIDENT_ID_WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def _birth_date_valid(digits: str) -> bool:
    from datetime import date

    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return born.year >= 1800 and born <= date.today()


def is_valid_resident_id(number: str) -> bool:
    """True for an 18-character resident ID number with a real birth date and a matching
    check character. Strict (upper-case X, no spaces): see `normalize_resident_id`."""
    if not isinstance(number, str) or not _RESIDENT_ID_RE.fullmatch(number):
        return False
    if not _birth_date_valid(number[6:14]):
        return False
    return resident_id_check_char(number[:17]) == number[17]


def normalize_resident_id(number: str) -> str:
    """Canonical form (spaces removed, a lower-case x raised); ValueError (Chinese
    message) when the result is not a valid 18-character resident ID number."""
    normalized = re.sub(r"\s", "", number).upper() if isinstance(number, str) else ""
    if not is_valid_resident_id(normalized):
        raise ValueError("身份证号码无效：应为 18 位（最后一位可为 X），出生日期和校验位须正确")
    return normalized


def mask_resident_id(number: str | None) -> str | None:
    """What lists show: the division code and the last four characters, e.g.
    ``320582********1234``. Anything too short to keep part of is masked entirely."""
    if not number:
        return None
    if len(number) < 12:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]

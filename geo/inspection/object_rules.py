"""The checks a supervised object's fields must pass (DR-2), each refusal a 422 saying
what is wrong: the 统一社会信用代码 with its GB 32100 check character, mainland mobile
numbers of responsible persons, contact phones, licence validity dates."""

from __future__ import annotations

import re
from datetime import date

from geo.core.identifiers import USCC_ALPHABET, is_valid_uscc, normalize_phone, uscc_check_char
from geo.inspection.models import MOBILE_PATTERN, BusinessLicence, ResponsiblePerson
from geo.inspection.object_schemas import LicenceCreate, PersonCreate
from geo.inspection.register_errors import RegisterRuleError

__all__ = [
    "check_licence_dates",
    "contact_phone",
    "mobile",
    "new_licence",
    "new_person",
    "normalize_uscc",
    "text",
]

_MOBILE = re.compile(MOBILE_PATTERN)


def normalize_uscc(raw: str) -> str:
    """The code as stored (spaces dropped, upper case), or 422 saying what is wrong."""
    code = "".join(raw.split()).upper()
    if len(code) != 18:
        raise RegisterRuleError(f"统一社会信用代码应为 18 位，现为 {len(code)} 位")
    wrong = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if wrong:
        raise RegisterRuleError(
            f"统一社会信用代码含有不允许的字符：{'、'.join(wrong)}"
            "（只用数字和大写字母，不用 I、O、Z、S、V）"
        )
    if not code[2:8].isdigit():
        raise RegisterRuleError("统一社会信用代码第 3～8 位应为登记管理机关的行政区划代码（数字）")
    if not is_valid_uscc(code):
        raise RegisterRuleError(
            f"统一社会信用代码校验位不符：按 GB 32100 第 18 位应为“{uscc_check_char(code[:17])}”，"
            "请核对是否录入有误"
        )
    return code


def text(raw: str | None, what: str, *, required: bool = False) -> str | None:
    value = (raw or "").strip() or None
    if required and value is None:
        raise RegisterRuleError(f"{what}不能为空")
    return value


def contact_phone(raw: str | None) -> str | None:
    """A mobile number or a landline with area code, in canonical form; blank: none."""
    if raw is None or not raw.strip():
        return None
    try:
        return normalize_phone(raw)
    except ValueError:
        raise RegisterRuleError(
            "联系电话无效：应为 11 位手机号（如 13812345678）或带区号的固定电话（如 0512-58681234）"
        ) from None


def mobile(raw: str) -> str:
    """A responsible person's mainland mobile number as 11 digits (a +86 prefix, spaces
    and hyphens are accepted and dropped); anything else, landlines included, is 422."""
    digits = re.sub(r"[\s\-()（）]", "", raw)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if not _MOBILE.fullmatch(digits):
        raise RegisterRuleError(
            f"手机号“{raw.strip()}”无效：应为 11 位中国大陆手机号，以 13～19 开头（如 13812345678）"
        )
    return digits


def check_licence_dates(valid_from: date | None, valid_to: date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise RegisterRuleError(
            f"许可证有效期截止日（{valid_to.isoformat()}）不能早于起始日（{valid_from.isoformat()}）"
        )


def new_licence(data: LicenceCreate) -> BusinessLicence:
    check_licence_dates(data.valid_from, data.valid_to)
    return BusinessLicence(
        name=text(data.name, "许可证名称", required=True),
        number=text(data.number, "许可证编号", required=True),
        issuer=text(data.issuer, "发证机关"),
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        scope=text(data.scope, "许可范围"),
    )


def new_person(data: PersonCreate) -> ResponsiblePerson:
    return ResponsiblePerson(
        name=text(data.name, "责任人姓名", required=True),
        duty=text(data.duty, "职务"),
        mobile=mobile(data.mobile),
    )

"""Rules shared by the party-building registers: who may read and change them, the 422
they answer with, and the checks of a phone number and a position."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from geo.core import paging
from geo.core.errors import DomainError
from geo.core.geometry import checked_point
from geo.party.models import MOBILE_PATTERN

VIEW = "party.view"
MANAGE = "party.manage"
MAX_PAGE = 200
_MOBILE = re.compile(MOBILE_PATTERN)


class PartyRuleError(DomainError):
    """A party-building entry that breaks a rule (422)."""

    code = "PartyRuleBroken"
    status = 422


def check_phone(phone: str | None) -> str | None:
    """The phone as stored (None when blank); 422 unless a mainland mobile number."""
    phone = (phone or "").strip() or None
    if phone is not None and not _MOBILE.match(phone):
        raise PartyRuleError("手机号码格式不正确：应为 1 开头的 11 位大陆手机号码")
    return phone


def check_point(session: Session, lon: float, lat: float, *, what: str) -> None:
    """422 for a point outside the governed area or with longitude and latitude swapped."""
    checked_point(session, lon, lat, error=PartyRuleError, prefix=f"{what}无效")


def after_id(cursor: str | None) -> int | None:
    return paging.after_id(cursor, error=PartyRuleError)

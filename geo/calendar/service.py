"""Use cases of the working-day calendar (SYS-9): generate a year, edit a day, apply a
published holiday arrangement, load a `WorkingCalendar` for deadline arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from geo.audit.service import record
from geo.calendar import repository as repo
from geo.calendar.arithmetic import DEFAULT_PERIODS, SHANGHAI, WorkingCalendar
from geo.calendar.errors import CalendarError, CalendarNotLoaded
from geo.calendar.models import CalendarDay, DayKind
from geo.calendar.repository import Executor
from geo.core.actor import Actor
from geo.core.errors import Forbidden, NotFound

__all__ = [
    "Arrangement",
    "Holiday",
    "MakeupWorkday",
    "generate_year",
    "generate_year_as",
    "load_calendar",
    "load_holidays",
    "month_days",
    "set_day",
    "set_day_as",
]

_WEEKDAY_NAMES = "一二三四五六日"


@dataclass(frozen=True)
class Holiday:
    """A published holiday period, first and last day included (weekends inside too)."""

    name: str
    first: date
    last: date


@dataclass(frozen=True)
class MakeupWorkday:
    """A weekend day worked in exchange for a holiday (调休上班)."""

    day: date
    name: str  # e.g. 春节调休


@dataclass(frozen=True)
class Arrangement:
    """One year's published arrangement (国务院办公厅关于 X 年部分节假日安排的通知)."""

    year: int
    source: str
    holidays: tuple[Holiday, ...]
    makeup_workdays: tuple[MakeupWorkday, ...]


def _check_year(year: int) -> None:
    if not 1991 <= year <= 2200:  # China has had no daylight-saving time since 1991
        raise CalendarError(f"年份 {year} 超出支持范围（1991～2200）")


def generate_year(db: Executor, *, year: int) -> int:
    """Create every day of the year (idempotent; never overwrites an edited day).
    Returns the number of days created."""
    _check_year(year)
    return repo.insert_year(db, year=year)


def set_day(
    db: Executor,
    *,
    day: date,
    kind: str,
    name: str | None = None,
    actor_id: int | None = None,
    actor_name: str | None = None,
) -> CalendarDay:
    """Mark one day as a holiday, a make-up working day, or back to an ordinary day.
    A change is audited ('calendar.set_day'); setting what is already there is not."""
    try:
        day_kind = DayKind(kind)
    except ValueError:
        allowed = "、".join(k.value for k in DayKind)
        raise CalendarError(f"日期类型 {kind!r} 无效，应为 {allowed} 之一") from None
    name = (name or "").strip() or None
    weekend = day.weekday() >= 5
    weekday = f"{day}（周{_WEEKDAY_NAMES[day.weekday()]}）"
    if day_kind is DayKind.HOLIDAY and name is None:
        raise CalendarError(f"{weekday} 设为节假日时必须填写节日名称（如 春节、国庆节）")
    if day_kind is DayKind.MAKEUP_WORKDAY and not weekend:
        raise CalendarError(f"{weekday} 不是周末，不能设为调休上班日")
    if day_kind is DayKind.WEEKEND and not weekend:
        raise CalendarError(f"{weekday} 不是周六或周日，不能设为周末")
    if day_kind is DayKind.WORKDAY and weekend:
        raise CalendarError(f"{weekday} 是周末；周末上班请设为调休上班日并注明缘由")
    if day_kind in (DayKind.WORKDAY, DayKind.WEEKEND):
        name = None  # ordinary days carry no name
    before = repo.get_day(db, day=day)
    if before is None or not repo.update_day(db, day=day, kind=day_kind.value, name=name):
        raise CalendarNotLoaded(f"{day.year} 年的日历尚未生成，请先生成该年日历")
    row = repo.get_day(db, day=day)
    assert row is not None
    if (before.kind, before.name) != (row.kind, row.name):
        record(
            db,
            action="calendar.set_day",
            object_type="calendar_day",
            object_id=day.isoformat(),
            before={"kind": before.kind, "is_working": before.is_working, "name": before.name},
            after={"kind": row.kind, "is_working": row.is_working, "name": row.name},
            actor_id=actor_id,
            actor_name=actor_name,
        )
    return row


def load_holidays(db: Executor, *, year: int, arrangement: Arrangement) -> int:
    """Apply a published arrangement to its year (generating the year when needed).
    Re-applying the same arrangement changes nothing. Returns the number of days set."""
    if arrangement.year != year:
        raise CalendarError(f"放假安排属于 {arrangement.year} 年，不能用于 {year} 年")
    generate_year(db, year=year)
    days: list[tuple[date, DayKind, str]] = []
    for holiday in arrangement.holidays:
        if holiday.first > holiday.last:
            raise CalendarError(f"{holiday.name} 的放假开始日期晚于结束日期")
        for i in range((holiday.last - holiday.first).days + 1):
            days.append((holiday.first + timedelta(i), DayKind.HOLIDAY, holiday.name))
    days += [(m.day, DayKind.MAKEUP_WORKDAY, m.name) for m in arrangement.makeup_workdays]
    seen: set[date] = set()
    for day, _, name in days:
        if day.year != year:
            raise CalendarError(f"{name} 的日期 {day} 不在 {year} 年内")
        if day in seen:
            raise CalendarError(f"放假安排中 {day} 出现了两次")
        seen.add(day)
    for day, kind, name in days:
        set_day(db, day=day, kind=kind, name=name)
    return len(days)


def load_calendar(
    db: Executor,
    *,
    first: date,
    last: date,
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS,
    tz: ZoneInfo = SHANGHAI,
) -> WorkingCalendar:
    """The working days of [first, last] for deadline arithmetic; every day of the range
    must be generated (a missing year is an error, never assumed to be Mon–Fri)."""
    if first > last:
        raise CalendarError(f"日历范围无效：{first} 晚于 {last}")
    expected = (last - first).days + 1
    if repo.count_days(db, first=first, last=last) != expected:
        years = "、".join(str(y) for y in repo.missing_years(db, first=first, last=last))
        raise CalendarNotLoaded(f"{years} 年的工作日历尚未生成，无法计算期限")
    working = repo.working_days(db, first=first, last=last)
    return WorkingCalendar(first, last, frozenset(working), periods, tz)


# ---- the administration screen (SYS-9) ---------------------------------------------------
def month_days(db: Executor, *, year: int, month: int) -> list[CalendarDay]:
    """Every day of one month, in order; NotFound while its year is not generated."""
    _check_year(year)
    if not 1 <= month <= 12:
        raise CalendarError(f"月份 {month} 无效，应为 1～12")
    first = date(year, month, 1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    rows = db.execute(
        text("""SELECT day, kind, is_working, name, updated_at FROM calendar_day
                WHERE day BETWEEN :first AND :last ORDER BY day"""),
        {"first": first, "last": last},
    ).all()
    days = [CalendarDay(**row._mapping) for row in rows]
    if len(days) != last.day:
        raise NotFound(f"{year} 年的工作日历尚未生成，请先点击“初始化日期”生成该年日历")
    return days


def _check_calendar_editor(actor: Actor) -> None:
    # One calendar serves every town's deadlines: a town cannot change it for the others.
    if not actor.is_district_wide:
        raise Forbidden("工作日历全区共用，只能由区县级管理员初始化和调整")


def generate_year_as(db: Executor, *, actor: Actor, year: int) -> int:
    """Generate a year for the administration screen (audited 'calendar.generate' when
    days were created); returns the number of days created (0: already generated)."""
    _check_calendar_editor(actor)
    created = generate_year(db, year=year)
    if created:
        record(
            db,
            action="calendar.generate",
            object_type="calendar_year",
            object_id=year,
            after={"year": year, "days_created": created},
            detail=f"初始化 {year} 年工作日历（{created} 天）",
            **actor.audit_fields(),
        )
    return created


def set_day_as(
    db: Executor, *, actor: Actor, day: date, kind: str, name: str | None
) -> CalendarDay:
    """`set_day` by a signed-in administrator (district-wide only)."""
    _check_calendar_editor(actor)
    return set_day(db, day=day, kind=kind, name=name, actor_id=actor.user_id,
                   actor_name=actor.display_name)  # fmt: skip

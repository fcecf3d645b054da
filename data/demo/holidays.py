"""The official public-holiday arrangements (放假调休) the demo calendar is loaded with.

Sources (the State Council General Office's yearly notices, as published on www.gov.cn and
reprinted by Xinhua):
- 2025: 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）
- 2026: 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日发布）
Each holiday period is encoded exactly as announced, first and last day included (the
weekend days inside a period are holidays too); each "上班" day is a make-up working day.
Years without a notice here get ordinary Mon–Fri weeks only — nothing is guessed.
"""

from __future__ import annotations

from datetime import date

from geo.calendar.repository import Executor
from geo.calendar.service import (
    Arrangement,
    Holiday,
    MakeupWorkday,
    generate_year,
    load_holidays,
)

D = date

ARRANGEMENTS: dict[int, Arrangement] = {
    2025: Arrangement(
        year=2025,
        source="国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）",
        holidays=(
            Holiday("元旦", D(2025, 1, 1), D(2025, 1, 1)),  # 周三放假1天，不调休
            Holiday("春节", D(2025, 1, 28), D(2025, 2, 4)),  # 除夕至正月初七，共8天
            Holiday("清明节", D(2025, 4, 4), D(2025, 4, 6)),
            Holiday("劳动节", D(2025, 5, 1), D(2025, 5, 5)),
            Holiday("端午节", D(2025, 5, 31), D(2025, 6, 2)),
            Holiday("国庆节、中秋节", D(2025, 10, 1), D(2025, 10, 8)),  # 合并放假8天
        ),
        makeup_workdays=(
            MakeupWorkday(D(2025, 1, 26), "春节调休"),  # 周日
            MakeupWorkday(D(2025, 2, 8), "春节调休"),  # 周六
            MakeupWorkday(D(2025, 4, 27), "劳动节调休"),  # 周日
            MakeupWorkday(D(2025, 9, 28), "国庆节调休"),  # 周日
            MakeupWorkday(D(2025, 10, 11), "国庆节调休"),  # 周六
        ),
    ),
    2026: Arrangement(
        year=2026,
        source="国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）",
        holidays=(
            Holiday("元旦", D(2026, 1, 1), D(2026, 1, 3)),  # 周四至周六，共3天
            Holiday("春节", D(2026, 2, 15), D(2026, 2, 23)),  # 腊月二十八至正月初七，共9天
            Holiday("清明节", D(2026, 4, 4), D(2026, 4, 6)),  # 周六至周一
            Holiday("劳动节", D(2026, 5, 1), D(2026, 5, 5)),  # 周五至周二，共5天
            Holiday("端午节", D(2026, 6, 19), D(2026, 6, 21)),  # 周五至周日
            Holiday("中秋节", D(2026, 9, 25), D(2026, 9, 27)),  # 周五至周日
            Holiday("国庆节", D(2026, 10, 1), D(2026, 10, 7)),  # 周四至周三，共7天
        ),
        makeup_workdays=(
            MakeupWorkday(D(2026, 1, 4), "元旦调休"),  # 周日
            MakeupWorkday(D(2026, 2, 14), "春节调休"),  # 周六
            MakeupWorkday(D(2026, 2, 28), "春节调休"),  # 周六
            MakeupWorkday(D(2026, 5, 9), "劳动节调休"),  # 周六
            MakeupWorkday(D(2026, 9, 20), "国庆节调休"),  # 周日
            MakeupWorkday(D(2026, 10, 10), "国庆节调休"),  # 周六
        ),
    ),
}


def load_demo_calendar(session: Executor, year: int) -> int:
    """Generate one year and apply its official arrangement when we have it.
    Returns the number of days created."""
    created = generate_year(session, year=year)
    if year in ARRANGEMENTS:
        load_holidays(session, year=year, arrangement=ARRANGEMENTS[year])
    return created


def load_demo_calendars(session: Executor, *, anchor: date) -> int:
    """The years around the anchor (anchor.year − 1 … + 1) and every year with a known
    arrangement, so deadlines of the demo's year of history and the next year compute.
    Returns the number of days created."""
    years = set(range(anchor.year - 1, anchor.year + 2)) | set(ARRANGEMENTS)
    return sum(load_demo_calendar(session, year) for year in sorted(years))

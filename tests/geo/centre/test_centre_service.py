"""Service centres, halls and windows at the service level: scope, rules, query count."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import delete, event, text
from sqlalchemy.orm import Session

from geo.centre import service, windows
from geo.centre.schemas import CentreCreate, CentreUpdate, HallWrite, WindowCreate, WindowUpdate
from geo.core.actor import Actor
from geo.core.db import get_engine
from geo.core.errors import Conflict, NotFound
from geo.org.auth import authenticate, open_session
from geo.org.models import CentreLevel, ServiceCentre, ServiceWindow, SessionKind, UserAccount
from tests.conftest import scalar
from tests.geo.org.racing import actor_named, race


def _actor(db: Session, username: str) -> Actor:
    user = db.query(UserAccount).filter_by(username=username).one()
    signed_in = open_session(db, user=user, kind=SessionKind.BEARER)
    actor, _ = authenticate(db, token=signed_in.token)
    return actor


def _id(db: Session, sql: str, **params: object) -> int:
    return int(scalar(db, sql, **params))


@contextmanager
def _counting(db: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_level_rules_cover_every_centre_level() -> None:
    assert set(service.REGION_LEVEL_OF) == set(CentreLevel)


def test_listing_windows_costs_the_same_for_two_or_twelve(db: Session) -> None:
    admin = _actor(db, "admin")
    centre = _id(db, "SELECT id FROM service_centre WHERE name = '杨舍镇便民服务中心'")
    department = _id(db, "SELECT id FROM department WHERE name = '杨舍便民服务中心'")
    with _counting(db) as few:
        assert len(windows.list_windows(db, actor=admin, centre_id=centre)) == 2
    for n in range(10):
        windows.create_window(
            db, actor=admin, centre_id=centre,
            data=WindowCreate(name=f"窗口{n}", number=f"1{n}", department_id=department),
        )  # fmt: skip
    with _counting(db) as many:
        assert len(windows.list_windows(db, actor=admin, centre_id=centre)) == 12
    assert len(many) == len(few) <= 4


def test_a_town_admin_cannot_reach_another_towns_centre(db: Session) -> None:
    ys_admin = _actor(db, "ys_admin")
    tq_centre = _id(db, "SELECT id FROM service_centre WHERE name = '塘桥镇便民服务中心'")
    with pytest.raises(NotFound):
        service.create_hall(db, actor=ys_admin, centre_id=tq_centre, data=HallWrite(name="x"))
    assert [c.name for c in service.list_centres(db, actor=ys_admin)] == ["杨舍镇便民服务中心"]


def test_a_refused_write_leaves_the_session_usable(db: Session) -> None:
    admin = _actor(db, "admin")
    region = _id(db, "SELECT id FROM region WHERE code = '320582100000'")
    body = CentreCreate(name="杨舍镇便民服务中心", level=CentreLevel.TOWN, region_id=region)
    with pytest.raises(Conflict, match="已有名为"):
        service.create_centre(db, actor=admin, data=body)
    window = _id(db, "SELECT min(id) FROM service_window")
    # The same number raced in between the check and the write: the UNIQUE index answers.
    other = _id(
        db, "SELECT id FROM service_window WHERE centre_id = "
        "(SELECT centre_id FROM service_window WHERE id = :w) AND id <> :w", w=window,
    )  # fmt: skip
    taken = scalar(db, "SELECT number FROM service_window WHERE id = :o", o=other)
    with pytest.raises(Conflict, match="已被使用"):
        service._change(db, "窗口编号已被使用", db.get(ServiceWindow, window),
                        {"number": taken})  # fmt: skip
    renamed = windows.update_window(
        db, actor=admin, window_id=window, data=WindowUpdate(name="综合窗口")
    )
    assert renamed.name == "综合窗口" and renamed.number != taken
    assert db.execute(text("SELECT count(*) FROM service_centre")).scalar_one() == 3


# ---- a centre keeps its region while windows hang on it ----------------------------------
def test_a_centre_with_halls_or_windows_cannot_change_region(db: Session) -> None:
    admin = _actor(db, "admin")
    centre = _id(db, "SELECT id FROM service_centre WHERE name = '杨舍镇便民服务中心'")
    tq = _id(db, "SELECT id FROM region WHERE code = '320582101000'")
    with pytest.raises(Conflict, match="1 个大厅、2 个窗口，不能调整所属区划"):
        service.update_centre(db, actor=admin, centre_id=centre, data=CentreUpdate(region_id=tq))
    assert scalar(db, "SELECT r.code FROM service_centre c JOIN region r ON r.id = c.region_id "
                  "WHERE c.id = :c", c=centre) == "320582100000"  # fmt: skip
    # Other fields still change.
    renamed = service.update_centre(db, actor=admin, centre_id=centre, data=CentreUpdate(phone="1"))
    assert renamed.phone == "1"


# ---- sessions forget a window their user no longer staffs --------------------------------
def test_replacing_staff_clears_the_window_of_sessions_taken_off_it(db: Session) -> None:
    admin = _actor(db, "admin")
    clerk = db.query(UserAccount).filter_by(username="ys_clerk").one()
    handler = _id(db, "SELECT id FROM user_account WHERE username = 'ys_handler'")
    first, second = (
        _id(db, "SELECT w.id FROM service_window w JOIN service_centre c ON c.id = w.centre_id "
            "WHERE c.name = '杨舍镇便民服务中心' AND w.number = :n", n=n)
        for n in ("01", "02")
    )  # fmt: skip
    at_first = open_session(db, user=clerk, kind=SessionKind.BEARER, window_id=first)
    at_second = open_session(db, user=clerk, kind=SessionKind.BEARER, window_id=second)
    db.flush()
    windows.replace_window_staff(db, actor=admin, window_id=first, user_ids=[handler])

    def window_of(signed_in) -> object:  # noqa: ANN001
        return scalar(db, "SELECT window_id FROM auth_session WHERE id = :s",
                      s=signed_in.actor.session_id)  # fmt: skip

    assert window_of(at_first) is None
    assert window_of(at_second) == second  # still staffed there


# ---- concurrency: two people saving at once ----------------------------------------------
@pytest.fixture
def committed_window(demo_area: dict[str, int]) -> Iterator[tuple[int, int]]:
    """(centre, window) of a committed centre of 杨舍镇 with no staff; removed afterwards."""
    with Session(get_engine()) as s:
        region = _id(s, "SELECT id FROM region WHERE code = '320582100000'")
        department = _id(s, "SELECT id FROM department WHERE name = '杨舍便民服务中心'")
        centre = ServiceCentre(
            name=f"并发测试中心{uuid.uuid4().hex[:8]}", level="town", region_id=region
        )
        s.add(centre)
        s.flush()
        window = ServiceWindow(centre_id=centre.id, department_id=department, name="测试",
                               number="01")  # fmt: skip
        s.add(window)
        s.commit()
        ids = (centre.id, window.id)
    try:
        yield ids
    finally:
        with Session(get_engine()) as s:
            s.execute(delete(ServiceWindow).where(ServiceWindow.centre_id == ids[0]))
            s.execute(delete(ServiceCentre).where(ServiceCentre.id == ids[0]))
            s.commit()


def test_two_staff_lists_saved_at_once_are_applied_one_after_the_other(
    committed_window: tuple[int, int],
) -> None:
    _, window = committed_window
    admin, ys_admin = actor_named("admin"), actor_named("ys_admin")
    with Session(get_engine()) as s:
        clerk, handler, officer = (
            _id(s, "SELECT id FROM user_account WHERE username = :u", u=u)
            for u in ("ys_clerk", "ys_handler", "ys_officer")
        )
    first, second = sorted([clerk, handler]), sorted([handler, officer])

    def save_first(s: Session) -> None:
        windows.replace_window_staff(s, actor=admin, window_id=window, user_ids=first)

    def save_second(s: Session) -> object:
        return windows.replace_window_staff(s, actor=ys_admin, window_id=window, user_ids=second)

    outcome = race(save_first, save_second)
    assert not isinstance(outcome, Exception), outcome
    with Session(get_engine()) as s:
        staff = s.execute(text("SELECT user_id FROM window_staff WHERE window_id = :w "
                               "ORDER BY user_id"), {"w": window}).scalars().all()  # fmt: skip
        assert staff == second  # not a merge of the two lists
        audited = s.execute(
            text("SELECT actor_id, before, after FROM audit_log WHERE action = 'window.staff' "
                 "AND object_id = :w ORDER BY id"), {"w": str(window)},
        ).all()  # fmt: skip
    assert [(a.before, a.after) for a in audited] == [
        ({"user_ids": []}, {"user_ids": first}),
        ({"user_ids": first}, {"user_ids": second}),  # the second saw what the first saved
    ]


def test_a_window_created_while_its_centre_is_deleted_is_a_conflict(
    committed_window: tuple[int, int],
) -> None:
    centre, window = committed_window
    admin = actor_named("admin")
    with Session(get_engine()) as s:
        s.execute(delete(ServiceWindow).where(ServiceWindow.id == window))
        s.commit()
        department = _id(s, "SELECT id FROM department WHERE name = '杨舍便民服务中心'")

    def drop_centre(s: Session) -> None:
        service.delete_centre(s, actor=admin, centre_id=centre)

    def add_window(s: Session) -> object:
        body = WindowCreate(name="新窗口", number="09", department_id=department)
        return windows.create_window(s, actor=admin, centre_id=centre, data=body)

    outcome = race(drop_centre, add_window)
    assert isinstance(outcome, Conflict) and "已被他人删除" in outcome.detail, outcome
    with Session(get_engine()) as s:
        assert s.get(ServiceCentre, centre) is None

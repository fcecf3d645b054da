"""Service centres, halls and windows at the service level: scope, rules, query count."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from geo.centre import service, windows
from geo.centre.schemas import CentreCreate, HallWrite, WindowCreate, WindowUpdate
from geo.core.actor import Actor
from geo.core.errors import Conflict, NotFound
from geo.org.auth import authenticate, open_session
from geo.org.models import CentreLevel, ServiceWindow, SessionKind, UserAccount
from tests.conftest import scalar


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

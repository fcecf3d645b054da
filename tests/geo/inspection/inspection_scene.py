"""A small inspection scene for the task and list tests: a 杨舍镇 object in one of its
grids, a check list, and a task whose team is ys_officer (leading) and ys_squad."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.core.actor import Actor
from geo.inspection import tasks
from geo.inspection.models import InspectionAssignment
from geo.inspection.task_schemas import ResultLine, ResultsBody
from tests.factories import (
    InspectionCheckList,
    make_enterprise,
    make_inspection_check_list,
    make_inspection_task,
)

YS_TOWN, TQ_TOWN = "320582100000", "320582101000"
_serials = count(880000)


def user_id(db: Session, username: str) -> int:
    return int(
        db.execute(
            text("SELECT id FROM user_account WHERE username = :u"), {"u": username}
        ).scalar_one()
    )


def town_grid(db: Session, town_code: str) -> Any:
    """A grid of the town: id, its town's id, and a point inside it."""
    return db.execute(
        text("""SELECT g.id, t.id AS town_id, ST_X(ST_PointOnSurface(g.geom)) AS lon,
                       ST_Y(ST_PointOnSurface(g.geom)) AS lat
                FROM region g JOIN region t ON g.path <@ t.path
                WHERE t.code = :code AND g.level = 'grid' ORDER BY g.id LIMIT 1"""),
        {"code": town_code},
    ).one()


@dataclass
class Scene:
    db: Session
    check_list: InspectionCheckList
    town_id: int
    grid: Any
    officer: int  # ys_officer, leads
    squad: int  # ys_squad
    admin: int

    def object(self, risk_list: str = "white", weight: float = 1.0) -> int:
        serial = next(_serials)
        return make_enterprise(
            self.db, lon=self.grid.lon, lat=self.grid.lat, serial=serial,
            region_id=self.grid.id, risk_list=risk_list, draw_weight=weight,
            name=f"抽查测试企业{serial}",
        ).id  # fmt: skip

    def assignment(self, enterprise_id: int | None = None, **kwargs: Any) -> InspectionAssignment:
        _, [assignment] = make_inspection_task(
            self.db, item_category_id=self.check_list.category.id,
            enterprise_ids=[enterprise_id or self.object()], team=[self.officer, self.squad],
            created_by=self.admin, region_id=self.town_id, **kwargs,
        )  # fmt: skip
        return assignment

    def lines(
        self, score: Callable[[int], int] | None = None, passed: bool = True
    ) -> list[ResultLine]:
        """A result for every line: full marks unless `score(max)` says otherwise."""
        return [
            ResultLine(
                content_id=c.id, score=score(c.max_score) if score else c.max_score, passed=passed
            )
            for c in self.check_list.contents
        ]


def make_scene(db: Session, code: str = "T99") -> Scene:
    grid = town_grid(db, YS_TOWN)
    return Scene(
        db=db, check_list=make_inspection_check_list(db, code=code), town_id=grid.town_id,
        grid=grid, officer=user_id(db, "ys_officer"), squad=user_id(db, "ys_squad"),
        admin=user_id(db, "admin"),
    )  # fmt: skip


def submit_all(db: Session, actor: Actor, assignment_id: int, lines: list[ResultLine]) -> Any:
    """Confirm and submit with the given lines: the outcome."""
    tasks.confirm_assignment(db, actor=actor, assignment_id=assignment_id)
    return tasks.submit_results(
        db, actor=actor, assignment_id=assignment_id, body=ResultsBody(results=lines)
    )

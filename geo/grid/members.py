"""Reading grid assignments: the grids a member covers, the member answering for a grid."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.grid.models import GridMember


def member_grid_ids(session: Session, *, user_id: int) -> list[int]:
    """The grids a grid member covers, responsible or assisting."""
    return list(
        session.scalars(
            select(GridMember.grid_id).where(GridMember.user_id == user_id).order_by("grid_id")
        )
    )


def responsible_member_id(session: Session, *, grid_id: int) -> int | None:
    """The member who answers for the grid (None: nobody is assigned yet)."""
    return session.scalar(
        select(GridMember.user_id).where(
            GridMember.grid_id == grid_id, GridMember.is_responsible.is_(True)
        )
    )

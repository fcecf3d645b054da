"""The command screen's party-building layer group (党建引领, CMD-2): organisations at
their positions, the activities of the last 30 days, and the figures of the 党建引领 panel.
One statement per source, each filtered by the actor's region subtree."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.calendar.arithmetic import SHANGHAI
from geo.command.schemas import CountItem, FeatureCollection, point_feature
from geo.core.actor import Actor
from geo.core.scope import scope_params, scope_sql
from geo.party import repository as party_repo
from geo.party.models import PartyActivityKind

PERMISSION = "command.view"
RECENT_DAYS = 30
KIND_LABELS = {
    PartyActivityKind.THREE_MEETINGS: "三会一课",
    PartyActivityKind.THEME_DAY: "主题党日",
    PartyActivityKind.VOLUNTEER: "志愿服务",
    PartyActivityKind.STUDY: "党课学习",
    PartyActivityKind.OTHER: "其他",
}
ORG_KIND_LABELS = {"committee": "党委", "general_branch": "党总支", "branch": "党支部"}


class PartySummary(BaseModel):
    organisations: int = Field(description="党组织数")
    members: int = Field(description="党员总数")
    members_full: int = Field(description="正式党员")
    members_probationary: int = Field(description="预备党员")
    grid_members: int = Field(description="党员网格员（关联了网格员账号的党员）")
    activities_month: int = Field(description="本月党建活动（北京时间自然月）")
    by_kind: list[CountItem] = Field(description="本月活动按类型")


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(SHANGHAI)


def organisations(
    session: Session, *, actor: Actor, now: datetime | None = None
) -> FeatureCollection:
    """The organisations with a position (their site's or their own), with member counts
    by status and their activities of the last 30 days."""
    actor.require(PERMISSION)
    since = _now(now) - timedelta(days=RECENT_DAYS)
    rows = party_repo.organisation_rows(session, actor=actor, since=since)  # the register's read
    return FeatureCollection(
        features=[
            point_feature(
                r.id,
                r.lon,
                r.lat,
                name=r.name,
                kind=r.kind,
                kind_label=ORG_KIND_LABELS.get(r.kind, r.kind),
                secretary=r.secretary,
                site_name=r.site_name,
                members_full=r.members_full,
                members_probationary=r.members_probationary,
                activities_30d=r.activities_30d,
            )  # fmt: skip
            for r in rows
            if r.lon is not None
        ]
    )


def activities(session: Session, *, actor: Actor, now: datetime | None = None) -> FeatureCollection:
    """The activities held in the last 30 days at their positions."""
    actor.require(PERMISSION)
    sql = f"""
        SELECT a.id, a.title, a.kind, a.held_at, a.participants, o.name AS organisation,
               ST_X(a.geom) AS lon, ST_Y(a.geom) AS lat
        FROM party_activity a JOIN party_organisation o ON o.id = a.organisation_id
        WHERE a.held_at >= :since AND a.held_at <= :now AND {scope_sql(actor, "a.region_id")}
        ORDER BY a.held_at DESC, a.id DESC"""
    moment = _now(now)
    params = {"since": moment - timedelta(days=RECENT_DAYS), "now": moment, **scope_params(actor)}
    return FeatureCollection(
        features=[
            point_feature(
                r.id,
                r.lon,
                r.lat,
                title=r.title,
                kind=r.kind,
                kind_label=KIND_LABELS.get(PartyActivityKind(r.kind), r.kind),
                held_at=r.held_at.isoformat(),
                organisation=r.organisation,
                participants=r.participants,
            )  # fmt: skip
            for r in session.execute(text(sql), params)
        ]
    )


def summary(session: Session, *, actor: Actor, now: datetime | None = None) -> PartySummary:
    """The 党建引领 panel: counts of the scope, this month's activities by kind."""
    actor.require(PERMISSION)
    local = _now(now).astimezone(SHANGHAI)
    month = datetime.combine(local.date().replace(day=1), time(), SHANGHAI)
    scope = scope_params(actor)
    counts = session.execute(
        text(f"""
        SELECT (SELECT count(*) FROM party_organisation WHERE {scope_sql(actor, "region_id")})
                 AS organisations,
               count(*) AS members,
               count(*) FILTER (WHERE status = 'full') AS full_n,
               count(*) FILTER (WHERE status = 'probationary') AS prob_n,
               count(*) FILTER (WHERE user_id IS NOT NULL AND EXISTS (
                   SELECT 1 FROM grid_member g WHERE g.user_id = party_member.user_id))
                 AS grid_members
        FROM party_member WHERE {scope_sql(actor, "region_id")}"""),
        scope,
    ).one()
    rows = session.execute(
        text(f"""SELECT kind, count(*) AS n FROM party_activity
                 WHERE held_at >= :month AND {scope_sql(actor, "region_id")}
                 GROUP BY kind"""),
        {"month": month, **scope},
    )
    kinds: dict[str, int] = {r.kind: r.n for r in rows}
    by_kind = [
        CountItem(key=k.value, name=KIND_LABELS[k], count=kinds.get(k.value, 0))
        for k in PartyActivityKind
    ]
    return PartySummary(
        organisations=counts.organisations, members=counts.members, members_full=counts.full_n,
        members_probationary=counts.prob_n, grid_members=counts.grid_members,
        activities_month=sum(kinds.values()), by_kind=by_kind,
    )  # fmt: skip

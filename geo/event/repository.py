"""All SQL of events: the dictionaries, locating a grid, work-order rows with the names a
desk shows (one query, no N+1), the pool, the guarded status update and the history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    String,
    and_,
    cast,
    exists,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, aliased

from geo.core.actor import Actor
from geo.core.models import Ltree, stored_point
from geo.core.scope import readable
from geo.core.srid import STORAGE_SRID
from geo.event.models import (
    Event,
    EventAction,
    EventCategory,
    EventDuplicate,
    EventRoutingRule,
)
from geo.event.schemas import TimeState, WorkBox
from geo.event.time_sql import colour_condition
from geo.event.workflow import Status
from geo.grid.models import GridBoundary, GridMember
from geo.org.models import Department, Role, RolePermission, UserAccount, UserRole
from geo.region.models import Region
from geo.region.place import COMMUNITY as _community
from geo.region.place import GRID as _grid
from geo.region.place import TOWN as _town
from geo.region.place import with_place

Bbox = tuple[float, float, float, float]


def _first(result: Any) -> Row[Any] | None:
    """The first row of a result of named columns (typed loosely: rows are read by name)."""
    row: Row[Any] | None = result.first()
    return row


def category_names(session: Session) -> dict[str, str]:
    """Category code → Chinese name, parents before children."""
    rows = session.execute(
        select(EventCategory.code, EventCategory.name).order_by(EventCategory.sort_order)
    ).all()
    return {code: name for code, name in rows}


def get_category(session: Session, code: str) -> EventCategory | None:
    return session.get(EventCategory, code)


# ---- locating ----------------------------------------------------------------------------
def locate_grid(session: Session, *, lon: float, lat: float) -> Row[Any] | None:
    """The grid covering the point (boundary included): id, name, path and the id of its
    current outline version (boundary_id). A point on the edge of two grids goes to the
    lower id, so the answer never depends on the plan."""
    return _first(
        session.execute(
            select(Region.id, Region.name, Region.path, GridBoundary.id.label("boundary_id"))
            .outerjoin(
                GridBoundary,
                and_(GridBoundary.grid_id == Region.id, GridBoundary.valid_to.is_(None)),
            )
            .where(Region.level == "grid", func.ST_Covers(Region.geom, stored_point(lon, lat)))
            .order_by(Region.id)
            .limit(1)
        )
    )


def grid_place(session: Session, *, grid_id: int) -> Row[Any] | None:
    """A grid with its community, town and responsible member, in one query."""
    member = aliased(UserAccount, name="member")
    return _first(
        session.execute(
            select(
                _grid.id.label("grid_id"),
                _grid.name.label("grid_name"),
                _community.name.label("community_name"),
                _town.name.label("town_name"),
                member.id.label("responsible_user_id"),
                member.display_name.label("responsible_name"),
            )
            .outerjoin(_community, _community.id == _grid.parent_id)
            .outerjoin(_town, _town.id == _community.parent_id)
            .outerjoin(
                GridMember,
                and_(GridMember.grid_id == _grid.id, GridMember.is_responsible.is_(True)),
            )
            .outerjoin(member, member.id == GridMember.user_id)
            .where(_grid.id == grid_id)
        )
    )


def locate_district(session: Session, *, lon: float, lat: float) -> Row[Any] | None:
    """The district covering the point (id, name, path), or None outside it."""
    return _first(
        session.execute(
            select(Region.id, Region.name, Region.path).where(
                Region.level == "district", func.ST_Covers(Region.geom, stored_point(lon, lat))
            )
        )
    )


def category_rows(session: Session) -> list[Row[Any]]:
    """The category dictionary: code, name, parent_code, default_days, in display order."""
    result: Any = session.execute(
        select(
            EventCategory.code,
            EventCategory.name,
            EventCategory.parent_code,
            EventCategory.default_days,
        ).order_by(EventCategory.sort_order, EventCategory.code)
    )
    return list(result.all())


def region_path(session: Session, region_id: int) -> str | None:
    return session.scalar(select(Region.path).where(Region.id == region_id))


# ---- numbering and deadlines -------------------------------------------------------------
def next_event_number(session: Session, *, day: date) -> int:
    """The day's next serial; the row lock serialises concurrent reports of one day."""
    return int(
        session.execute(
            text("""INSERT INTO event_number (day, last) VALUES (:day, 1)
                    ON CONFLICT (day) DO UPDATE SET last = event_number.last + 1
                    RETURNING last"""),
            {"day": day},
        ).scalar_one()
    )


def nth_working_day_after(session: Session, *, day: date, n: int) -> date | None:
    """The n-th working day after `day` on the calendar (None: the calendar ends first)."""
    return session.execute(
        text("""SELECT day FROM calendar_day WHERE day > :day AND is_working
                ORDER BY day OFFSET :skip LIMIT 1"""),
        {"day": day, "skip": n - 1},
    ).scalar()


# ---- work-order rows ---------------------------------------------------------------------
_claimer = aliased(UserAccount, name="claimer")
_assignee = aliased(UserAccount, name="assignee")
_verifier = aliased(UserAccount, name="verifier")
_department = aliased(Department, name="assignee_department")
_boundary = aliased(GridBoundary, name="report_boundary")
_responsible = aliased(UserAccount, name="responsible_member")


def _event_select() -> Any:
    query = select(
        Event.id,
        Event.event_no,
        Event.title,
        Event.description,
        Event.category_code,
        EventCategory.name.label("category_name"),
        Event.status,
        Event.source,
        Event.severity,
        Event.urgency,
        Event.address,
        Event.reporter_name,
        Event.reported_at,
        Event.closed_at,
        Event.deadline,
        func.ST_X(Event.geom).label("lon"),
        func.ST_Y(Event.geom).label("lat"),
        Event.region_id.label("grid_id"),
        _grid.name.label("grid_name"),
        _grid.path.label("region_path"),
        _community.name.label("community_name"),
        _town.name.label("town_name"),
        Event.claimed_by_id,
        _claimer.display_name.label("claimed_by_name"),
        Event.assignee_user_id,
        _assignee.display_name.label("assignee_user_name"),
        Event.assignee_department_id,
        _department.name.label("assignee_department_name"),
        Event.verifier_id,
        _verifier.display_name.label("verifier_name"),
        _town.id.label("town_id"),
        Event.merged_into_id,
        _boundary.version.label("grid_version"),
        Event.responsible_member_id,
        _responsible.display_name.label("responsible_member_name"),
        _open_duplicate().label("suspected_duplicate"),
    ).join(EventCategory, EventCategory.code == Event.category_code)  # fmt: skip
    return (
        with_place(query, Event.region_id)
        .outerjoin(_claimer, _claimer.id == Event.claimed_by_id)
        .outerjoin(_assignee, _assignee.id == Event.assignee_user_id)
        .outerjoin(_verifier, _verifier.id == Event.verifier_id)
        .outerjoin(_department, _department.id == Event.assignee_department_id)
        .outerjoin(_boundary, _boundary.id == Event.grid_boundary_id)
        .outerjoin(_responsible, _responsible.id == Event.responsible_member_id)
    )


def _open_duplicate() -> Any:
    """Whether the work order has a suspected duplicate still open (the list's flag)."""
    candidate = aliased(Event, name="candidate")
    return exists().where(
        EventDuplicate.event_id == Event.id,
        candidate.id == EventDuplicate.candidate_id,
        candidate.status.not_in(_CLOSED_STATUSES),
    )


def event_row(session: Session, *, actor: Actor, event_id: int) -> Row[Any] | None:
    """One work order inside the actor's scope (None: unknown or out of scope)."""
    return _first(
        session.execute(
            _event_select().where(Event.id == event_id, readable(actor, Event.region_id))
        )
    )


def keyword_condition(keyword: str) -> ColumnElement[bool]:
    """The keyword in the number, title or address (trigram indexes; typed wildcards are
    literal): the desks' and the general query's search."""
    return or_(
        Event.event_no.icontains(keyword, autoescape=True),
        Event.title.icontains(keyword, autoescape=True),
        Event.address.icontains(keyword, autoescape=True),
    )


def event_rows_by_id(session: Session, *, actor: Actor, ids: list[int]) -> list[Row[Any]]:
    """The given work orders inside the actor's scope, in the order of `ids` (one query)."""
    if not ids:
        return []
    query = _event_select().where(Event.id.in_(ids), readable(actor, Event.region_id))
    found = {row.id: row for row in session.execute(query).all()}
    return [found[i] for i in ids if i in found]


def event_rows(
    session: Session,
    *,
    actor: Actor,
    statuses: list[str] | None = None,
    category: str | None = None,
    under_path: str | None = None,
    mine: bool = False,
    bbox: Bbox | None = None,
    box: WorkBox | None = None,
    keyword: str | None = None,
    colour: TimeState | None = None,
    dispatched_by: int | None = None,
    after_id: int | None = None,
    limit: int,
) -> list[Row[Any]]:
    """Work orders of the scope, newest first, keyset-paged on id."""
    query = _event_select().where(readable(actor, Event.region_id))
    if box is not None:
        query = query.where(in_box(actor, box))
    if keyword:
        query = query.where(keyword_condition(keyword))
    if colour is not None:
        query = query.where(colour_condition(colour, now=datetime.now(UTC)))
    if dispatched_by is not None:
        query = query.where(Event.id.in_(dispatched_ids(dispatched_by)))
    if statuses:
        query = query.where(Event.status.in_(statuses))
    if category:
        query = query.where(Event.category_code.startswith(category, autoescape=True))
    if under_path is not None:
        query = query.where(_grid.path.op("<@")(cast(literal(under_path, String), Ltree)))
    if mine:
        query = query.where(waiting_on(actor))
    if bbox is not None:
        envelope = func.ST_MakeEnvelope(*bbox, STORAGE_SRID)
        query = query.where(func.ST_Intersects(Event.geom, envelope))
    if after_id is not None:
        query = query.where(Event.id < after_id)
    return list(session.execute(query.order_by(Event.id.desc()).limit(limit)).all())


def waiting_on(actor: Actor) -> ColumnElement[bool]:
    """Open work orders the actor holds: claimed by them, dispatched to them or their
    department, waiting for their verification, or (the district centre) returned."""
    mine = [
        and_(Event.claimed_by_id == actor.user_id, Event.status.in_(_CLAIMER_STATUSES)),
        and_(Event.assignee_user_id == actor.user_id, Event.status.in_(_ASSIGNEE_STATUSES)),
        and_(Event.verifier_id == actor.user_id, Event.status == Status.VERIFYING.value),
    ]
    if actor.is_district_wide and actor.can("event.dispatch"):
        mine.append(Event.status == Status.RETURNED.value)  # towns sent them up to the centre
    if actor.department_id is not None:
        mine.append(
            and_(
                Event.assignee_department_id == actor.department_id,
                Event.status.in_(_ASSIGNEE_STATUSES),
            )
        )
    return or_(*mine)


def dispatched_ids(user_id: int) -> Any:
    """The work orders the user dispatched (派遣), from the history; served by the partial
    index ix_event_action_dispatcher. A dispatch only leaves accepted or returned, so each
    of them is now with a receiver, at the closing desk, or closed."""
    return select(EventAction.event_id).where(
        EventAction.action == DISPATCH, EventAction.actor_id == user_id
    )


DISPATCH = "dispatch"
_CLAIMER_STATUSES = (Status.CLAIMED.value, Status.ACCEPTED.value)
_ASSIGNEE_STATUSES = (Status.DISPATCHED.value, Status.HANDLING.value, Status.REWORK.value)


def in_box(actor: Actor, box: WorkBox) -> ColumnElement[bool]:
    """The work orders of one tab of the desks (GM-8) for the actor."""
    if box is WorkBox.TODO:
        return _assigned_to(actor)
    if box is WorkBox.VERIFYING:
        return and_(Event.verifier_id == actor.user_id, Event.status == Status.VERIFYING.value)
    if box is WorkBox.REPORTED:
        return Event.reporter_id == actor.user_id
    return and_(_acted_on(actor), not_(waiting_on(actor)))


def _assigned_to(actor: Actor) -> ColumnElement[bool]:
    """Dispatched to the actor or their department and not fed back yet."""
    holders = [Event.assignee_user_id == actor.user_id]
    if actor.department_id is not None:
        holders.append(Event.assignee_department_id == actor.department_id)
    return and_(Event.status.in_(_ASSIGNEE_STATUSES), or_(*holders))


def _acted_on(actor: Actor) -> ColumnElement[bool]:
    """The history has a step by the actor, or by a member of their department (the
    report itself is not handling: a reporter's own reports have their tab)."""
    actors: ColumnElement[bool] = EventAction.actor_id == actor.user_id
    if actor.department_id is not None:
        colleagues = select(UserAccount.id).where(UserAccount.department_id == actor.department_id)
        actors = or_(actors, EventAction.actor_id.in_(colleagues))
    return exists().where(EventAction.event_id == Event.id, EventAction.action != "report", actors)


# ---- the pool ----------------------------------------------------------------------------
def _pool(actor: Actor) -> ColumnElement[bool]:
    return and_(Event.status == Status.REPORTED.value, readable(actor, Event.region_id))


def claimable_ids(session: Session, *, actor: Actor, limit: int) -> list[int]:
    """Lock up to `limit` pool work orders, most urgent and oldest first, skipping those
    another dispatcher is claiming right now: two dispatchers never get the same one."""
    return list(
        session.scalars(
            select(Event.id)
            .where(_pool(actor))
            .order_by(Event.urgency.desc(), Event.reported_at, Event.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Event)
        )
    )


def pool_count(session: Session, *, actor: Actor) -> int:
    return int(session.scalar(select(func.count()).where(_pool(actor))) or 0)


# ---- writing -----------------------------------------------------------------------------
def update_status(
    session: Session, *, event_id: int, source: str, target: str, changes: dict[str, Any]
) -> bool:
    """The guarded write: succeeds only while the work order is still in `source`."""
    result = session.execute(
        update(Event)
        .where(Event.id == event_id, Event.status == source)
        .values(status=target, updated_at=func.now(), **changes)
        .returning(Event.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


def current_status(session: Session, *, event_id: int) -> str | None:
    return session.scalar(select(Event.status).where(Event.id == event_id))


def insert_action(session: Session, **values: Any) -> int:
    query = insert(EventAction).values(**values).returning(EventAction.id)
    return int(session.execute(query).scalar_one())


def history_rows(session: Session, *, event_id: int) -> list[Row[Any]]:
    target_user = aliased(UserAccount, name="target_user")
    target_department = aliased(Department, name="target_department")
    result: Any = session.execute(
        select(
            EventAction.id,
            EventAction.action,
            EventAction.from_status,
            EventAction.to_status,
            EventAction.actor_id,
            EventAction.actor_name,
            EventAction.at,
            EventAction.opinion,
            EventAction.target_user_id,
            target_user.display_name.label("target_user_name"),
            EventAction.target_department_id,
            target_department.name.label("target_department_name"),
        )  # fmt: skip
        .outerjoin(target_user, target_user.id == EventAction.target_user_id)
        .outerjoin(target_department, target_department.id == EventAction.target_department_id)
        .where(EventAction.event_id == event_id)
        .order_by(EventAction.id)
    )
    return list(result.all())


# ---- targets of a dispatch or a verification task ----------------------------------------
def _grants(permission: str) -> ColumnElement[bool]:
    """Whether one of the user's roles grants `permission` (a superuser role grants all)."""
    return exists().where(
        UserRole.user_id == UserAccount.id,
        or_(
            UserRole.role_code.in_(
                select(RolePermission.role_code).where(RolePermission.permission == permission)
            ),
            UserRole.role_code.in_(select(Role.code).where(Role.is_superuser)),
        ),
    )


def user_target(session: Session, *, user_id: int, permission: str) -> Row[Any] | None:
    """id, display_name, is_active, region path, and whether a role grants `permission`."""
    grants = _grants(permission)
    return _first(
        session.execute(
            select(
                UserAccount.id,
                UserAccount.display_name,
                UserAccount.is_active,
                Region.path.label("region_path"),
                grants.label("can"),
            )
            .join(Region, Region.id == UserAccount.region_id)
            .where(UserAccount.id == user_id)
        )
    )


def _covering(path_column: Any, grid_path: str, actor: Actor) -> ColumnElement[bool]:
    """The region at `path_column` contains the grid and lies in the actor's subtree
    (the same rule `geo.event.service` checks on a dispatch)."""
    covers = path_column.op("@>")(cast(literal(grid_path, String), Ltree))
    if actor.is_district_wide:
        return covers  # type: ignore[no-any-return]
    inside = path_column.op("<@")(cast(literal(actor.region_path, String), Ltree))
    return and_(covers, inside)


TARGET_LIMIT = 200


def target_users(
    session: Session, *, actor: Actor, grid_id: int, grid_path: str, permission: str
) -> list[Row[Any]]:
    """Active users who may take the work order of the grid: the grid's members first
    (the responsible one before the assisting), then the others by name."""
    member = aliased(GridMember, name="member")
    result: Any = session.execute(
        select(
            UserAccount.id,
            UserAccount.display_name,
            UserAccount.username,
            Region.name.label("region_name"),
            Department.name.label("department_name"),
            member.is_responsible,
        )
        .join(Region, Region.id == UserAccount.region_id)
        .outerjoin(Department, Department.id == UserAccount.department_id)
        .outerjoin(member, and_(member.grid_id == grid_id, member.user_id == UserAccount.id))
        .where(
            UserAccount.is_active.is_(True),
            _covering(Region.path, grid_path, actor),
            _grants(permission),
        )
        .order_by(
            member.is_responsible.desc().nulls_last(),
            func.nlevel(Region.path).desc(),
            UserAccount.display_name,
            UserAccount.id,
        )
        .limit(TARGET_LIMIT)
    )
    return list(result.all())


def target_departments(session: Session, *, actor: Actor, grid_path: str) -> list[Row[Any]]:
    """Departments whose region contains the grid, the nearest (town) ones first."""
    result: Any = session.execute(
        select(Department.id, Department.name, Region.name.label("region_name"))
        .join(Region, Region.id == Department.region_id)
        .where(_covering(Region.path, grid_path, actor))
        .order_by(func.nlevel(Region.path).desc(), Department.sort_order, Department.name)
        .limit(TARGET_LIMIT)
    )
    return list(result.all())


def department_target(session: Session, *, department_id: int) -> Row[Any] | None:
    return _first(
        session.execute(
            select(Department.id, Department.name, Region.path.label("region_path"))
            .join(Region, Region.id == Department.region_id)
            .where(Department.id == department_id)
        )
    )


# ---- suspected duplicates (GIS-5) --------------------------------------------------------
def _geography(geom: Any) -> Any:
    return func.geography(geom)


def nearby_open_events(
    session: Session,
    *,
    event_id: int,
    category_code: str,
    since: datetime,
    distance_m: float,
) -> list[Row[Any]]:
    """Open work orders of the category reported since `since` within `distance_m` metres
    of the event (ST_DWithin on geography, served by ix_event_geog): id, distance_m."""
    new = aliased(Event, name="new")
    distance = func.ST_Distance(_geography(Event.geom), _geography(new.geom))
    result: Any = session.execute(
        select(Event.id, distance.label("distance_m"))
        .join(new, new.id == event_id)
        .where(
            Event.id != event_id,
            Event.category_code == category_code,
            Event.status.not_in(_CLOSED_STATUSES),
            Event.reported_at >= since,
            func.ST_DWithin(_geography(Event.geom), _geography(new.geom), distance_m),
        )
        .order_by(distance, Event.id)
    )
    return list(result.all())


_CLOSED_STATUSES = tuple(s.value for s in Status if not s.is_open)


def insert_duplicates(session: Session, *, event_id: int, found: list[Row[Any]]) -> None:
    if found:
        session.execute(
            insert(EventDuplicate),
            [
                {"event_id": event_id, "candidate_id": r.id, "distance_m": r.distance_m}
                for r in found
            ],
        )


def duplicate_rows(session: Session, *, actor: Actor, event_id: int) -> list[Row[Any]]:
    """The suspected duplicates of a work order the actor may read, nearest first."""
    result: Any = session.execute(
        select(
            Event.id,
            Event.event_no,
            Event.title,
            Event.status,
            Event.reported_at,
            EventDuplicate.distance_m,
        )
        .join(EventDuplicate, EventDuplicate.candidate_id == Event.id)
        .where(EventDuplicate.event_id == event_id, readable(actor, Event.region_id))
        .order_by(EventDuplicate.distance_m, Event.id)
    )
    return list(result.all())


def merge_into(session: Session, *, event_id: int, source: str, kept_id: int) -> bool:
    """Cancel a duplicate pointing at the kept work order, guarded on its status."""
    return update_status(
        session, event_id=event_id, source=source, target=Status.CANCELLED.value,
        changes={
            "merged_into_id": kept_id,
            "closed_at": func.greatest(func.clock_timestamp(), Event.reported_at),
        },
    )  # fmt: skip


# ---- routing rules (GIS-5) ---------------------------------------------------------------
def suggested_department(
    session: Session, *, category_code: str, grid_path: str
) -> Row[Any] | None:
    """The department of the rule for the category (or its parent category) whose region
    contains the grid, the deepest region first, then the more specific category."""
    rule_region = aliased(Region, name="rule_region")
    parent = select(EventCategory.parent_code).where(EventCategory.code == category_code)
    return _first(
        session.execute(
            select(Department.id, Department.name, EventRoutingRule.id.label("rule_id"))
            .join(EventRoutingRule, EventRoutingRule.department_id == Department.id)
            .join(rule_region, rule_region.id == EventRoutingRule.region_id)
            .where(
                or_(
                    EventRoutingRule.category_code == category_code,
                    EventRoutingRule.category_code == parent.scalar_subquery(),
                ),
                rule_region.path.op("@>")(cast(literal(grid_path, String), Ltree)),
            )
            .order_by(
                func.nlevel(rule_region.path).desc(),
                func.length(EventRoutingRule.category_code).desc(),
            )
            .limit(1)
        )
    )


def _rule_select() -> Any:
    rule_region = aliased(Region, name="rule_region")
    return (
        select(
            EventRoutingRule.id,
            EventRoutingRule.category_code,
            EventCategory.name.label("category_name"),
            EventRoutingRule.region_id,
            rule_region.name.label("region_name"),
            rule_region.level.label("region_level"),
            rule_region.path.label("region_path"),
            EventRoutingRule.department_id,
            Department.name.label("department_name"),
            EventRoutingRule.updated_at,
        )
        .join(EventCategory, EventCategory.code == EventRoutingRule.category_code)
        .join(rule_region, rule_region.id == EventRoutingRule.region_id)
        .join(Department, Department.id == EventRoutingRule.department_id)
    )


def rule_rows(
    session: Session, *, actor: Actor, rule_id: int | None = None, category: str | None = None
) -> list[Row[Any]]:
    query = _rule_select().where(readable(actor, EventRoutingRule.region_id))
    if rule_id is not None:
        query = query.where(EventRoutingRule.id == rule_id)
    if category:
        query = query.where(EventRoutingRule.category_code.startswith(category, autoescape=True))
    query = query.order_by(EventRoutingRule.category_code, EventRoutingRule.id)
    return list(session.execute(query).all())


def region_row(session: Session, region_id: int) -> Row[Any] | None:
    return _first(
        session.execute(
            select(Region.id, Region.name, Region.level, Region.path).where(Region.id == region_id)
        )
    )


def event_region(session: Session, *, event_id: int) -> Row[Any]:
    """The region (id, path) a work order lies in."""
    row = _first(
        session.execute(
            select(Region.id, Region.path)
            .join(Event, Event.region_id == Region.id)
            .where(Event.id == event_id)
        )
    )
    assert row is not None  # the caller just created or found the work order
    return row


# Any constant distinct from the other advisory lock classes of the schema.
_REPORT_REF_LOCK_CLASS = 7301


def lock_report_ref(session: Session, *, user_id: int, client_ref: str) -> None:
    """Serialise the submissions of one report key: a replay racing the first submission
    waits for it to commit, then finds its work order."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(:cls, hashtext(CAST(:user_id AS text) || ':' || :ref))"),
        {"cls": _REPORT_REF_LOCK_CLASS, "user_id": user_id, "ref": client_ref},
    )


def event_by_ref(session: Session, *, reporter_id: int, client_ref: str) -> int | None:
    return session.scalar(
        select(Event.id).where(Event.reporter_id == reporter_id, Event.client_ref == client_ref)
    )

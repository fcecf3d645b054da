"""User accounts (SYS-2, SYS-10): validation, scope, anti-escalation, sessions, audit."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from geo.audit.models import AuditLog
from geo.core.db import get_engine
from geo.core.errors import Conflict, DomainError, Forbidden, NotFound
from geo.org import service
from geo.org.auth import open_session
from geo.org.errors import OrgRuleError
from geo.org.models import AuthSession, Role, SessionKind, UserAccount
from geo.org.passwords import PasswordRuleError, verify
from geo.org.schemas import RoleCreate, UserCreate, UserUpdate
from geo.region.models import Region
from tests.geo.org.racing import actor_named, race

ID_NUMBER = "320582199003071232"  # valid check digit (GB 11643)

TQ_TOWN = "320582101000"
YS_TOWN = "320582100000"


def _body(region_id: int, **kw) -> UserCreate:  # noqa: ANN003
    fields = {
        "username": "zhang.san",
        "display_name": "张三",
        "password": "Qiang2026!",
        "region_id": region_id,
        "roles": [],
    }
    return UserCreate(**{**fields, **kw})


def _audit(db: Session, action: str, user_id: int) -> list[AuditLog]:
    return list(
        db.scalars(
            select(AuditLog).filter_by(action=action, object_id=str(user_id)).order_by(AuditLog.id)
        )
    )


def test_create_user_normalises_and_audits_without_secrets(db: Session, actor_of, ids) -> None:
    admin = actor_of("admin")
    created = service.create_user(
        db,
        actor=admin,
        data=_body(
            ids(region=YS_TOWN),
            username=" Zhang.San ",
            phone="+86 138-1234-5678",
            id_number="320582 19900307 123 2",
            squad_id=ids(squad="杨舍第一中队"),
            roles=["officer"],
        ),
    )
    assert created.username == "zhang.san"
    assert created.phone == "13812345678"
    assert created.id_number_masked == "320582********1232"
    assert created.department_name == "杨舍综合行政执法局"  # brought by the squad
    assert created.squad_name == "杨舍第一中队" and created.roles == ["officer"]
    assert created.is_active and not created.locked and not created.has_certificate
    user = db.get(UserAccount, created.id)
    assert user.id_number == ID_NUMBER and verify(user.password_hash, "Qiang2026!")
    (row,) = _audit(db, "org.user_create", created.id)
    assert row.after["id_number"] == "320582********1232"
    assert "password_hash" not in row.after and ID_NUMBER not in str(row.after)
    assert row.region_path.endswith(YS_TOWN)


@pytest.mark.parametrize(
    "username, reason",
    [("ab", "3～32"), ("1abc", "字母开头"), ("zhang san", "只能包含"), ("张三丰", "字母开头")],
)
def test_username_rules_give_the_reason(db: Session, actor_of, ids, username, reason) -> None:
    with pytest.raises(OrgRuleError, match=reason):
        service.create_user(
            db, actor=actor_of("admin"), data=_body(ids(region=YS_TOWN), username=username)
        )


def test_duplicate_username_conflicts_whatever_the_case(db: Session, actor_of, ids) -> None:
    with pytest.raises(Conflict, match="ys_admin"):
        service.create_user(
            db, actor=actor_of("admin"), data=_body(ids(region=YS_TOWN), username="YS_Admin")
        )


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("phone", "0512-58680000", "手机号码"),  # a landline is not a mobile
        ("phone", "1381234567", "手机号码"),
        ("id_number", "320582199003071231", "身份证"),
        ("password", "short1", "8 位"),
        ("password", "zhang.san2026", "用户名"),
        ("password", "onlyletters", "字母和数字"),
    ],
)
def test_field_validation(db: Session, actor_of, ids, field, value, error) -> None:
    with pytest.raises((OrgRuleError, PasswordRuleError), match=error) as err:
        service.create_user(
            db, actor=actor_of("admin"), data=_body(ids(region=YS_TOWN), **{field: value})
        )
    assert err.value.status == 422


def test_placement_must_match_the_region(db: Session, actor_of, ids) -> None:
    admin, ys = actor_of("admin"), ids(region=YS_TOWN)
    with pytest.raises(OrgRuleError, match="部门"):
        service.create_user(
            db, actor=admin, data=_body(ys, department_id=ids(department="塘桥城管办"))
        )
    with pytest.raises(OrgRuleError, match="不属于所选部门"):
        service.create_user(
            db,
            actor=admin,
            data=_body(
                ys, department_id=ids(department="杨舍城管办"), squad_id=ids(squad="杨舍第一中队")
            ),
        )
    # a district department suits a town's user (an ancestor region)
    user = service.create_user(
        db, actor=admin, data=_body(ys, department_id=ids(department="区网格化综合指挥中心"))
    )
    assert user.department_name == "区网格化综合指挥中心"


def test_town_admin_cannot_create_outside_their_town(db: Session, actor_of, ids) -> None:
    ys_admin = actor_of("ys_admin")
    with pytest.raises(NotFound):
        service.create_user(db, actor=ys_admin, data=_body(ids(region=TQ_TOWN)))
    with pytest.raises(NotFound):  # nor place someone in another town's department
        service.create_user(
            db,
            actor=ys_admin,
            data=_body(ids(region=YS_TOWN), department_id=ids(department="区网格化综合指挥中心")),
        )


def test_escalation_refused(db: Session, actor_of, ids) -> None:
    """A town admin staffs the town with any business role but cannot hand out
    administrative power they lack, nor the superuser role."""
    ys_admin, ys = actor_of("ys_admin"), ids(region=YS_TOWN)
    service.create_role(
        db,
        actor=actor_of("admin"),
        data=RoleCreate(code="role_keeper", name="权限维护员", permissions=["system.role.manage"]),
    )
    for role, why in [("administrator", "系统管理员"), ("role_keeper", "system.role.manage")]:
        with pytest.raises(Forbidden, match=why):
            service.create_user(db, actor=ys_admin, data=_body(ys, roles=[role]))
    assert db.scalar(select(UserAccount.id).filter_by(username="zhang.san")) is None
    officer = ids(user="ys_officer")
    with pytest.raises(Forbidden, match="system.role.manage"):
        service.update_user(
            db,
            actor=ys_admin,
            user_id=officer,
            changes=UserUpdate(roles=["officer", "role_keeper"]),
        )
    assert service.get_user(db, actor=ys_admin, user_id=officer).roles == ["officer"]
    # business roles (and a role whose administrative permissions the admin holds) are fine
    made = service.create_user(
        db, actor=ys_admin, data=_body(ys, roles=["grid_member", "subcentre_dispatcher"])
    )
    assert made.roles == ["grid_member", "subcentre_dispatcher"]
    peer = service.create_user(
        db, actor=ys_admin, data=_body(ys, username="li.si", roles=["region_admin"])
    )
    assert peer.roles == ["region_admin"]


def test_unknown_role_is_a_rule_error(db: Session, actor_of, ids) -> None:
    with pytest.raises(OrgRuleError, match="no_such_role"):
        service.create_user(
            db, actor=actor_of("admin"), data=_body(ids(region=YS_TOWN), roles=["no_such_role"])
        )


def test_only_superusers_manage_superuser_accounts(db: Session, actor_of, ids) -> None:
    center = actor_of("center")  # district-wide, given user management for the test
    manager = dataclasses.replace(
        center, permissions=center.permissions | {"system.user.manage", "system.user.view"}
    )
    admin_id = ids(user="admin")
    assert service.get_user(db, actor=manager, user_id=admin_id).roles == ["administrator"]
    for call in (
        lambda: service.update_user(
            db, actor=manager, user_id=admin_id, changes=UserUpdate(is_active=False)
        ),
        lambda: service.reset_password(
            db, actor=manager, user_id=admin_id, new_password="Takeover2026"
        ),
        lambda: service.unlock_user(db, actor=manager, user_id=admin_id),
    ):
        with pytest.raises(Forbidden, match="系统管理员"):
            call()
    assert db.get(UserAccount, admin_id).is_active


def test_isolation_between_towns(db: Session, actor_of, ids) -> None:
    ys_admin = actor_of("ys_admin")
    page = service.list_users(db, actor=ys_admin, limit=200)
    names = {u.username for u in page.items}
    assert "ys_admin" in names and "ys_grid" in names  # the grid user is in 杨舍's subtree
    assert not any(n.startswith("tq_") for n in names) and "admin" not in names
    tq_officer = ids(user="tq_officer")
    with pytest.raises(NotFound):
        service.get_user(db, actor=ys_admin, user_id=tq_officer)
    with pytest.raises(NotFound):
        service.update_user(
            db, actor=ys_admin, user_id=tq_officer, changes=UserUpdate(display_name="改名")
        )
    with pytest.raises(NotFound):
        service.unlock_user(db, actor=ys_admin, user_id=tq_officer)
    with pytest.raises(NotFound):  # nor move one of their own people to 塘桥
        service.update_user(
            db,
            actor=ys_admin,
            user_id=ids(user="ys_handler"),
            changes=UserUpdate(region_id=ids(region=TQ_TOWN)),
        )


def test_keyset_pages_cover_every_user_once(db: Session, actor_of) -> None:
    admin = actor_of("admin")
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        page = service.list_users(db, actor=admin, cursor=cursor, limit=4)
        assert len(page.items) <= 4
        seen += [u.id for u in page.items]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    total = db.scalar(select(func.count()).select_from(UserAccount))
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == total
    assert pages == -(-total // 4)
    with pytest.raises(DomainError, match="游标"):
        service.list_users(db, actor=admin, cursor="abc")


def test_filters(db: Session, actor_of, ids) -> None:
    admin = actor_of("admin")

    def names(**kw) -> set[str]:  # noqa: ANN003
        return {u.username for u in service.list_users(db, actor=admin, limit=200, **kw).items}

    assert names(q="塘桥") == {u for u in names() if u.startswith("tq_")}
    assert names(q="_ADM") == {"ys_admin", "tq_admin"}
    assert names(q="%") == set()  # a wildcard is just a character
    phone = db.get(UserAccount, ids(user="tq_clerk")).phone
    assert names(q=phone[-6:]) == {"tq_clerk"}
    assert names(role="squad_leader") == {"ys_squad", "tq_squad"}
    assert names(department_id=ids(department="杨舍综合行政执法局")) == {
        "ys_officer",
        "ys_squad",
        "ys_legal",
        *(f"ys_zf{n:02d}" for n in range(1, 5)),
    }
    assert names(region_id=ids(region=YS_TOWN)) == {u for u in names() if u.startswith("ys_")}
    service.update_user(
        db, actor=admin, user_id=ids(user="ys_leader"), changes=UserUpdate(is_active=False)
    )
    assert names(active=False) == {"ys_leader"}
    assert "ys_leader" not in names(active=True)


def test_deactivation_revokes_sessions_and_is_audited(db: Session, actor_of, ids) -> None:
    officer_id = ids(user="ys_officer")
    user = db.get(UserAccount, officer_id)
    open_session(db, user=user, kind=SessionKind.BEARER)
    open_session(db, user=user, kind=SessionKind.BROWSER)
    detail = service.update_user(
        db, actor=actor_of("ys_admin"), user_id=officer_id, changes=UserUpdate(is_active=False)
    )
    assert not detail.is_active
    open_sessions = db.scalar(
        select(func.count())
        .select_from(AuthSession)
        .where(AuthSession.user_id == officer_id, AuthSession.revoked_at.is_(None))
    )
    assert open_sessions == 0
    (row,) = _audit(db, "org.user_update", officer_id)
    assert row.before["is_active"] is True and row.after["is_active"] is False


def test_cannot_deactivate_self_or_drop_own_administrator_role(db, actor_of, ids) -> None:
    admin = actor_of("admin")
    with pytest.raises(OrgRuleError, match="自己"):
        service.update_user(
            db, actor=admin, user_id=admin.user_id, changes=UserUpdate(is_active=False)
        )
    with pytest.raises(OrgRuleError, match="自己"):
        service.update_user(db, actor=admin, user_id=admin.user_id, changes=UserUpdate(roles=[]))
    assert service.get_user(db, actor=admin, user_id=admin.user_id).roles == ["administrator"]
    assert _audit(db, "org.user_update", admin.user_id) == []


def test_leaving_a_department_ends_the_squad_membership(db: Session, actor_of, ids) -> None:
    detail = service.update_user(
        db,
        actor=actor_of("ys_admin"),
        user_id=ids(user="ys_officer"),
        changes=UserUpdate(department_id=ids(department="杨舍城管办")),
    )
    assert detail.department_name == "杨舍城管办" and detail.squad_id is None


def test_moving_region_requires_a_fitting_department(db: Session, actor_of, ids) -> None:
    admin = actor_of("admin")
    with pytest.raises(OrgRuleError, match="重新选择"):
        service.update_user(
            db,
            actor=admin,
            user_id=ids(user="ys_handler"),
            changes=UserUpdate(region_id=ids(region=TQ_TOWN)),
        )
    moved = service.update_user(
        db,
        actor=admin,
        user_id=ids(user="ys_handler"),
        changes=UserUpdate(region_id=ids(region=TQ_TOWN), department_id=None),
    )
    assert moved.region_name == "塘桥镇" and moved.department_id is None


def test_unlock_clears_the_lockout(db: Session, actor_of, ids) -> None:
    user = db.get(UserAccount, ids(user="ys_clerk"))
    user.failed_logins, user.locked_until = 2, datetime.now(UTC) + timedelta(minutes=10)
    db.flush()
    assert service.get_user(db, actor=actor_of("ys_admin"), user_id=user.id).locked
    service.unlock_user(db, actor=actor_of("ys_admin"), user_id=user.id)
    db.refresh(user)
    assert user.failed_logins == 0 and user.locked_until is None
    (row,) = _audit(db, "org.user_unlock", user.id)
    assert row.before["failed_logins"] == 2 and row.after["locked_until"] is None


def test_password_reset(db: Session, actor_of, ids) -> None:
    ys_admin, admin = actor_of("ys_admin"), actor_of("admin")
    service.create_role(
        db,
        actor=admin,
        data=RoleCreate(code="role_keeper", name="权限维护员", permissions=["system.role.manage"]),
    )
    keeper = service.create_user(
        db, actor=admin, data=_body(ids(region=YS_TOWN), roles=["role_keeper"])
    )
    with pytest.raises(Forbidden, match="您没有的管理权限"):  # could then act with role.manage
        service.reset_password(db, actor=ys_admin, user_id=keeper.id, new_password="Reset2026x")
    dispatcher = ids(user="ys_dispatcher")  # business roles only: the town admin may reset
    service.reset_password(db, actor=ys_admin, user_id=dispatcher, new_password="Town2026x")
    user = db.get(UserAccount, dispatcher)
    signed_in = open_session(db, user=user, kind=SessionKind.BEARER)
    with pytest.raises(PasswordRuleError):
        service.reset_password(db, actor=actor_of("admin"), user_id=dispatcher, new_password="x")
    service.reset_password(
        db, actor=actor_of("admin"), user_id=dispatcher, new_password="Reset2026x"
    )
    db.refresh(user)
    assert verify(user.password_hash, "Reset2026x")
    session_row = db.get(AuthSession, signed_in.actor.session_id)
    db.refresh(session_row)
    assert session_row.revoked_at is not None
    assert len(_audit(db, "org.user_password_reset", dispatcher)) == 2


def test_a_form_sent_back_whole_is_not_judged_on_what_it_did_not_change(
    db: Session, actor_of, ids
) -> None:
    # An admin put a 杨舍 user in a district department (out of the town admin's sight)
    # and an old register left a landline in the phone field.
    user = db.get(UserAccount, ids(user="ys_handler"))
    user.department_id = ids(department="区网格化综合指挥中心")
    user.phone = "0512-58680000"
    db.flush()
    form = UserUpdate(
        display_name="杨舍城管办·李梅（新）",
        phone=user.phone,
        region_id=user.region_id,
        department_id=user.department_id,
        squad_id=None,
        roles=["department_handler"],  # a role the town admin could not grant, kept as is
        is_active=True,
    )
    saved = service.update_user(db, actor=actor_of("ys_admin"), user_id=user.id, changes=form)
    assert saved.display_name == "杨舍城管办·李梅（新）"
    assert saved.department_name == "区网格化综合指挥中心" and saved.phone == "0512-58680000"
    with pytest.raises(OrgRuleError, match="手机号码"):  # a changed phone is judged
        service.update_user(
            db,
            actor=actor_of("ys_admin"),
            user_id=user.id,
            changes=UserUpdate(phone="0512-58681111"),
        )


# ---- administrative accounts: changed only by someone holding all their power ------------
@pytest.fixture
def keeper(db: Session, actor_of, ids) -> int:
    """A 杨舍镇 account whose role administers roles (which the town's admin cannot)."""
    service.create_role(
        db,
        actor=actor_of("admin"),
        data=RoleCreate(code="role_keeper", name="权限维护员", permissions=["system.role.manage"]),
    )
    return service.create_user(
        db, actor=actor_of("admin"), data=_body(ids(region=YS_TOWN), roles=["role_keeper"])
    ).id


@pytest.mark.parametrize(
    "change",
    [
        lambda ids: {"display_name": "改名"},
        lambda ids: {"roles": []},
        lambda ids: {"is_active": False},
        lambda ids: {"region_id": ids(region="320582100001"), "department_id": None},
    ],
    ids=["rename", "strip roles", "deactivate", "move"],
)
def test_a_town_admin_cannot_change_an_account_with_more_power(
    db: Session, actor_of, ids, keeper, change
) -> None:
    with pytest.raises(Forbidden, match="其账号只能由上级管理员管理"):
        service.update_user(
            db, actor=actor_of("ys_admin"), user_id=keeper, changes=UserUpdate(**change(ids))
        )
    kept = service.get_user(db, actor=actor_of("admin"), user_id=keeper)
    assert kept.display_name == "张三" and kept.roles == ["role_keeper"] and kept.is_active


def test_a_town_admin_cannot_unlock_or_unkey_an_account_with_more_power(
    db: Session, actor_of, ids, keeper
) -> None:
    user = db.get(UserAccount, keeper)
    user.failed_logins, user.cert_fingerprint = 3, "ab" * 32
    db.flush()
    ys_admin = actor_of("ys_admin")
    with pytest.raises(Forbidden, match="权限维护员|维护角色"):
        service.unlock_user(db, actor=ys_admin, user_id=keeper)
    with pytest.raises(Forbidden):
        service.unbind_certificate(db, actor=ys_admin, user_id=keeper)
    db.refresh(user)
    assert user.failed_logins == 3 and user.cert_fingerprint == "ab" * 32
    service.unlock_user(db, actor=actor_of("admin"), user_id=keeper)  # the district may


def test_an_admin_still_edits_their_own_account(db: Session, actor_of, ids) -> None:
    ys_admin = actor_of("ys_admin")
    renamed = service.update_user(
        db, actor=ys_admin, user_id=ys_admin.user_id, changes=UserUpdate(display_name="杨管")
    )
    assert renamed.display_name == "杨管"


# ---- a move must not drag a squad or a window into another town --------------------------
def test_a_squad_leader_cannot_move_out_of_the_squads_region(db: Session, actor_of, ids) -> None:
    with pytest.raises(OrgRuleError, match="杨舍第一中队.*请先更换中队长"):
        service.update_user(
            db,
            actor=actor_of("admin"),
            user_id=ids(user="ys_squad"),
            changes=UserUpdate(region_id=ids(region=TQ_TOWN), department_id=None),
        )
    assert db.get(UserAccount, ids(user="ys_squad")).region_id == ids(region=YS_TOWN)


def test_a_window_clerk_cannot_move_out_of_the_centres_branch(db: Session, actor_of, ids) -> None:
    admin, clerk = actor_of("admin"), ids(user="ys_clerk")
    with pytest.raises(OrgRuleError, match="杨舍镇便民服务中心.*窗口 01.*请先调整窗口人员"):
        service.update_user(
            db,
            actor=admin,
            user_id=clerk,
            changes=UserUpdate(region_id=ids(region=TQ_TOWN), department_id=None),
        )
    # Within the town's branch the clerk may move (to one of its communities).
    moved = service.update_user(
        db, actor=admin, user_id=clerk, changes=UserUpdate(region_id=ids(region="320582100001"))
    )
    assert moved.region_name == "梁丰社区" and moved.window_ids


# ---- concurrency: the scope check and the row lock are one statement ---------------------
@pytest.fixture
def committed_user(demo_area: dict[str, int]) -> Iterator[int]:
    """A locked-out account of 杨舍镇 (committed), removed afterwards."""
    with Session(get_engine()) as s:
        town = s.scalars(select(Region.id).filter_by(code=YS_TOWN)).one()
        user = UserAccount(
            username=f"race_{uuid.uuid4().hex[:10]}", display_name="并发测试", region_id=town,
            password_hash="x", failed_logins=3,
        )  # fmt: skip
        s.add(user)
        s.commit()
        user_id = user.id
    try:
        yield user_id
    finally:
        with Session(get_engine()) as s:
            s.execute(delete(UserAccount).where(UserAccount.id == user_id))
            s.commit()


def test_an_account_moved_out_of_scope_meanwhile_is_not_changed(committed_user: int) -> None:
    admin, ys_admin = actor_named("admin"), actor_named("ys_admin")
    with Session(get_engine()) as s:
        tq = s.scalars(select(Region.id).filter_by(code=TQ_TOWN)).one()

    def move(s: Session) -> None:
        service.update_user(
            s, actor=admin, user_id=committed_user, changes=UserUpdate(region_id=tq)
        )

    def unlock(s: Session) -> None:
        service.unlock_user(s, actor=ys_admin, user_id=committed_user)

    outcome = race(move, unlock)
    assert isinstance(outcome, NotFound)
    with Session(get_engine()) as s:
        user = s.get_one(UserAccount, committed_user)
        assert (user.region_id, user.failed_logins) == (tq, 3)


def test_a_role_deleted_meanwhile_is_a_conflict_not_a_crash(demo_area: dict[str, int]) -> None:
    admin = actor_named("admin")
    code, username = f"race_{uuid.uuid4().hex[:10]}", f"race_{uuid.uuid4().hex[:10]}"
    with Session(get_engine()) as s:
        town = s.scalars(select(Region.id).filter_by(code=YS_TOWN)).one()
        s.add(Role(code=code, name=f"临时角色{code[-6:]}"))
        s.commit()

    def drop_role(s: Session) -> None:
        service.delete_role(s, actor=admin, code=code)

    def create(s: Session) -> None:
        body = _body(town, username=username, roles=[code])
        service.create_user(s, actor=admin, data=body)

    try:
        outcome = race(drop_role, create)
        assert isinstance(outcome, Conflict) and "角色已被删除" in outcome.detail
    finally:
        with Session(get_engine()) as s:
            s.execute(delete(UserAccount).where(UserAccount.username == username))
            s.execute(delete(Role).where(Role.code == code))
            s.commit()

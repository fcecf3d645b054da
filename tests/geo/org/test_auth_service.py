"""Sign-in rules in the service layer (SYS-1): failure counting, lockout, session expiry,
password change and window choice. Times are passed with `now=`; nothing waits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from threading import Barrier

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from data.demo.accounts import DEMO_PASSWORD
from geo.core.actor import Actor
from geo.core.db import get_engine
from geo.core.errors import DomainError, Unauthorized
from geo.core.settings import get_auth_settings
from geo.org import auth
from geo.org.models import AuthSession, SessionKind, UserAccount
from geo.org.passwords import PasswordRuleError, hash_password
from geo.parameter.service import get_parameter, set_parameter

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 17:00 in Shanghai


def _user(db: Session, username: str) -> UserAccount:
    return db.scalars(select(UserAccount).where(UserAccount.username == username)).one()


def _audit(db: Session, action: str, object_id: object) -> list[str | None]:
    return list(
        db.scalars(
            text("SELECT detail FROM audit_log WHERE action = :a AND object_id = :o ORDER BY id"),
            {"a": action, "o": str(object_id)},
        )
    )


def _sign_in(
    db: Session, username: str, password: str, *, now: datetime = T0, window_id: int | None = None
) -> auth.SignIn:
    return auth.sign_in(
        db, username=username, password=password, ip="10.0.0.7", now=now, window_id=window_id
    )


def _limit(db: Session, value: int) -> None:
    set_parameter(db, key="auth.max_failed_logins", value=value)
    set_parameter(db, key="auth.lock_minutes", value=10)


# ---- wrong password, unknown user, lockout ---------------------------------------------
def test_wrong_password_tells_attempts_left_and_is_audited(db: Session) -> None:
    _limit(db, 4)
    result = _sign_in(db, "ys_admin", "wrong-password1")
    user = _user(db, "ys_admin")
    assert result.failure == "用户名或密码错误，再错 3 次账号将被锁定"
    assert result.token is None and result.actor is None
    assert user.failed_logins == 1
    assert _audit(db, "auth.login_failed", user.id) == ["密码错误（连续第 1 次）"]
    assert db.scalar(select(AuthSession.id).where(AuthSession.user_id == user.id)) is None


@pytest.mark.parametrize("name", ["nobody", "no_such.user", "ad\x00min", "x" * 200, "管理员"])
def test_unknown_user_gets_the_same_answer_and_is_audited(db: Session, name: str) -> None:
    before = db.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'"))
    result = _sign_in(db, name, "whatever123")
    assert result.failure == "用户名或密码错误"
    rows = db.execute(
        text(
            "SELECT object_id, detail, actor_id FROM audit_log "
            "WHERE action = 'auth.login_failed' ORDER BY id DESC LIMIT 1"
        )
    ).one()
    after = db.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'auth.login_failed'"))
    assert after == before + 1
    assert rows.detail == "用户不存在" and rows.actor_id is None
    assert "\x00" not in rows.object_id and len(rows.object_id) <= 64


def test_lockout_after_the_parameter_number_of_failures(db: Session) -> None:
    _limit(db, 3)
    messages = [_sign_in(db, "ys_admin", f"wrong{i}xx").failure for i in range(3)]
    user = _user(db, "ys_admin")
    assert messages == [
        "用户名或密码错误，再错 2 次账号将被锁定",
        "用户名或密码错误，再错 1 次账号将被锁定",
        "用户名或密码错误，账号已锁定 10 分钟",
    ]
    assert user.locked_until == T0 + timedelta(minutes=10)
    assert _audit(db, "auth.locked", user.id) == ["连续 3 次密码错误，锁定 10 分钟"]

    # The right password is refused while locked (17:10 Shanghai time), and audited.
    refused = _sign_in(db, "ys_admin", DEMO_PASSWORD, now=T0 + timedelta(minutes=9))
    assert refused.failure == "账号因多次密码错误已锁定，请于 17:10 后再试，或联系管理员解锁"
    assert refused.token is None
    assert _audit(db, "auth.login_refused", user.id) == ["账号已锁定"]

    # After lock_minutes the right password works again and the count starts afresh.
    ok = _sign_in(db, "ys_admin", DEMO_PASSWORD, now=T0 + timedelta(minutes=10, seconds=1))
    assert ok.failure is None and ok.token
    assert (user.failed_logins, user.locked_until) == (0, None)
    assert _audit(db, "auth.login", user.id) == ["方式：browser"]


def test_success_resets_the_failure_count(db: Session) -> None:
    _limit(db, 5)
    _sign_in(db, "ys_admin", "wrong-one1")
    _sign_in(db, "ys_admin", "wrong-two2")
    assert _sign_in(db, "ys_admin", DEMO_PASSWORD).token
    assert _sign_in(db, "ys_admin", "wrong-3x").failure == "用户名或密码错误，再错 4 次账号将被锁定"


def test_disabled_account_is_refused(db: Session) -> None:
    user = _user(db, "tq_handler")
    user.is_active = False
    db.flush()
    result = _sign_in(db, "tq_handler", DEMO_PASSWORD)
    assert result.failure == "账号已停用，请联系管理员" and result.token is None
    assert _audit(db, "auth.login_refused", user.id) == ["账号已停用"]


def test_username_is_trimmed_and_case_insensitive(db: Session) -> None:
    assert _sign_in(db, "  YS_Admin ", DEMO_PASSWORD).actor is not None


# ---- concurrency: parallel wrong guesses are all counted -------------------------------
@pytest.fixture
def committed_user(demo_area: dict[str, int]) -> Iterator[str]:
    """A committed account (other connections must see it), removed afterwards."""
    name = f"race_{uuid.uuid4().hex[:10]}"
    with Session(get_engine()) as s:
        town = _user(s, "ys_admin").region_id
        s.add(
            UserAccount(
                username=name, display_name="并发测试", region_id=town,
                password_hash=hash_password("Right-pass-1"),
            )
        )  # fmt: skip
        s.commit()
    try:
        yield name
    finally:
        with Session(get_engine()) as s:
            s.execute(delete(UserAccount).where(UserAccount.username == name))
            s.commit()


def test_parallel_wrong_logins_are_all_counted(committed_user: str) -> None:
    with Session(get_engine()) as s:
        limit = get_parameter(s, key="auth.max_failed_logins")
    guesses = limit - 1
    start = Barrier(guesses)

    def guess(i: int) -> str | None:
        with Session(get_engine()) as s:
            start.wait()  # all in flight together, each waiting on the row lock
            result = auth.sign_in(s, username=committed_user, password=f"wrong-{i}-x", now=T0)
            s.commit()
            return result.failure

    with ThreadPoolExecutor(guesses) as pool:
        failures = list(pool.map(guess, range(guesses)))

    with Session(get_engine()) as s:
        user = _user(s, committed_user)
        assert user.failed_logins == guesses  # no lost update
        assert sorted(_audit(s, "auth.login_failed", user.id)) == sorted(
            f"密码错误（连续第 {n} 次）" for n in range(1, guesses + 1)
        )
        # Each guess saw its predecessor's count: the remaining tries are all different.
        assert sorted(failures) == sorted(  # type: ignore[type-var]
            f"用户名或密码错误，再错 {left} 次账号将被锁定" for left in range(1, limit)
        )
        # One more and the account locks, exactly once.
        last = auth.sign_in(s, username=committed_user, password="wrong-last-1", now=T0)
        s.commit()
        assert last.failure is not None and "账号已锁定" in last.failure
        assert len(_audit(s, "auth.locked", user.id)) == 1


# ---- sessions: idle timeout, sliding, absolute limit, revocation -----------------------
def _browser_token(db: Session, username: str = "ys_admin") -> str:
    result = auth.open_session(db, user=_user(db, username), kind=SessionKind.BROWSER, now=T0)
    assert result.token
    return result.token


def test_idle_browser_session_expires(db: Session) -> None:
    idle = get_parameter(db, key="auth.idle_timeout_minutes")
    token = _browser_token(db)
    actor, _ = auth.authenticate(db, token=token, now=T0 + timedelta(minutes=idle - 1))
    assert actor.username == "ys_admin"
    fresh = _browser_token(db)
    with pytest.raises(Unauthorized, match="登录已过期，请重新登录"):
        auth.authenticate(db, token=fresh, now=T0 + timedelta(minutes=idle, seconds=1))


def test_use_slides_the_idle_expiry_up_to_the_absolute_limit(db: Session) -> None:
    idle = get_parameter(db, key="auth.idle_timeout_minutes")
    hours = get_auth_settings().browser_session_hours
    token = _browser_token(db)
    step = timedelta(minutes=idle - 1)
    moment = T0
    # Used every (idle - 1) minutes: alive well past one idle period...
    while moment + step < T0 + timedelta(hours=hours):
        moment += step
        auth.authenticate(db, token=token, now=moment)
    row = db.scalars(select(AuthSession).where(AuthSession.token_hash == auth.token_digest(token)))
    db.refresh(session_row := row.one())
    assert session_row.expires_at == min(
        moment + timedelta(minutes=idle), T0 + timedelta(hours=hours)
    )
    # ...but never past the absolute lifetime.
    with pytest.raises(Unauthorized, match="登录已过期"):
        auth.authenticate(db, token=token, now=T0 + timedelta(hours=hours, seconds=1))


def test_bearer_token_lives_for_days_without_idle_timeout(db: Session) -> None:
    result = auth.open_session(db, user=_user(db, "ys_grid"), kind=SessionKind.BEARER, now=T0)
    assert result.token and result.expires_at
    days = get_auth_settings().bearer_token_days
    assert result.expires_at == T0 + timedelta(days=days)
    auth.authenticate(db, token=result.token, now=T0 + timedelta(days=days - 1))
    with pytest.raises(Unauthorized, match="登录已过期"):
        auth.authenticate(db, token=result.token, now=T0 + timedelta(days=days, seconds=1))


def test_revoked_and_unknown_tokens_are_refused(db: Session) -> None:
    token = _browser_token(db)
    actor, _ = auth.authenticate(db, token=token, now=T0)
    auth.sign_out(db, actor=actor, now=T0)
    with pytest.raises(Unauthorized, match="登录已过期"):
        auth.authenticate(db, token=token, now=T0)
    with pytest.raises(Unauthorized, match="登录凭证无效"):
        auth.authenticate(db, token=token + "x", now=T0)
    assert _audit(db, "auth.logout", actor.user_id)


def test_disabling_an_account_ends_its_sessions_at_once(db: Session) -> None:
    token = _browser_token(db, "tq_officer")
    _user(db, "tq_officer").is_active = False
    db.flush()
    with pytest.raises(Unauthorized, match="账号已停用"):
        auth.authenticate(db, token=token, now=T0)


# ---- password change -------------------------------------------------------------------
def _signed_in(db: Session, username: str) -> tuple[Actor, str]:
    token = _browser_token(db, username)
    actor, _ = auth.authenticate(db, token=token, now=T0)
    return actor, token


def test_password_change_keeps_own_session_and_ends_the_others(db: Session) -> None:
    actor, own = _signed_in(db, "ys_officer")
    _, other = _signed_in(db, "ys_officer")
    auth.change_password(
        db, actor=actor, old_password=DEMO_PASSWORD, new_password="Fresh-pass-77", now=T0
    )
    auth.authenticate(db, token=own, now=T0)
    with pytest.raises(Unauthorized, match="登录已过期"):
        auth.authenticate(db, token=other, now=T0)
    assert _sign_in(db, "ys_officer", DEMO_PASSWORD).failure is not None
    assert _sign_in(db, "ys_officer", "Fresh-pass-77").token
    assert len(_audit(db, "auth.password_change", _user(db, "ys_officer").id)) == 1


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short1", "密码至少 8 位"),
        ("lettersonly", "密码须同时包含字母和数字"),
        ("12345678", "密码须同时包含字母和数字"),
        ("my-ys_officer-1", "密码不能包含用户名"),
        (DEMO_PASSWORD, "新密码不能与原密码相同"),
    ],
)
def test_password_rules(db: Session, new: str, message: str) -> None:
    actor, _ = _signed_in(db, "ys_officer")
    before = _user(db, "ys_officer").password_hash
    with pytest.raises(PasswordRuleError, match=message):
        auth.change_password(db, actor=actor, old_password=DEMO_PASSWORD, new_password=new)
    assert _user(db, "ys_officer").password_hash == before


def test_wrong_old_password_counts_towards_the_lockout(db: Session) -> None:
    _limit(db, 3)
    actor, _ = _signed_in(db, "ys_officer")
    user = _user(db, "ys_officer")
    before = user.password_hash
    with pytest.raises(auth.WrongPassword, match="原密码不正确，再错 2 次账号将被锁定"):
        auth.change_password(db, actor=actor, old_password="nope-123", new_password="Abcdef-123")
    for _ in range(2):
        with pytest.raises(auth.WrongPassword):
            auth.change_password(
                db, actor=actor, old_password="nope-123", new_password="Abcdef-123", now=T0
            )
    assert user.locked_until == T0 + timedelta(minutes=10)
    # Locked: even the right old password is refused, so guessing stops here.
    with pytest.raises(DomainError, match="账号因多次密码错误已锁定"):
        auth.change_password(
            db, actor=actor, old_password=DEMO_PASSWORD, new_password="Abcdef-123", now=T0
        )
    assert user.password_hash == before
    assert len(_audit(db, "auth.locked", user.id)) == 1


# ---- window choice ---------------------------------------------------------------------
def _window_ids(db: Session, username: str) -> list[int]:
    return list(
        db.scalars(
            text(
                "SELECT ws.window_id FROM window_staff ws JOIN user_account u ON u.id = ws.user_id "
                "WHERE u.username = :u ORDER BY ws.window_id"
            ),
            {"u": username},
        )
    )


def test_clerk_with_two_windows_picks_one(db: Session) -> None:
    first, second = _window_ids(db, "ys_clerk")
    actor, token = _signed_in(db, "ys_clerk")
    assert actor.window_id is None
    auth.select_window(db, actor=actor, window_id=second)
    again, _ = auth.authenticate(db, token=token, now=T0)
    assert again.window_id == second
    assert _audit(db, "auth.select_window", again.user_id)


def test_window_of_another_town_is_refused(db: Session) -> None:
    actor, token = _signed_in(db, "ys_clerk")
    foreign = _window_ids(db, "tq_clerk")[0]
    with pytest.raises(DomainError, match="所选窗口不是您的工作窗口"):
        auth.select_window(db, actor=actor, window_id=foreign)
    assert auth.authenticate(db, token=token, now=T0)[0].window_id is None
    refused = _sign_in(db, "ys_clerk", DEMO_PASSWORD, window_id=foreign)
    assert refused.failure == "所选窗口不是您的工作窗口" and refused.token is None


def test_window_chosen_at_sign_in(db: Session) -> None:
    first, _ = _window_ids(db, "ys_clerk")
    result = _sign_in(db, "ys_clerk", DEMO_PASSWORD, window_id=first)
    assert result.actor is not None and result.actor.window_id == first

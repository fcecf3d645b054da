"""Settings, one class per concern, read from the environment.

`DATABASE_URL` selects an existing PostGIS; without it the project-local cluster that
`scripts/devdb.sh up` started is used (its URL is kept in `.pgdata/url`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOCAL_CLUSTER_STATE = PROJECT_ROOT / ".pgdata"


class DatabaseNotConfigured(RuntimeError):
    pass


def _local_url(name: str) -> str:
    path = LOCAL_CLUSTER_STATE / name
    if not path.exists():
        raise DatabaseNotConfigured(
            "没有可用的数据库：请先运行 `make db-up`（启动项目内的 PostgreSQL），"
            "或设置 DATABASE_URL 指向已有的 PostGIS 数据库。"
        )
    return path.read_text().strip()


def _normalise(url: str) -> str:
    # Accept plain postgresql:// URLs (what psql and most tools print) and use psycopg 3.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    pool_size: int = Field(default=10, alias="DB_POOL_SIZE")
    echo: bool = Field(default=False, alias="DB_ECHO")

    @property
    def url(self) -> str:
        return _normalise(self.database_url or _local_url("url"))


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", extra="ignore")

    mode: Literal["demo", "production"] = "demo"
    # Absolute base URL used in OGC links; empty = derive from the request.
    public_url: str = ""
    title: str = "乡镇综合指挥平台"
    max_page_size: int = 10_000
    default_page_size: int = 100


DEFAULT_SECRET_KEY = "township-demo-secret-key-change-me"


class AuthSettings(BaseSettings):
    """Sign-in (SYS-1). Production refuses to start with the default secret key."""

    model_config = SettingsConfigDict(env_prefix="APP_", extra="ignore")

    # Keys the hash of every session token: a stolen copy of the sessions table is useless.
    secret_key: str = DEFAULT_SECRET_KEY
    cookie_name: str = "township_session"
    # Secure cookies need HTTPS; an intranet served over plain HTTP sets this to false.
    cookie_secure: bool = False
    browser_session_hours: float = 12.0  # absolute lifetime of a browser session
    bearer_token_days: float = 30.0  # lifetime of a phone-app token
    # Reads (GET) may reuse a token's actor for this long instead of asking the database
    # on every request (a map view fetches dozens of tiles at once). Changes of accounts,
    # roles and sessions in this process forget it at once; other server processes see
    # them within this time. 0 turns it off.
    actor_cache_seconds: float = 5.0
    # CA lock (client certificates): the CA that issues the staff's USB-key certificates,
    # and the header in which the TLS-terminating proxy forwards the verified certificate
    # (nginx: `proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;`). The header
    # is believed only from these proxy addresses.
    client_ca_file: str = ""
    client_cert_header: str = "X-SSL-Client-Cert"
    trusted_proxies: list[str] = ["127.0.0.1", "::1"]


@lru_cache
def get_auth_settings() -> AuthSettings:
    return AuthSettings()


@lru_cache
def get_database_settings() -> DatabaseSettings:
    return DatabaseSettings()


@lru_cache
def get_app_settings() -> AppSettings:
    return AppSettings()

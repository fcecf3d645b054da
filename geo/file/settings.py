"""Where uploaded files are kept and how large a photo may be."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from geo.core.settings import PROJECT_ROOT

MIB = 1024 * 1024


class FileSettings(BaseSettings):
    """`APP_FILE_ROOT` (the local store's folder), `APP_MAX_PHOTO_BYTES`."""

    model_config = SettingsConfigDict(env_prefix="APP_", extra="ignore")

    file_root: Path = PROJECT_ROOT / ".files"
    max_photo_bytes: int = 10 * MIB


@lru_cache
def get_file_settings() -> FileSettings:
    return FileSettings()

"""The type of an uploaded photo, read from its first bytes: the client's file name and
declared content type are not believed (a renamed text file is not a photo)."""

from __future__ import annotations

from geo.file.errors import EmptyFile, FileTooLarge, UnsupportedFileType

__all__ = ["PHOTO_TYPES", "check_photo", "sniff_media_type"]

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


def sniff_media_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _describe(limit: int) -> str:
    mib = 1024 * 1024
    return f"{limit / mib:g} MB" if limit >= mib else f"{limit / 1024:g} KB"


def check_photo(data: bytes, *, max_bytes: int, name: str = "") -> str:
    """The photo's media type, or the reason it is refused (empty, too large, not a photo)."""
    label = f"“{name}”" if name else "上传的文件"
    if not data:
        raise EmptyFile(f"{label}是空文件，请重新选择照片")
    if len(data) > max_bytes:
        raise FileTooLarge(f"{label}太大（上限 {_describe(max_bytes)}），请压缩后再上传")
    media_type = sniff_media_type(data)
    if media_type not in PHOTO_TYPES:
        raise UnsupportedFileType(f"{label}不是 JPEG、PNG 或 WebP 格式的照片，请重新选择")
    return media_type

"""The content-addressed store and the photo checks: same bytes, one file; a write is
never seen half done; the type comes from the bytes, not the name."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from geo.file.errors import EmptyFile, FileTooLarge, UnsupportedFileType
from geo.file.sniff import check_photo, sniff_media_type
from geo.file.store import LocalFileStore

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24


def test_put_names_the_file_by_its_hash_under_two_levels(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    sha = store.put(PNG)
    assert sha == hashlib.sha256(PNG).hexdigest()
    assert (tmp_path / sha[:2] / sha[2:4] / sha).read_bytes() == PNG
    assert store.read(sha) == PNG and store.exists(sha)


def test_storing_the_same_bytes_twice_keeps_one_file(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    first = store.put(PNG)
    mtime = store.path(first).stat().st_mtime_ns
    assert store.put(PNG) == first
    assert store.path(first).stat().st_mtime_ns == mtime  # not rewritten
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [store.path(first)]


def test_a_failed_write_leaves_neither_the_file_nor_a_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalFileStore(tmp_path)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("geo.file.store.os.replace", broken_replace)
    with pytest.raises(OSError):
        store.put(JPEG)
    sha = hashlib.sha256(JPEG).hexdigest()
    assert not store.exists(sha)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_an_unknown_or_malformed_hash(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    with pytest.raises(FileNotFoundError):
        store.read("0" * 64)
    with pytest.raises(ValueError):
        store.read("../../etc/passwd")


@pytest.mark.parametrize(
    ("data", "media_type"),
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp"), (b"hello", None)],
)
def test_the_type_is_read_from_the_bytes(data: bytes, media_type: str | None) -> None:
    assert sniff_media_type(data) == media_type


def test_a_png_named_jpg_is_a_png_and_text_named_jpg_is_refused() -> None:
    assert check_photo(PNG, max_bytes=1024, name="现场.jpg") == "image/png"
    with pytest.raises(UnsupportedFileType, match="现场.jpg.*不是 JPEG、PNG 或 WebP"):
        check_photo(b"just some text", max_bytes=1024, name="现场.jpg")
    with pytest.raises(UnsupportedFileType):
        check_photo(b"GIF89a" + b"\x00" * 10, max_bytes=1024)


def test_size_limits() -> None:
    assert check_photo(JPEG, max_bytes=len(JPEG)) == "image/jpeg"
    with pytest.raises(FileTooLarge, match="上限 1 KB") as too_large:
        check_photo(JPEG + b"\x00" * 1024, max_bytes=1024)
    assert too_large.value.status == 413
    with pytest.raises(EmptyFile) as empty:
        check_photo(b"", max_bytes=1024, name="a.png")
    assert empty.value.status == 422

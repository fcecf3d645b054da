"""The content-addressed store: a file is named by the SHA-256 of its bytes, so storing
the same photo twice keeps one copy and a stored file never changes.

`LocalFileStore` lays files out as `root/ab/cd/<hash>` (two directory levels keep each
folder small) and writes through a temporary file renamed into place, so a reader never
sees half a file, even if the server stops mid-write. An S3-compatible store implements
the same three methods when several servers share the work.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

__all__ = ["FileStore", "LocalFileStore", "is_sha256", "sha256_of"]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_sha256(text: str) -> bool:
    return bool(_SHA256.match(text))


class FileStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store `data`; returns its SHA-256 (hex). Storing the same bytes again is a no-op."""
        ...

    def read(self, sha256: str) -> bytes:
        """The stored bytes; FileNotFoundError when the store does not hold them."""
        ...

    def exists(self, sha256: str) -> bool: ...


class LocalFileStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError(f"不是有效的 SHA-256 摘要：{sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        sha256 = sha256_of(data)
        target = self.path(sha256)
        if target.exists():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, target)  # atomic; a concurrent writer of the same bytes is harmless
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return sha256

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

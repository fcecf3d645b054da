"""Why an import was refused: the whole file, or each bad feature by its position."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

MAX_LISTED_ERRORS = 50  # in the message; ImportRejected.errors always holds them all


class FeatureError(NamedTuple):
    """(index, reason): unpacks like the pair it is; ``dict(errors)`` maps index → reason."""

    index: int  # type: ignore[assignment]  # 0-based position in the file (shadows tuple.index)
    reason: str


class ImportRejected(Exception):
    """The file was not imported; nothing was written. The message is Chinese."""

    def __init__(self, message: str | None = None, *, errors: Iterable[tuple[int, str]] = ()):
        self.errors = sorted(FeatureError(i, r) for i, r in errors)
        self.message = message or f"共有 {len(self.errors)} 个要素不符合要求，未导入任何数据"
        super().__init__(self.message)

    def __str__(self) -> str:
        lines = [f"导入被拒绝：{self.message}"]
        lines += [
            f"  要素 #{e.index}（第 {e.index + 1} 个）：{e.reason}"
            for e in self.errors[:MAX_LISTED_ERRORS]
        ]
        if len(self.errors) > MAX_LISTED_ERRORS:
            lines.append(f"  ……另有 {len(self.errors) - MAX_LISTED_ERRORS} 个要素有问题")
        return "\n".join(lines)

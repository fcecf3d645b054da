"""The command line: ``python -m data.importer LAYER FILE --crs CRS [--layer NAME] [--dry-run]``.

Messages and argparse's own headings are Chinese, like the rest of the interface.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from data.importer.errors import ImportRejected
from data.importer.service import import_file
from geo.core.db import get_sessionmaker
from geo.layers import LAYERS

_ARGPARSE_HEADINGS = {"usage: ": "用法：", "positional arguments:": "参数：", "options:": "选项："}


class _ChineseParser(argparse.ArgumentParser):
    def format_usage(self) -> str:
        return _translate(super().format_usage())

    def format_help(self) -> str:
        return _translate(super().format_help())

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"用法错误：{message}\n")


def _translate(text: str) -> str:
    for english, chinese in _ARGPARSE_HEADINGS.items():
        text = text.replace(english, chinese)
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = _ChineseParser(
        prog="python -m data.importer",
        description="把 GeoJSON、Shapefile、GeoPackage 或 KML 文件导入一个图层"
        "（全部导入，或有问题时一个也不导入）。",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="help", help="显示帮助并退出")
    parser.add_argument("layer", metavar="LAYER", help="图层：" + ", ".join(LAYERS))
    parser.add_argument("file", metavar="FILE", type=Path, help="要导入的文件")
    parser.add_argument(
        "--crs",
        required=True,
        help="文件的坐标系：cgcs2000、wgs84、webmercator、gcj02、gk3:<带号>、"
        "gk3cm:<中央经线> 或 EPSG 代码",
    )
    parser.add_argument(
        "--layer", dest="source_layer", metavar="NAME", help="文件中的图层名（多图层文件）"
    )
    parser.add_argument("--dry-run", action="store_true", help="只检查，不写入数据库")
    return parser


def main(argv: Sequence[str] | None = None, *, session: Session | None = None) -> int:
    """Exit codes: 0 imported (or would be, with --dry-run), 1 rejected, 2 usage error.

    ``session``: run inside an existing session (tests); its outer transaction is left
    to the caller, a dry run is rolled back to a savepoint.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return int(exc.code or 0)
    if session is not None:
        return _run(session, args, session.begin_nested())
    with get_sessionmaker()() as own:
        return _run(own, args, own)


def _run(session: Session, args: argparse.Namespace, unit: Session | SessionTransaction) -> int:
    """Import, print the outcome, and keep the work in ``unit`` only if it should stay."""
    code = _import(session, args)
    (unit.commit if code == 0 and not args.dry_run else unit.rollback)()
    return code


def _import(session: Session, args: argparse.Namespace) -> int:
    try:
        report = import_file(
            session,
            layer_id=args.layer,
            path=args.file,
            crs=args.crs,
            source_layer=args.source_layer,
        )
    except ImportRejected as exc:
        print(exc, file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(
            f"导入失败：写入数据库时出错，未导入任何数据（{exc.__class__.__name__}: {exc}）",
            file=sys.stderr,
        )
        return 1
    print(report.summary(dry_run=args.dry_run))
    if args.dry_run:
        print("（试运行：未写入数据库）")
    return 0

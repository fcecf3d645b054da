"""python -m data.demo [--scale N] [--seed S] [--anchor YYYY-MM-DD] [--if-empty]"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from data.demo import DEFAULT_SEED, generate, is_empty
from geo.core.db import get_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.demo", description="生成演示辖区数据")
    parser.add_argument("--scale", type=int, default=1, help="数据量倍数（基准测试用，如 20）")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子（固定可复现）")
    parser.add_argument(
        "--anchor", type=date.fromisoformat, default=None, help="历史事件截止日期，默认今天"
    )
    parser.add_argument("--if-empty", action="store_true", help="库中已有数据时跳过")
    args = parser.parse_args(argv)
    engine = get_engine()
    if not is_empty(engine):
        if args.if_empty:
            print("数据库已有数据，跳过演示数据生成。")
            return 0
        print("错误：数据库已有区划数据，演示数据只能写入空库。", file=sys.stderr)
        return 1
    started = time.monotonic()
    print(f"生成演示辖区（种子 {args.seed}，倍数 {args.scale}）…")
    counts = generate(engine, seed=args.seed, scale=args.scale, anchor=args.anchor, progress=True)
    print(
        f"完成，用时 {time.monotonic() - started:.1f}s："
        + "，".join(f"{k} {v}" for k, v in counts.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

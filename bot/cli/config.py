"""`hopthu check`: validate bot.yaml before deploying."""

from __future__ import annotations

import argparse

from bot.config import DEFAULT_CONFIG_PATH, ConfigError, load_config
from bot.texts import config as T


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("check", help="Kiểm tra bot.yaml (đơn vị, ban chỉ đạo, chủ đề, định tuyến)")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG_PATH), help="đường dẫn tới bot.yaml")
    parser.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(T.CONFIG_INVALID.format(path=exc.path, count=len(exc.issues)))
        for issue in exc.issues:
            print(T.CONFIG_ERROR_LINE.format(place=issue.place or "(tệp)", reason=issue.reason))
        return 1
    print(T.CONFIG_OK.format(path=args.config, units=len(config.units), committees=len(config.committees),
                             topics=len(config.topics)))
    return 0

"""The `hopthu` command: one module per command group, each registering its sub-commands.

Modules are imported lazily by name so that `hopthu ask` never pays for importing the Telegram stack.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Each module exposes register(subparsers); keep this list in the order `hopthu --help` shows it.
COMMAND_MODULES: tuple[str, ...] = ("config", "run", "demo", "db", "reports", "kb")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hopthu",
        description="Hòm thư góp ý số — hộp thư góp ý và tra cứu quy chế dân chủ ở cơ sở trên Telegram.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="LỆNH")
    for name in COMMAND_MODULES:
        importlib.import_module(f"bot.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        code = int(func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at exit where it could no longer be caught
    except BrokenPipeError:
        # `hopthu ask … | head`: the reader has gone, which is normal in a shell. Python's documented
        # recipe: point stdout at devnull so the flush at exit does not raise again, and end quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())

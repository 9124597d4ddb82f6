"""Committee reports (issue #6 builds this out): /thongke, /quahan, /baocao and the daily digest."""

from __future__ import annotations

from telegram.ext import Application

from bot.config import Config


def add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    return None


def schedule_jobs(app: Application, config: Config) -> None:  # type: ignore[type-arg]
    return None

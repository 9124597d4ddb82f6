"""bot.yaml: the deployment's places, committees, topics, routing and limits.

Validation collects every problem with its place (``committees[3].chat_id``) instead of stopping at
the first, so an admin fixes the file in one pass before deploying. The token never lives here: it
comes from TELEGRAM_BOT_TOKEN only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.texts import config as T
from knowledge.model import ArticleRef
from storage.statuses import Kind

DEFAULT_CONFIG_PATH = Path("bot.yaml")
TELEGRAM_TEXT_LIMIT = 4096
CARD_HEADROOM = 500  # the card's header lines around the citizen's text
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class ConfigIssue:
    place: str
    reason: str


class ConfigError(Exception):
    """bot.yaml is unusable; `issues` lists every problem found."""

    def __init__(self, path: Path, issues: list[ConfigIssue]) -> None:
        self.path = path
        self.issues = issues
        lines = [f"{i.place}: {i.reason}" for i in issues]
        super().__init__(f"{path}: " + "; ".join(lines))


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    parent: str | None
    aliases: tuple[str, ...] = ()
    children: tuple[str, ...] = ()
    depth: int = 0


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    keywords: tuple[str, ...] = ()
    articles: tuple[ArticleRef, ...] = ()


@dataclass(frozen=True)
class Committee:
    id: str
    name: str
    unit: str
    chat_id: int
    topics: tuple[str, ...] = ()  # empty: every topic


@dataclass(frozen=True)
class RoutingRule:
    topic: str | None
    unit: str
    committee: str


@dataclass(frozen=True)
class WebhookSettings:
    listen: str = "0.0.0.0"
    port: int = 8443
    url_path: str = "telegram"
    public_url: str | None = None


@dataclass(frozen=True)
class Limits:
    text_min_chars: int = 10
    text_max_chars: int = 3500
    attachments_max: int = 10
    citizen_messages_per_minute: int = 20
    overall_per_second: int = 30
    group_per_minute: int = 20


@dataclass(frozen=True)
class Deadlines:
    acknowledge_days: int = 3
    resolve_days: int = 15
    resolve_by_kind: dict[str, int] = field(default_factory=dict)

    def resolve_for(self, kind: str) -> int:
        return self.resolve_by_kind.get(kind, self.resolve_days)


@dataclass(frozen=True)
class Config:
    path: Path
    username: str
    database_url: str | None
    sqlite_inline_driver: bool  # storage.sqlite_driver: faster, on aiosqlite's private API; off by default
    timezone: ZoneInfo
    webhook: WebhookSettings
    admins: frozenset[int]
    limits: Limits
    deadlines: Deadlines
    digest_time: time
    retention_days: int
    units: dict[str, Unit]  # in file order, parents before children
    topics: dict[str, Topic]
    committees: dict[str, Committee]
    rules: tuple[RoutingRule, ...]
    fallback: str | None

    def committee_by_chat(self, chat_id: int) -> Committee | None:
        for committee in self.committees.values():
            if committee.chat_id == chat_id:
                return committee
        return None

    def unit_path(self, unit_id: str) -> list[Unit]:
        """The unit and its ancestors, most specific first."""
        path: list[Unit] = []
        current: str | None = unit_id
        while current is not None:
            unit = self.units[current]
            path.append(unit)
            current = unit.parent
        return path

    def committee_candidates(self, unit_id: str, topic_id: str | None) -> list[Committee]:
        """Committees that would take (unit, topic), best first; the first one is the route (bot.routing).

        Resolution order: explicit rules (first match), then the most specific unit on the citizen's
        path that has a committee for the topic (a committee naming the topic beats a catch-all one
        at the same unit), then the fallback. Here because validation needs it: a unit nobody takes."""
        found: list[Committee] = []
        path_ids = [u.id for u in self.unit_path(unit_id)]
        for rule in self.rules:
            if rule.unit in path_ids and (rule.topic is None or rule.topic == topic_id):
                found.append(self.committees[rule.committee])
        for unit in path_ids:
            here = [c for c in self.committees.values() if c.unit == unit]
            specific = [c for c in here if topic_id is not None and topic_id in c.topics]
            general = [c for c in here if not c.topics]
            found.extend(specific + general)
        if self.fallback:
            found.append(self.committees[self.fallback])
        unique: dict[str, Committee] = {}
        for committee in found:
            unique.setdefault(committee.id, committee)
        return list(unique.values())

    def roots(self) -> list[Unit]:
        return [u for u in self.units.values() if u.parent is None]

    def unit_label(self, unit_id: str) -> str:
        """"Xã Nông Hạ, Huyện Chợ Mới, Tỉnh Bắc Kạn": the place as a citizen reads it."""
        return ", ".join(u.name for u in self.unit_path(unit_id))


def bot_token() -> str | None:
    """The token is read from the environment only, never from a file in the repo."""
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    return token or None


def telegram_base_url() -> str | None:
    return os.environ.get("TELEGRAM_BASE_URL", "").strip() or None


class _Checker:
    """Reads a YAML mapping while recording problems with their place."""

    def __init__(self) -> None:
        self.issues: list[ConfigIssue] = []

    def fail(self, place: str, reason: str) -> None:
        self.issues.append(ConfigIssue(place, reason))

    def mapping(self, value: Any, place: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(place, T.NOT_A_MAPPING)
            return {}
        return value

    def items(self, value: Any, place: str) -> Iterator[tuple[int, dict[str, Any], str]]:
        if value is None:
            return
        if not isinstance(value, list):
            self.fail(place, T.NOT_A_LIST)
            return
        for index, item in enumerate(value):
            item_place = f"{place}[{index}]"
            if not isinstance(item, dict):
                self.fail(item_place, T.NOT_A_MAPPING)
                continue
            yield index, item, item_place

    def known_fields(self, data: dict[str, Any], place: str, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.fail(f"{place}.{key}", T.UNKNOWN_FIELD.format(value=key))

    def text(self, data: dict[str, Any], key: str, place: str, *, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{place}.{key}", T.MISSING)
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{place}.{key}", T.NOT_TEXT)
            return None
        return value.strip()

    def ident(self, data: dict[str, Any], key: str, place: str) -> str | None:
        value = self.text(data, key, place)
        if value is not None and not _ID_RE.match(value):
            self.fail(f"{place}.{key}", T.BAD_ID.format(value=value))
            return None
        return value

    def positive(self, data: dict[str, Any], key: str, place: str, default: int) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(f"{place}.{key}", T.NOT_POSITIVE)
            return default
        return value

    def flag(self, data: dict[str, Any], key: str, place: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{place}.{key}", T.NOT_A_FLAG)
            return default
        return value

    def strings(self, data: dict[str, Any], key: str, place: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(f"{place}.{key}", T.NOT_A_LIST)
            return ()
        return tuple(v.strip() for v in value)


def load_config(path: Path | str = DEFAULT_CONFIG_PATH) -> Config:
    """Load and validate bot.yaml; raise ConfigError listing every problem."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, [ConfigIssue("", T.CONFIG_NOT_FOUND.format(path=path))]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, [ConfigIssue("", T.CONFIG_NOT_YAML.format(error=exc))]) from None
    check = _Checker()
    config = _parse(path, check.mapping(raw, "(gốc)"), check)
    if check.issues or config is None:
        raise ConfigError(path, check.issues)
    return config


def _parse(path: Path, raw: dict[str, Any], check: _Checker) -> Config | None:
    check.known_fields(
        raw,
        "",
        {"bot", "admins", "limits", "deadlines", "digest", "retention", "units", "topics",
         "committees", "routing"},
    )
    bot = check.mapping(raw.get("bot"), "bot")
    username = check.text(bot, "username", "bot") or ""
    database_url = check.text(bot, "database_url", "bot", required=False)
    sqlite_inline_driver = check.flag(bot, "sqlite_inline_driver", "bot", False)
    tz_name = check.text(bot, "timezone", "bot", required=False) or "Asia/Ho_Chi_Minh"
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        check.fail("bot.timezone", T.BAD_TIMEZONE.format(value=tz_name))
        timezone = ZoneInfo("Asia/Ho_Chi_Minh")
    hook = check.mapping(bot.get("webhook"), "bot.webhook")
    webhook = WebhookSettings(
        listen=check.text(hook, "listen", "bot.webhook", required=False) or "0.0.0.0",
        port=check.positive(hook, "port", "bot.webhook", 8443),
        url_path=check.text(hook, "url_path", "bot.webhook", required=False) or "telegram",
        public_url=check.text(hook, "public_url", "bot.webhook", required=False),
    )

    admins: set[int] = set()
    raw_admins = raw.get("admins") or []
    if not isinstance(raw_admins, list):
        check.fail("admins", T.NOT_A_LIST)
    else:
        for index, admin in enumerate(raw_admins):
            if isinstance(admin, bool) or not isinstance(admin, int):
                check.fail(f"admins[{index}]", T.NOT_INT)
            else:
                admins.add(admin)

    lim = check.mapping(raw.get("limits"), "limits")
    out = check.mapping(lim.get("outgoing"), "limits.outgoing")
    limits = Limits(
        text_min_chars=check.positive(lim, "text_min_chars", "limits", 10),
        text_max_chars=check.positive(lim, "text_max_chars", "limits", 3500),
        attachments_max=check.positive(lim, "attachments_max", "limits", 10),
        citizen_messages_per_minute=check.positive(lim, "citizen_messages_per_minute", "limits", 20),
        overall_per_second=check.positive(out, "overall_per_second", "limits.outgoing", 30),
        group_per_minute=check.positive(out, "group_per_minute", "limits.outgoing", 20),
    )
    if limits.text_min_chars >= limits.text_max_chars:
        check.fail("limits.text_min_chars", T.BAD_MIN_MAX)
    if limits.text_max_chars > TELEGRAM_TEXT_LIMIT - CARD_HEADROOM:
        check.fail("limits.text_max_chars",
                   T.TEXT_MAX_TOO_BIG.format(value=TELEGRAM_TEXT_LIMIT - CARD_HEADROOM))

    dl = check.mapping(raw.get("deadlines"), "deadlines")
    by_kind: dict[str, int] = {}
    for kind, days in check.mapping(dl.get("resolve_by_kind"), "deadlines.resolve_by_kind").items():
        if kind not in tuple(Kind):
            check.fail(f"deadlines.resolve_by_kind.{kind}",
                       T.UNKNOWN_KIND.format(value=kind, allowed=", ".join(Kind)))
        elif isinstance(days, bool) or not isinstance(days, int) or days <= 0:
            check.fail(f"deadlines.resolve_by_kind.{kind}", T.NOT_POSITIVE)
        else:
            by_kind[kind] = days
    deadlines = Deadlines(
        acknowledge_days=check.positive(dl, "acknowledge", "deadlines", 3),
        resolve_days=check.positive(dl, "resolve", "deadlines", 15),
        resolve_by_kind=by_kind,
    )

    digest = check.mapping(raw.get("digest"), "digest")
    digest_raw = str(digest.get("time", "07:30"))
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", digest_raw)
    digest_time = time(7, 30)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        digest_time = time(int(match[1]), int(match[2]))
    else:
        check.fail("digest.time", T.BAD_TIME)
    retention = check.mapping(raw.get("retention"), "retention")
    retention_days = check.positive(retention, "personal_data_days", "retention", 365)

    units: dict[str, Unit] = {}
    _parse_units(raw.get("units"), "units", None, 0, units, check)

    topics: dict[str, Topic] = {}
    for _, item, place in check.items(raw.get("topics"), "topics"):
        check.known_fields(item, place, {"id", "name", "keywords", "articles"})
        topic_id, name = check.ident(item, "id", place), check.text(item, "name", place)
        refs: list[ArticleRef] = []
        for _, ref, ref_place in check.items(item.get("articles"), f"{place}.articles"):
            document = check.text(ref, "document", ref_place)
            article = ref.get("article")
            if isinstance(article, bool) or not isinstance(article, int):
                check.fail(f"{ref_place}.article", T.NOT_INT)
            elif document:
                refs.append(ArticleRef(document, article))
        if topic_id is None or name is None:
            continue
        if topic_id in topics:
            check.fail(f"{place}.id", T.DUPLICATE_ID.format(value=topic_id))
            continue
        topics[topic_id] = Topic(topic_id, name, check.strings(item, "keywords", place), tuple(refs))

    committees: dict[str, Committee] = {}
    chats: dict[int, str] = {}
    for _, item, place in check.items(raw.get("committees"), "committees"):
        check.known_fields(item, place, {"id", "name", "unit", "chat_id", "topics"})
        committee_id = check.ident(item, "id", place)
        name = check.text(item, "name", place)
        unit = check.text(item, "unit", place)
        if unit is not None and unit not in units:
            check.fail(f"{place}.unit", T.UNKNOWN_UNIT.format(value=unit))
        chat_id = item.get("chat_id")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int) or chat_id >= 0:
            check.fail(f"{place}.chat_id", T.NOT_CHAT_ID)
            chat_id = None
        elif chat_id in chats:
            check.fail(f"{place}.chat_id", T.DUPLICATE_CHAT.format(value=chat_id, other=chats[chat_id]))
        committee_topics = check.strings(item, "topics", place)
        for index, topic in enumerate(committee_topics):
            if topic not in topics:
                check.fail(f"{place}.topics[{index}]", T.UNKNOWN_TOPIC.format(value=topic))
        if None in (committee_id, name, unit, chat_id):
            continue
        assert committee_id and name and unit and chat_id is not None
        if committee_id in committees:
            check.fail(f"{place}.id", T.DUPLICATE_ID.format(value=committee_id))
            continue
        chats[chat_id] = committee_id
        committees[committee_id] = Committee(committee_id, name, unit, chat_id, committee_topics)
    if not committees and not check.issues:
        check.fail("committees", T.NO_COMMITTEES)

    routing = check.mapping(raw.get("routing"), "routing")
    rules: list[RoutingRule] = []
    for _, item, place in check.items(routing.get("rules"), "routing.rules"):
        check.known_fields(item, place, {"topic", "unit", "committee"})
        topic = check.text(item, "topic", place, required=False)
        unit = check.text(item, "unit", place)
        committee = check.text(item, "committee", place)
        if topic is not None and topic not in topics:
            check.fail(f"{place}.topic", T.UNKNOWN_TOPIC.format(value=topic))
        if unit is not None and unit not in units:
            check.fail(f"{place}.unit", T.UNKNOWN_UNIT.format(value=unit))
        if committee is not None and committee not in committees:
            check.fail(f"{place}.committee", T.UNKNOWN_COMMITTEE.format(value=committee))
        if unit and committee:
            rules.append(RoutingRule(topic, unit, committee))
    fallback = check.text(routing, "fallback", "routing", required=False)
    if fallback is not None and fallback not in committees:
        check.fail("routing.fallback", T.UNKNOWN_COMMITTEE.format(value=fallback))
        fallback = None

    if check.issues:
        return None
    config = Config(
        path=path, username=username.lstrip("@"), database_url=database_url,
        sqlite_inline_driver=sqlite_inline_driver, timezone=timezone,
        webhook=webhook, admins=frozenset(admins), limits=limits, deadlines=deadlines,
        digest_time=digest_time, retention_days=retention_days, units=units, topics=topics,
        committees=committees, rules=tuple(rules), fallback=fallback,
    )
    if fallback is None:
        for unit_id in units:
            if not config.committee_candidates(unit_id, None):
                check.fail(f"units.{unit_id}", T.UNREACHABLE_UNIT)
    return None if check.issues else config


def _parse_units(
    value: Any, place: str, parent: str | None, depth: int, units: dict[str, Unit], check: _Checker
) -> list[str]:
    ids: list[str] = []
    for _, item, item_place in check.items(value, place):
        check.known_fields(item, item_place, {"id", "name", "aliases", "children"})
        unit_id, name = check.ident(item, "id", item_place), check.text(item, "name", item_place)
        aliases = check.strings(item, "aliases", item_place)
        if unit_id is None or name is None:
            continue
        if unit_id in units:
            check.fail(f"{item_place}.id", T.DUPLICATE_ID.format(value=unit_id))
            continue
        units[unit_id] = Unit(unit_id, name, parent, aliases, (), depth)  # children filled below
        children = _parse_units(item.get("children"), f"{item_place}.children", unit_id, depth + 1,
                                units, check)
        units[unit_id] = Unit(unit_id, name, parent, aliases, tuple(children), depth)
        ids.append(unit_id)
    return ids

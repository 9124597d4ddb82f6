"""Reads a YAML file with the place and line of every value, and checks fields with clear errors.

Shared by every parser of the knowledge base (documents, applicability, amendments): each refusal names
the file, the place (e.g. chapters[2].articles[4].summary) and the line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from knowledge.article_text import TextError, parse_article_text
from knowledge.errors import KnowledgeBaseError, Reason
from knowledge.model import ArticleRef, ArticleText, RelatedDocument, TextSource

__all__ = ["URL", "Checker", "read_yaml", "type_name"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL = re.compile(r"^https?://\S+$")


# --- YAML reading with places and line numbers ---------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so that we parse (and locate) bad dates ourselves."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_SCALARS = yaml.constructor.SafeConstructor()


def read_yaml(file: Path) -> tuple[Any, dict[str, int]]:
    """Parse one file into Python values plus a map place -> 1-based line."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeBaseError(file, "", Reason.YAML_SYNTAX, detail=str(exc)) from exc
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise KnowledgeBaseError(
            file, "", Reason.YAML_SYNTAX, line=line, detail=str(exc.problem or exc)
        ) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(file, "", Reason.YAML_SYNTAX, detail=str(exc)) from exc
    lines: dict[str, int] = {}
    if node is None:
        return None, lines
    return _convert(file, node, "", lines), lines


def _convert(file: Path, node: yaml.Node, place: str, lines: dict[str, int]) -> Any:
    lines[place] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _SCALARS.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise KnowledgeBaseError(
                    file, place, Reason.WRONG_TYPE, line=key_node.start_mark.line + 1,
                    expected="text key", found=type(key).__name__,
                )
            sub = f"{place}.{key}" if place else key
            if key in out:
                raise KnowledgeBaseError(
                    file, sub, Reason.DUPLICATE_KEY, line=key_node.start_mark.line + 1, field=key
                )
            out[key] = _convert(file, value_node, sub, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(file, item, f"{place}[{i}]", lines) for i, item in enumerate(node.value)]
    try:
        return _SCALARS.construct_object(node)
    except (yaml.YAMLError, ValueError) as exc:  # e.g. "!!int abc"
        raise KnowledgeBaseError(file, place, Reason.BAD_VALUE, line=lines[place],
                                 value=node.value, allowed="a valid scalar") from exc


# --- field checks --------------------------------------------------------------------------------


def type_name(value: Any) -> str:
    return {type(None): "null", bool: "true/false", int: "number", float: "number", str: "text",
            list: "list", dict: "mapping"}.get(type(value), type(value).__name__)


class Checker:
    """Field accessors for one file that raise KnowledgeBaseError with the place and line."""

    def __init__(self, file: Path, lines: dict[str, int]) -> None:
        self.file = file
        self.lines = lines

    def fail(self, place: str, reason: Reason, **details: Any) -> KnowledgeBaseError:
        """The error for `place`, with the line of the place or of its closest existing parent."""
        probe = place
        while probe and probe not in self.lines:
            probe = re.sub(r"(\.?[^.\[\]]+|\[\d+\])$", "", probe)
        return KnowledgeBaseError(self.file, place, reason, line=self.lines.get(probe), **details)

    @staticmethod
    def sub(place: str, key: str) -> str:
        return f"{place}.{key}" if place else key

    def mapping(self, value: Any, place: str, required: Iterable[str], optional: Iterable[str]) -> dict:
        if not isinstance(value, dict):
            raise self.fail(place, Reason.NOT_A_MAPPING)
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                raise self.fail(self.sub(place, key), Reason.UNKNOWN_FIELD, field=key)
        for key in required:
            if key not in value:
                raise self.fail(self.sub(place, key), Reason.MISSING_FIELD, field=key)
        return value

    def text(self, m: dict, key: str, place: str, *, nullable: bool = False) -> str | None:
        where = self.sub(place, key)
        value = m.get(key)
        if value is None:
            if nullable:
                return None
            if key not in m:
                raise self.fail(where, Reason.MISSING_FIELD, field=key)
            raise self.fail(where, Reason.EMPTY)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(where, Reason.WRONG_TYPE, expected="text", found=type_name(value))
        value = str(value).strip()
        if not value:
            if nullable:
                return None
            raise self.fail(where, Reason.EMPTY)
        return value

    def integer(self, m: dict, key: str, place: str) -> int:
        where = self.sub(place, key)
        value = m.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, Reason.WRONG_TYPE, expected="whole number", found=type_name(value))
        if value < 1:
            raise self.fail(where, Reason.BAD_VALUE, value=value, allowed="1, 2, 3, …")
        return value

    def boolean(self, m: dict, key: str, place: str, default: bool) -> bool:
        if key not in m or m[key] is None:
            return default
        if not isinstance(m[key], bool):
            raise self.fail(self.sub(place, key), Reason.WRONG_TYPE, expected="true/false",
                            found=type_name(m[key]))
        return m[key]

    def date(self, m: dict, key: str, place: str, *, nullable: bool = False) -> dt.date | None:
        where = self.sub(place, key)
        value = m.get(key)
        if value is None and nullable:
            return None
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, str) or not _DATE.match(value.strip()):
            raise self.fail(where, Reason.BAD_DATE, value=value)
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise self.fail(where, Reason.BAD_DATE, value=value) from None

    def url(self, m: dict, key: str, place: str, *, nullable: bool = False) -> str | None:
        value = self.text(m, key, place, nullable=nullable)
        if value is not None and not URL.match(value):
            raise self.fail(self.sub(place, key), Reason.BAD_URL, value=value)
        return value

    def choice(self, m: dict, key: str, place: str, enum: type) -> Any:
        value = m.get(key)
        try:
            return enum(value)
        except ValueError:
            allowed = " | ".join(e.value for e in enum)
            raise self.fail(self.sub(place, key), Reason.BAD_VALUE, value=value, allowed=allowed) from None

    def items(self, m: dict, key: str, place: str, *, required: bool = False) -> list:
        where = self.sub(place, key)
        value = m.get(key)
        if value is None:
            if required:
                raise self.fail(where, Reason.MISSING_FIELD if key not in m else Reason.EMPTY, field=key)
            return []
        if not isinstance(value, list):
            raise self.fail(where, Reason.NOT_A_LIST)
        if required and not value:
            raise self.fail(where, Reason.EMPTY)
        return value

    def texts(self, m: dict, key: str, place: str, *, required: bool = False, urls: bool = False
              ) -> tuple[str, ...]:
        out: list[str] = []
        for i, item in enumerate(self.items(m, key, place, required=required)):
            where = f"{self.sub(place, key)}[{i}]"
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise self.fail(where, Reason.WRONG_TYPE, expected="text", found=type_name(item))
            item = str(item).strip()
            if not item:
                raise self.fail(where, Reason.EMPTY)
            if urls and not URL.match(item):
                raise self.fail(where, Reason.BAD_URL, value=item)
            out.append(item)
        return tuple(out)

    def related(self, m: dict, place: str) -> tuple[RelatedDocument, ...]:
        out = []
        for i, item in enumerate(self.items(m, "related_documents", place)):
            where = f"{self.sub(place, 'related_documents')}[{i}]"
            r = self.mapping(item, where, ("number", "title"), ("link", "note"))
            out.append(RelatedDocument(
                number=self.text(r, "number", where) or "",
                title=self.text(r, "title", where) or "",
                link=self.url(r, "link", where, nullable=True),
            ))
        return tuple(out)

    def refs(self, m: dict, key: str, place: str, *, required: bool = False) -> list[tuple[str, ArticleRef]]:
        """Article references as (place, ref); checked against documents later."""
        out = []
        for i, item in enumerate(self.items(m, key, place, required=required)):
            where = f"{self.sub(place, key)}[{i}]"
            r = self.mapping(item, where, ("document", "article"), ())
            out.append((where, ArticleRef(self.text(r, "document", where) or "",
                                          self.integer(r, "article", where))))
        return out



    def article_text(self, m: dict, key: str, place: str) -> ArticleText | None:
        """The parsed `text:` block (None when absent), refused at the line of the faulty paragraph."""
        where = self.sub(place, key)
        value = m.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(where, Reason.WRONG_TYPE, expected="text", found=type_name(value))
        try:
            return parse_article_text(value)
        except TextError as exc:
            start = self.lines.get(where)
            # a block scalar (`text: |`) starts on the line after its key; blank lines are kept in `value`
            line = start + 1 + exc.line if start is not None else None
            raise KnowledgeBaseError(self.file, where, exc.reason, line=line, **exc.details) from None

    def text_source(self, m: dict, place: str) -> TextSource | None:
        """The document's `text_source:` (name, link, note), None when absent."""
        if m.get("text_source") is None:
            return None
        where = self.sub(place, "text_source")
        s = self.mapping(m["text_source"], where, ("name",), ("link", "note"))
        return TextSource(name=self.text(s, "name", where) or "",
                          link=self.url(s, "link", where, nullable=True),
                          note=self.text(s, "note", where, nullable=True))

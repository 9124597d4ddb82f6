"""Loads and checks the YAML knowledge base; a bad file is refused with file, place and reason.

The bot answers legal questions from these files, so a wrong article number, an invented summary on an
unverified article or a dangling reference must stop deployment (`hopthu kb check`) rather than reach a
citizen. Checks are strict on purpose: unknown keys are refused (they are usually typos that would
silently drop data), dates are parsed by us (PyYAML would turn "2007-02-30" into a crash without a
place), duplicate keys are refused (PyYAML would keep the last one silently).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import KnowledgeBaseError, Reason
from knowledge.model import (
    Article,
    ArticleRef,
    Chapter,
    Document,
    KnowledgeBase,
    RelatedDocument,
    Replacement,
    Right,
    Role,
    RoleRight,
    Status,
    Verified,
)
from knowledge.normalize import normalize

__all__ = [
    "APPLICABILITY_FILE",
    "DEFAULT_DIR",
    "check_knowledge_base",
    "load_knowledge_base",
]

DEFAULT_DIR = Path(__file__).resolve().parent
APPLICABILITY_FILE = "applicability.yaml"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL = re.compile(r"^https?://\S+$")


# --- YAML reading with places and line numbers ---------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so that we parse (and locate) bad dates ourselves."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_SCALARS = yaml.constructor.SafeConstructor()


def _read_yaml(file: Path) -> tuple[Any, dict[str, int]]:
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


def _type_name(value: Any) -> str:
    return {type(None): "null", bool: "true/false", int: "number", float: "number", str: "text",
            list: "list", dict: "mapping"}.get(type(value), type(value).__name__)


class _Checker:
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
            raise self.fail(where, Reason.WRONG_TYPE, expected="text", found=_type_name(value))
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
            raise self.fail(where, Reason.WRONG_TYPE, expected="whole number", found=_type_name(value))
        if value < 1:
            raise self.fail(where, Reason.BAD_VALUE, value=value, allowed="1, 2, 3, …")
        return value

    def boolean(self, m: dict, key: str, place: str, default: bool) -> bool:
        if key not in m or m[key] is None:
            return default
        if not isinstance(m[key], bool):
            raise self.fail(self.sub(place, key), Reason.WRONG_TYPE, expected="true/false",
                            found=_type_name(m[key]))
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
        if value is not None and not _URL.match(value):
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
                raise self.fail(where, Reason.WRONG_TYPE, expected="text", found=_type_name(item))
            item = str(item).strip()
            if not item:
                raise self.fail(where, Reason.EMPTY)
            if urls and not _URL.match(item):
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


# --- documents -----------------------------------------------------------------------------------

_DOC_REQUIRED = ("id", "number", "kind", "title", "issuer", "issued", "effective", "status",
                 "source", "aliases", "chapters")
_DOC_OPTIONAL = ("signer", "status_note", "replaced_by", "related_documents")
_ARTICLE_OPTIONAL = ("title", "section", "summary", "missing", "keywords", "questions", "sources", "current")


class _PendingRefs:
    """References seen while parsing, checked once every document is known."""

    def __init__(self) -> None:
        self.items: list[tuple[_Checker, str, str, ArticleRef | None, tuple[str, ...], str]] = []

    def add(self, checker: _Checker, place: str, document: str, ref: ArticleRef | None,
            related: tuple[str, ...], own: str) -> None:
        self.items.append((checker, place, document, ref, related, own))


def _parse_document(file: Path, pending: _PendingRefs) -> Document:
    data, lines = _read_yaml(file)
    c = _Checker(file, lines)
    m = c.mapping(data, "", _DOC_REQUIRED, _DOC_OPTIONAL)
    doc_id = c.text(m, "id", "") or ""
    if file.stem != doc_id:
        raise c.fail("id", Reason.FILE_NAME, expected=f"{doc_id}.yaml")
    number = c.text(m, "number", "") or ""
    status = c.choice(m, "status", "", Status)
    issued = c.date(m, "issued", "")
    effective = c.date(m, "effective", "")
    assert issued is not None and effective is not None
    if effective < issued:
        raise c.fail("effective", Reason.DATE_ORDER, later="effective", later_value=effective,
                     earlier="issued", earlier_value=issued)
    status_note = c.text(m, "status_note", "", nullable=True)
    if status is not Status.IN_FORCE and not status_note:
        raise c.fail("status_note", Reason.STATUS_NOTE_REQUIRED, status=status.value)
    related = c.related(m, "")
    related_numbers = tuple(r.number for r in related)

    replaced_by = []
    for i, item in enumerate(c.items(m, "replaced_by", "")):
        where = f"replaced_by[{i}]"
        r = c.mapping(item, where, ("document",), ("since", "note"))
        rep = Replacement(document=c.text(r, "document", where) or "",
                          since=c.date(r, "since", where, nullable=True),
                          note=c.text(r, "note", where, nullable=True))
        if rep.since is not None and rep.since < effective:
            raise c.fail(f"{where}.since", Reason.DATE_ORDER, later="since", later_value=rep.since,
                         earlier="effective", earlier_value=effective)
        pending.add(c, f"{where}.document", rep.document, None, related_numbers, number)
        replaced_by.append(rep)
    if status is Status.SUPERSEDED and not replaced_by:
        raise c.fail("replaced_by", Reason.REPLACED_BY_REQUIRED)

    aliases: list[str] = []
    for alias in c.texts(m, "aliases", "", required=True):
        if alias not in aliases:
            aliases.append(alias)

    chapters = []
    previous = 0
    seen: set[int] = set()
    for ci, raw_ch in enumerate(c.items(m, "chapters", "", required=True)):
        cp = f"chapters[{ci}]"
        ch = c.mapping(raw_ch, cp, ("articles",), ("number", "title", "title_verified"))
        articles = []
        for ai, raw_a in enumerate(c.items(ch, "articles", cp)):
            ap = f"{cp}.articles[{ai}]"
            a = c.mapping(raw_a, ap, ("number", "verified"), _ARTICLE_OPTIONAL)
            art_no = c.integer(a, "number", ap)
            if art_no in seen:
                raise c.fail(f"{ap}.number", Reason.DUPLICATE_ARTICLE, number=art_no)
            if art_no < previous:
                raise c.fail(f"{ap}.number", Reason.ARTICLE_ORDER, number=art_no, previous=previous)
            seen.add(art_no)
            previous = art_no
            verified = c.choice(a, "verified", ap, Verified)
            summary = c.text(a, "summary", ap, nullable=True)
            missing = c.text(a, "missing", ap, nullable=True)
            if verified is Verified.NONE and summary:
                raise c.fail(f"{ap}.summary", Reason.SUMMARY_FORBIDDEN)
            if verified is not Verified.NONE and not summary:
                raise c.fail(f"{ap}.summary", Reason.SUMMARY_REQUIRED, verified=verified.value)
            if verified is Verified.PARTIAL and not missing:
                raise c.fail(f"{ap}.missing", Reason.MISSING_REQUIRED)
            if verified is Verified.FULL and missing:
                raise c.fail(f"{ap}.missing", Reason.MISSING_FORBIDDEN)
            sources = c.texts(a, "sources", ap, required=verified is not Verified.NONE, urls=True)
            current = c.refs(a, "current", ap)
            if current and status is Status.IN_FORCE:
                raise c.fail(f"{ap}.current", Reason.CURRENT_ON_IN_FORCE)
            for where, ref in current:
                pending.add(c, f"{where}.document", ref.document, ref, related_numbers, number)
            articles.append(Article(
                number=art_no,
                title=c.text(a, "title", ap, nullable=True),
                section=c.text(a, "section", ap, nullable=True),
                verified=verified,
                summary=summary if verified is not Verified.NONE else None,
                missing=missing,
                keywords=c.texts(a, "keywords", ap),
                questions=c.texts(a, "questions", ap),
                sources=sources,
                current=tuple(ref for _, ref in current),
                document=number,
                chapter_index=ci,
            ))
        raw_no = ch.get("number")
        if isinstance(raw_no, bool) or not isinstance(raw_no, str | int | type(None)):
            raise c.fail(f"{cp}.number", Reason.WRONG_TYPE, expected="text or number",
                         found=_type_name(raw_no))
        chapters.append(Chapter(
            number=str(raw_no).strip() if raw_no is not None and str(raw_no).strip() else None,
            title=c.text(ch, "title", cp, nullable=True),
            title_verified=c.boolean(ch, "title_verified", cp, default=False),
            articles=tuple(articles),
        ))

    return Document(
        id=doc_id,
        number=number,
        kind=c.text(m, "kind", "") or "",
        title=c.text(m, "title", "") or "",
        issuer=c.text(m, "issuer", "") or "",
        signer=c.text(m, "signer", "", nullable=True),
        issued=issued,
        effective=effective,
        status=status,
        status_note=status_note,
        replaced_by=tuple(replaced_by),
        related_documents=related,
        source=c.url(m, "source", "") or "",
        aliases=tuple(aliases),
        chapters=tuple(chapters),
        file=str(file),
    )


# --- applicability -------------------------------------------------------------------------------


def _parse_applicability(file: Path, pending: _PendingRefs) -> tuple[tuple[Role, ...],
                                                                    tuple[RelatedDocument, ...]]:
    data, lines = _read_yaml(file)
    c = _Checker(file, lines)
    m = c.mapping(data, "", ("roles",), ("related_documents",))
    related = c.related(m, "")
    related_numbers = tuple(r.number for r in related)
    roles: list[Role] = []
    for ri, raw in enumerate(c.items(m, "roles", "", required=True)):
        rp = f"roles[{ri}]"
        r = c.mapping(raw, rp, ("id", "title", "description", "old_documents", "current_documents",
                                "current_note", "rights"), ("cues",))
        role_id = c.text(r, "id", rp) or ""
        if any(x.id == role_id for x in roles):
            raise c.fail(f"{rp}.id", Reason.DUPLICATE_ROLE, value=role_id)
        docs = {}
        for key in ("old_documents", "current_documents"):
            docs[key] = c.texts(r, key, rp, required=key == "current_documents")
            for i, number in enumerate(docs[key]):
                pending.add(c, f"{rp}.{key}[{i}]", number, None, related_numbers, "")
        rights = []
        for gi, raw_right in enumerate(c.items(r, "rights", rp, required=True)):
            gp = f"{rp}.rights[{gi}]"
            g = c.mapping(raw_right, gp, ("kind", "text", "refs"), ())
            refs = c.refs(g, "refs", gp, required=True)
            for where, ref in refs:
                pending.add(c, f"{where}.document", ref.document, ref, related_numbers, "")
            rights.append(RoleRight(kind=c.choice(g, "kind", gp, Right), text=c.text(g, "text", gp) or "",
                                    refs=tuple(ref for _, ref in refs)))
        roles.append(Role(
            id=role_id,
            title=c.text(r, "title", rp) or "",
            description=c.text(r, "description", rp) or "",
            old_documents=docs["old_documents"],
            current_documents=docs["current_documents"],
            current_note=c.text(r, "current_note", rp) or "",
            rights=tuple(rights),
            cues=c.texts(r, "cues", rp),
            related_documents=related,
        ))
    return tuple(roles), related


# --- the whole base ------------------------------------------------------------------------------


def _locate(path: str | Path | None) -> tuple[Path, Path | None]:
    """(folder of document files, applicability file or None) for a KB folder or a documents folder."""
    base = Path(path) if path is not None else DEFAULT_DIR
    if (base / "documents").is_dir():
        app = base / APPLICABILITY_FILE
        return base / "documents", app if app.is_file() else None
    for candidate in (base / APPLICABILITY_FILE, base.parent / APPLICABILITY_FILE):
        if candidate.is_file():
            return base, candidate
    return base, None


def _check_refs(pending: _PendingRefs, docs: dict[str, Document], broken: set[str],
                errors: list[KnowledgeBaseError]) -> None:
    for checker, place, number, ref, related, own in pending.items:
        if number in broken:  # its own file was refused already; one error is enough
            continue
        try:
            if own and number == own:
                raise checker.fail(place, Reason.SELF_REFERENCE)
            doc = docs.get(number)
            if doc is None:
                if number not in related:
                    raise checker.fail(place, Reason.UNKNOWN_DOCUMENT, value=number)
            elif ref is not None and doc.article(ref.article) is None:
                raise checker.fail(place.removesuffix(".document") + ".article", Reason.UNKNOWN_ARTICLE,
                                   document=number, article=ref.article)
        except KnowledgeBaseError as exc:
            errors.append(exc)


def _declared_number(file: Path) -> list[str]:
    """The `number:` a refused file declares, read leniently, so its referrers are not blamed too."""
    try:
        found = re.search(r"^number:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(#.*)?$", file.read_text(encoding="utf-8"),
                          re.MULTILINE)
    except (OSError, UnicodeDecodeError):
        return []
    return [found.group(1).strip()] if found else []


def check_knowledge_base(path: str | Path | None = None) -> tuple[KnowledgeBase | None,
                                                                  list[KnowledgeBaseError]]:
    """Load everything and return (knowledge base or None, every error found: first per file + references).

    `path` is a KB folder (holding documents/ and applicability.yaml) or a folder of document files;
    None means the knowledge base shipped in this package.
    """
    folder, app_file = _locate(path)
    errors: list[KnowledgeBaseError] = []
    pending = _PendingRefs()
    files = sorted(p for p in folder.glob("*.yaml") if p.name != APPLICABILITY_FILE) if folder.is_dir() else []
    if not files:
        return None, [KnowledgeBaseError(folder, "", Reason.NO_DOCUMENTS)]
    documents: list[Document] = []
    broken: set[str] = set()
    for file in files:
        try:
            documents.append(_parse_document(file, pending))
        except KnowledgeBaseError as exc:
            errors.append(exc)
            broken.update(_declared_number(file))

    by_number: dict[str, Document] = {}
    by_id: dict[str, Document] = {}
    alias_owner: dict[str, Document] = {}
    for doc in documents:
        try:
            for what, key, table in (("number", doc.number, by_number), ("id", doc.id, by_id)):
                if key in table:
                    raise KnowledgeBaseError(doc.file, what, Reason.DUPLICATE_DOCUMENT, what=what, value=key,
                                             other=Path(table[key].file).name)
                table[key] = doc
            for i, alias in enumerate(doc.aliases):
                key = normalize(alias)
                other = alias_owner.get(key)
                if other is not None and other is not doc:
                    raise KnowledgeBaseError(doc.file, f"aliases[{i}]", Reason.DUPLICATE_ALIAS, value=alias,
                                             other=other.number)
                alias_owner[key] = doc
        except KnowledgeBaseError as exc:
            errors.append(exc)

    roles: tuple[Role, ...] = ()
    app_related: tuple[RelatedDocument, ...] = ()
    if app_file is not None:
        try:
            roles, app_related = _parse_applicability(app_file, pending)
        except KnowledgeBaseError as exc:
            errors.append(exc)

    _check_refs(pending, by_number, broken, errors)
    if errors:
        return None, errors
    ordered = sorted(documents, key=lambda d: (d.status is not Status.IN_FORCE, d.issued, d.number))
    return KnowledgeBase(documents=tuple(ordered), roles=roles, related_documents=app_related), []


def load_knowledge_base(path: str | Path | None = None) -> KnowledgeBase:
    """Load the knowledge base or raise the first KnowledgeBaseError (file, place, reason)."""
    kb, errors = check_knowledge_base(path)
    if errors:
        raise errors[0]
    assert kb is not None
    return kb

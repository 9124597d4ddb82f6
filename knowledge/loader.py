"""Loads and checks the YAML knowledge base; a bad file is refused with file, place and reason.

The bot answers legal questions from these files, so a wrong article number, an invented summary on an
unverified article or a dangling reference must stop deployment (`hopthu kb check`) rather than reach a
citizen. Checks are strict on purpose: unknown keys are refused (they are usually typos that would
silently drop data), dates are parsed by us (PyYAML would turn "2007-02-30" into a crash without a
place), duplicate keys are refused (PyYAML would keep the last one silently).
"""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.amendments import AMENDMENTS_FILE, PendingChange, attach_amendments, parse_amendments
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
from knowledge.yaml_fields import Checker, read_yaml, type_name

__all__ = [
    "AMENDMENTS_FILE",
    "APPLICABILITY_FILE",
    "DEFAULT_DIR",
    "check_knowledge_base",
    "load_knowledge_base",
]

DEFAULT_DIR = Path(__file__).resolve().parent
APPLICABILITY_FILE = "applicability.yaml"


# --- documents -----------------------------------------------------------------------------------

_DOC_REQUIRED = ("id", "number", "kind", "title", "issuer", "issued", "effective", "status",
                 "source", "aliases", "chapters")
_DOC_OPTIONAL = ("signer", "status_note", "replaced_by", "related_documents", "text_source")
_ARTICLE_OPTIONAL = ("title", "section", "summary", "missing", "text", "keywords", "questions", "sources",
                     "current", "details")


class _PendingRefs:
    """References seen while parsing, checked once every document is known.

    A reference may name a KB document or any related_documents entry of the knowledge base (the union):
    a decree is first known by reference, then becomes a KB document, without touching its referrers.
    """

    def __init__(self) -> None:
        self.items: list[tuple[Checker, str, str, ArticleRef | None, str]] = []

    def add(self, checker: Checker, place: str, document: str, ref: ArticleRef | None, own: str) -> None:
        self.items.append((checker, place, document, ref, own))


def _parse_document(file: Path, pending: _PendingRefs) -> Document:
    data, lines = read_yaml(file)
    c = Checker(file, lines)
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
    text_source = c.text_source(m, "")

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
        pending.add(c, f"{where}.document", rep.document, None, number)
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
    first_text: str | None = None  # place of the first article carrying official text
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
            text = c.article_text(a, "text", ap)
            if text is not None and first_text is None:
                first_text = f"{ap}.text"
            sources = c.texts(a, "sources", ap, required=verified is not Verified.NONE, urls=True)
            current = c.refs(a, "current", ap)
            if current and status is Status.IN_FORCE:
                raise c.fail(f"{ap}.current", Reason.CURRENT_ON_IN_FORCE)
            for where, ref in current:
                pending.add(c, f"{where}.document", ref.document, ref, number)
            details = c.refs(a, "details", ap)  # in-force decree -> the Law articles it details
            if details and status is not Status.IN_FORCE:
                raise c.fail(f"{ap}.details", Reason.DETAILS_NOT_IN_FORCE)
            for where, ref in details:
                pending.add(c, f"{where}.document", ref.document, ref, number)
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
                details=tuple(ref for _, ref in details),
                document=number,
                chapter_index=ci,
                text=text,
            ))
        raw_no = ch.get("number")
        if isinstance(raw_no, bool) or not isinstance(raw_no, str | int | type(None)):
            raise c.fail(f"{cp}.number", Reason.WRONG_TYPE, expected="text or number",
                         found=type_name(raw_no))
        chapters.append(Chapter(
            number=str(raw_no).strip() if raw_no is not None and str(raw_no).strip() else None,
            title=c.text(ch, "title", cp, nullable=True),
            title_verified=c.boolean(ch, "title_verified", cp, default=False),
            articles=tuple(articles),
        ))
    if first_text is not None and text_source is None:
        raise c.fail("text_source", Reason.TEXT_SOURCE_REQUIRED)

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
        text_source=text_source,
    )


# --- applicability -------------------------------------------------------------------------------


def _parse_applicability(file: Path, pending: _PendingRefs) -> tuple[tuple[Role, ...],
                                                                    tuple[RelatedDocument, ...]]:
    data, lines = read_yaml(file)
    c = Checker(file, lines)
    m = c.mapping(data, "", ("roles",), ("related_documents",))
    related = c.related(m, "")
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
                pending.add(c, f"{rp}.{key}[{i}]", number, None, "")
        rights = []
        for gi, raw_right in enumerate(c.items(r, "rights", rp, required=True)):
            gp = f"{rp}.rights[{gi}]"
            g = c.mapping(raw_right, gp, ("kind", "text", "refs"), ())
            refs = c.refs(g, "refs", gp, required=True)
            for where, ref in refs:
                pending.add(c, f"{where}.document", ref.document, ref, "")
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


def _locate(path: str | Path | None) -> tuple[Path, Path | None, Path | None]:
    """(folder of document files, applicability file, amendments file) for a KB or a documents folder."""
    base = Path(path) if path is not None else DEFAULT_DIR
    folder = base / "documents" if (base / "documents").is_dir() else base
    found: list[Path | None] = []
    for name in (APPLICABILITY_FILE, AMENDMENTS_FILE):
        candidates = (base / name,) if folder != base else (base / name, base.parent / name)
        found.append(next((c for c in candidates if c.is_file()), None))
    return folder, found[0], found[1]


def _check_refs(pending: _PendingRefs, docs: dict[str, Document], related: set[str], broken: set[str],
                errors: list[KnowledgeBaseError]) -> None:
    for checker, place, number, ref, own in pending.items:
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


def _declared_related(file: Path) -> set[str]:
    """The related_documents numbers of a refused applicability file, so documents citing them still pass."""
    try:
        data, lines = read_yaml(file)
        return {r.number for r in Checker(file, lines).related(data, "")} if isinstance(data, dict) else set()
    except KnowledgeBaseError:
        return set()


def check_knowledge_base(path: str | Path | None = None) -> tuple[KnowledgeBase | None,
                                                                  list[KnowledgeBaseError]]:
    """Load everything and return (knowledge base or None, every error found: first per file + references).

    `path` is a KB folder (holding documents/, applicability.yaml and amendments.yaml) or a folder of
    document files; None means the knowledge base shipped in this package.
    """
    folder, app_file, amendments_file = _locate(path)
    errors: list[KnowledgeBaseError] = []
    pending = _PendingRefs()
    files = sorted(p for p in folder.glob("*.yaml")
                   if p.name not in (APPLICABILITY_FILE, AMENDMENTS_FILE)) if folder.is_dir() else []
    if not files:
        return None, [KnowledgeBaseError(folder, "", Reason.NO_DOCUMENTS)]
    documents: list[Document] = []
    broken: set[str] = set()
    for file in files:
        own = _PendingRefs()  # a refused file's references are not checked: its own error is enough
        try:
            documents.append(_parse_document(file, own))
            pending.items += own.items
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

    related = {r.number for doc in documents for r in doc.related_documents}
    roles: tuple[Role, ...] = ()
    app_related: tuple[RelatedDocument, ...] = ()
    if app_file is not None:
        own = _PendingRefs()
        try:
            roles, app_related = _parse_applicability(app_file, own)
            pending.items += own.items
        except KnowledgeBaseError as exc:
            errors.append(exc)
            related |= _declared_related(app_file)
    related |= {r.number for r in app_related}

    changes: list[PendingChange] = []
    if amendments_file is not None:
        try:
            changes = parse_amendments(amendments_file)
        except KnowledgeBaseError as exc:
            errors.append(exc)

    _check_refs(pending, by_number, related, broken, errors)
    documents = attach_amendments(documents, [c for c in changes if c.amendment.target not in broken],
                                  by_number, related, errors)
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

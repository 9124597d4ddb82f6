"""Later changes to documents of the knowledge base (knowledge/amendments.yaml), attached to articles.

A law in force may have been amended since it was issued (Luật 97/2025/QH15 amended Luật 10/2022/QH15),
and the 2025 local-government reform changed who does what everywhere. The bot must not present the
2022 wording as today's rule without saying so: each change is recorded once here, with the amending
document, the date, a Vietnamese note shown with the article, and — only when sourced — the new
official wording, which then becomes the article's text in force.

```yaml
changes:
  - target: 10/2022/QH15   # the amended KB document
    article: 83            # null = the whole document (a notice)
    by: 97/2025/QH15       # KB document or a related_documents entry
    since: 2025-07-01
    change: amended        # amended | added | repealed | notice
    verified: none         # full | partial | none; full/partial exactly when `text` is given
    text: null             # new official wording, same khoản/điểm format as an article's `text:`
    note: >-
      …
    source: https://…
```
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path

from knowledge.errors import KnowledgeBaseError, Reason
from knowledge.model import Amendment, Change, Document, Verified
from knowledge.yaml_fields import Checker, read_yaml

__all__ = ["AMENDMENTS_FILE", "PendingChange", "attach_amendments", "parse_amendments"]

AMENDMENTS_FILE = "amendments.yaml"

_REQUIRED = ("target", "by", "since", "change", "verified", "note")
_OPTIONAL = ("article", "text", "source")


@dataclasses.dataclass(frozen=True, slots=True)
class PendingChange:
    """A parsed change with where it was written, checked against the documents once all are loaded."""

    checker: Checker
    place: str
    amendment: Amendment


def parse_amendments(file: Path) -> list[PendingChange]:
    """Every entry of the amendments file, each checked on its own (references are checked later)."""
    data, lines = read_yaml(file)
    c = Checker(file, lines)
    m = c.mapping(data, "", ("changes",), ())
    out: list[PendingChange] = []
    for i, raw in enumerate(c.items(m, "changes", "")):
        place = f"changes[{i}]"
        e = c.mapping(raw, place, _REQUIRED, _OPTIONAL)
        article = c.integer(e, "article", place) if e.get("article") is not None else None
        verified = c.choice(e, "verified", place, Verified)
        text = c.article_text(e, "text", place)
        if verified is not Verified.NONE and text is None:
            raise c.fail(f"{place}.text", Reason.AMENDMENT_TEXT_REQUIRED, verified=verified.value)
        if text is not None and (verified is Verified.NONE or article is None):
            raise c.fail(f"{place}.text", Reason.AMENDMENT_TEXT_FORBIDDEN)
        since = c.date(e, "since", place)
        assert since is not None
        out.append(PendingChange(c, place, Amendment(
            target=c.text(e, "target", place) or "",
            article=article,
            by=c.text(e, "by", place) or "",
            since=since,
            change=c.choice(e, "change", place, Change),
            verified=verified,
            text=text,
            note=c.text(e, "note", place) or "",
            source=c.url(e, "source", place, nullable=True),
        )))
    return out


def check_change(change: PendingChange, docs: dict[str, Document], related: set[str]) -> None:
    """Refuse a change whose target is not a KB document/article, or whose `by` is unknown."""
    a, c, place = change.amendment, change.checker, change.place
    target = docs.get(a.target)
    if target is None:
        raise c.fail(f"{place}.target", Reason.UNKNOWN_DOCUMENT, value=a.target)
    if a.article is not None and a.change is not Change.ADDED and target.article(a.article) is None:
        raise c.fail(f"{place}.article", Reason.UNKNOWN_ARTICLE, document=a.target, article=a.article)
    if a.by == a.target:
        raise c.fail(f"{place}.by", Reason.SELF_REFERENCE)
    if a.by not in docs and a.by not in related:
        raise c.fail(f"{place}.by", Reason.UNKNOWN_DOCUMENT, value=a.by)
    if a.since < target.effective:
        raise c.fail(f"{place}.since", Reason.DATE_ORDER, later="since", later_value=a.since,
                     earlier="effective", earlier_value=target.effective)


def attach_amendments(documents: list[Document], changes: list[PendingChange], docs: dict[str, Document],
                      related: set[str], errors: list[KnowledgeBaseError]) -> list[Document]:
    """The documents with each valid change attached to its article (or to the document as a notice)."""
    by_article: dict[tuple[str, int], list] = defaultdict(list)
    notices: dict[str, list] = defaultdict(list)
    for change in changes:
        try:
            check_change(change, docs, related)
        except KnowledgeBaseError as exc:
            errors.append(exc)
            continue
        a = change.amendment
        if a.article is None or docs[a.target].article(a.article) is None:  # whole document, or added article
            notices[a.target].append(a)
        else:
            by_article[(a.target, a.article)].append(a)
    if not by_article and not notices:
        return documents
    out = []
    for doc in documents:
        chapters = tuple(
            dataclasses.replace(ch, articles=tuple(
                dataclasses.replace(art, amendments=_oldest_first(by_article[(doc.number, art.number)]))
                if (doc.number, art.number) in by_article else art
                for art in ch.articles))
            for ch in doc.chapters)
        out.append(dataclasses.replace(doc, chapters=chapters, notices=_oldest_first(notices.get(doc.number, []))))
    return out


def _oldest_first(items: list[Amendment]) -> tuple[Amendment, ...]:
    return tuple(sorted(items, key=lambda a: a.since))

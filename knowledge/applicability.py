"""Which documents apply to whom (/apdung): resident, public servant, worker, commune official.

The data lives in knowledge/applicability.yaml (checked by the loader like every document); this module
answers the questions the bot asks of it, so handlers never walk the YAML structures themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.model import ArticleRef, KnowledgeBase, RelatedDocument, Right, Role, Status
from knowledge.normalize import normalize

__all__ = ["ROLE_IDS", "DocumentInfo", "RoleAnswer", "applicable", "guess_role", "roles"]

# The four roles of /apdung, in the order the bot offers them.
ROLE_IDS: tuple[str, ...] = ("resident", "public_servant", "worker", "commune_official")


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A document named in an answer: KB documents carry their status, external ones only a link."""

    number: str
    label: str
    title: str
    status: Status | None  # None for a document known only by reference
    link: str | None


@dataclass(frozen=True, slots=True)
class RoleAnswer:
    """Everything /apdung shows for one role; rights in the order công khai, bàn và quyết định,
    tham gia ý kiến, kiểm tra giám sát."""

    role: Role
    old: tuple[DocumentInfo, ...]
    current: tuple[DocumentInfo, ...]
    rights: tuple[tuple[Right, str, tuple[ArticleRef, ...]], ...]


def roles(kb: KnowledgeBase) -> tuple[Role, ...]:
    """The roles in the order of ROLE_IDS (then any other the YAML defines)."""
    order = {rid: i for i, rid in enumerate(ROLE_IDS)}
    return tuple(sorted(kb.roles, key=lambda r: order.get(r.id, len(order))))


def _info(kb: KnowledgeBase, number: str, related: tuple[RelatedDocument, ...]) -> DocumentInfo:
    doc = kb.document(number)
    if doc is not None:
        return DocumentInfo(doc.number, doc.label, doc.title, doc.status, doc.source)
    rel = next((r for r in related if r.number == number), None) or kb.related(number)
    return DocumentInfo(number, kb.label(number), rel.title if rel else number, None, rel.link if rel else None)


def applicable(kb: KnowledgeBase, role_id: str) -> RoleAnswer:
    """The documents (old and current) and the main rights of a role; KeyError for an unknown role."""
    role = kb.role(role_id)
    if role is None:
        raise KeyError(role_id)
    order = list(Right)
    rights = tuple(sorted(((r.kind, r.text, r.refs) for r in role.rights), key=lambda x: order.index(x[0])))
    return RoleAnswer(
        role=role,
        old=tuple(_info(kb, n, role.related_documents) for n in role.old_documents),
        current=tuple(_info(kb, n, role.related_documents) for n in role.current_documents),
        rights=rights,
    )


def guess_role(kb: KnowledgeBase, text: str) -> Role | None:
    """The role whose cue words best match free text ("tôi là công nhân" -> worker); None if unclear.

    The longest matching cue wins, so "công chức xã" means a commune official, not any civil servant.
    """
    padded = f" {normalize(text)} "
    best: tuple[int, Role] | None = None
    tie = False
    for role in roles(kb):
        for cue in role.cues:
            norm = normalize(cue)
            if norm and f" {norm} " in padded:
                length = len(norm.split())
                if best is None or length > best[0]:
                    best, tie = (length, role), False
                elif length == best[0] and best[1].id != role.id:
                    tie = True
    return None if best is None or tie else best[1]

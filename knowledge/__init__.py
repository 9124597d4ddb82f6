"""The knowledge base of grassroots-democracy documents: YAML files, loader, normalisation and search.

Never imports telegram: the bot, the CLI and the benchmarks all use the same pure-Python API.
"""

from knowledge.errors import KnowledgeBaseError, Reason
from knowledge.loader import check_knowledge_base, load_knowledge_base
from knowledge.model import (
    Amendment,
    Article,
    ArticleRef,
    ArticleText,
    Change,
    Chapter,
    Clause,
    Document,
    KnowledgeBase,
    Point,
    RelatedDocument,
    Replacement,
    Right,
    Role,
    RoleRight,
    Status,
    TextSource,
    Verified,
    cite_label,
)
from knowledge.normalize import normalize

__all__ = [
    "Amendment",
    "Article",
    "ArticleRef",
    "ArticleText",
    "Change",
    "Chapter",
    "Clause",
    "Document",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Point",
    "Reason",
    "RelatedDocument",
    "Replacement",
    "Right",
    "Role",
    "RoleRight",
    "Status",
    "TextSource",
    "Verified",
    "check_knowledge_base",
    "cite_label",
    "load_knowledge_base",
    "normalize",
]

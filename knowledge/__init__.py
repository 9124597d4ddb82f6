"""The knowledge base of grassroots-democracy documents: YAML files, loader, normalisation and search.

Never imports telegram: the bot, the CLI and the benchmarks all use the same pure-Python API.
"""

from knowledge.errors import KnowledgeBaseError, Reason
from knowledge.loader import check_knowledge_base, load_knowledge_base
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
    "Article",
    "ArticleRef",
    "Chapter",
    "Document",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Reason",
    "RelatedDocument",
    "Replacement",
    "Right",
    "Role",
    "RoleRight",
    "Status",
    "Verified",
    "check_knowledge_base",
    "load_knowledge_base",
    "normalize",
]

"""The one exception of the knowledge base: which file, where in it, and why it was refused.

The exception carries data (a reason code and its details), not a finished sentence: the CLI words it
in Vietnamese from `bot/texts/cli.py`, tests assert on the code, and `str()` stays readable in logs.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any


class Reason(StrEnum):
    """Why a knowledge-base file was refused; each has a Vietnamese sentence in bot/texts/cli.py."""

    YAML_SYNTAX = "yaml_syntax"
    NOT_A_MAPPING = "not_a_mapping"
    NOT_A_LIST = "not_a_list"
    MISSING_FIELD = "missing_field"
    UNKNOWN_FIELD = "unknown_field"
    DUPLICATE_KEY = "duplicate_key"
    WRONG_TYPE = "wrong_type"
    EMPTY = "empty"
    BAD_VALUE = "bad_value"
    BAD_DATE = "bad_date"
    BAD_URL = "bad_url"
    DATE_ORDER = "date_order"
    FILE_NAME = "file_name"
    DUPLICATE_DOCUMENT = "duplicate_document"
    DUPLICATE_ALIAS = "duplicate_alias"
    DUPLICATE_ARTICLE = "duplicate_article"
    ARTICLE_ORDER = "article_order"
    SUMMARY_REQUIRED = "summary_required"
    SUMMARY_FORBIDDEN = "summary_forbidden"
    MISSING_REQUIRED = "missing_required"
    MISSING_FORBIDDEN = "missing_forbidden"
    STATUS_NOTE_REQUIRED = "status_note_required"
    REPLACED_BY_REQUIRED = "replaced_by_required"
    CURRENT_ON_IN_FORCE = "current_on_in_force"
    DETAILS_NOT_IN_FORCE = "details_not_in_force"
    UNKNOWN_DOCUMENT = "unknown_document"
    UNKNOWN_ARTICLE = "unknown_article"
    SELF_REFERENCE = "self_reference"
    NO_DOCUMENTS = "no_documents"
    DUPLICATE_ROLE = "duplicate_role"
    CLAUSE_ORDER = "clause_order"
    POINT_ORDER = "point_order"
    CLAUSE_AFTER_POINTS = "clause_after_points"
    TEXT_SOURCE_REQUIRED = "text_source_required"
    AMENDMENT_TEXT_REQUIRED = "amendment_text_required"
    AMENDMENT_TEXT_FORBIDDEN = "amendment_text_forbidden"


# English fallback wording, for str() and logs only; users read bot/texts/cli.py.
_ENGLISH: dict[Reason, str] = {
    Reason.YAML_SYNTAX: "YAML syntax error: {detail}",
    Reason.NOT_A_MAPPING: "expected a mapping (key: value)",
    Reason.NOT_A_LIST: "expected a list",
    Reason.MISSING_FIELD: "missing field {field!r}",
    Reason.UNKNOWN_FIELD: "unknown field {field!r}",
    Reason.DUPLICATE_KEY: "key {field!r} appears twice",
    Reason.WRONG_TYPE: "expected {expected}, found {found}",
    Reason.EMPTY: "must not be empty",
    Reason.BAD_VALUE: "{value!r} is not one of {allowed}",
    Reason.BAD_DATE: "{value!r} is not an ISO date (YYYY-MM-DD)",
    Reason.BAD_URL: "{value!r} is not an http(s) link",
    Reason.DATE_ORDER: "{later} ({later_value}) is before {earlier} ({earlier_value})",
    Reason.FILE_NAME: "file name must be {expected!r} (the id)",
    Reason.DUPLICATE_DOCUMENT: "{what} {value!r} is already used by {other}",
    Reason.DUPLICATE_ALIAS: "alias {value!r} also names {other}",
    Reason.DUPLICATE_ARTICLE: "article {number} appears twice",
    Reason.ARTICLE_ORDER: "article {number} comes after article {previous}",
    Reason.SUMMARY_REQUIRED: "a {verified!r} article needs a summary",
    Reason.SUMMARY_FORBIDDEN: "an unverified article must not have a summary",
    Reason.MISSING_REQUIRED: "a partial article must say what is missing",
    Reason.MISSING_FORBIDDEN: "only a partial article has 'missing'",
    Reason.STATUS_NOTE_REQUIRED: "a {status!r} document needs a status_note",
    Reason.REPLACED_BY_REQUIRED: "a superseded document needs replaced_by",
    Reason.CURRENT_ON_IN_FORCE: "a document in force has no 'current' articles",
    Reason.DETAILS_NOT_IN_FORCE: "only an article of a document in force details the Law ('details')",
    Reason.UNKNOWN_DOCUMENT: "document {value!r} is neither in the knowledge base nor in related_documents",
    Reason.UNKNOWN_ARTICLE: "document {document} has no article {article}",
    Reason.SELF_REFERENCE: "a document cannot refer to itself here",
    Reason.NO_DOCUMENTS: "no document file (*.yaml) found",
    Reason.DUPLICATE_ROLE: "role {value!r} appears twice",
    Reason.CLAUSE_ORDER: "khoản {number} where khoản {expected} was expected (1, 2, 3… in order)",
    Reason.POINT_ORDER: "điểm {letter} where điểm {expected} was expected (a, b, c, d, đ, e… in order)",
    Reason.CLAUSE_AFTER_POINTS: "khoản {number} after điểm written directly under the article",
    Reason.TEXT_SOURCE_REQUIRED: "articles carry official text, so the document needs text_source",
    Reason.AMENDMENT_TEXT_REQUIRED: "a {verified!r} change needs the new text",
    Reason.AMENDMENT_TEXT_FORBIDDEN: "text only on a verified change of one article (full or partial)",
}


class KnowledgeBaseError(Exception):
    """A knowledge-base file is refused: `file`, `place` (e.g. chapters[2].articles[4].summary), `reason`.

    `line` is the 1-based line in the file when known; `details` fill the reason's sentence.
    """

    def __init__(
        self, file: str | Path, place: str, reason: Reason, *, line: int | None = None, **details: Any
    ) -> None:
        self.file = str(file)
        self.place = place
        self.reason = Reason(reason)
        self.line = line
        self.details = details
        super().__init__(self._english())

    def _english(self) -> str:
        try:
            why = _ENGLISH[self.reason].format(**self.details)
        except (KeyError, IndexError):
            why = f"{self.reason.value} {self.details}"
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.place or '(file)'}: {why}"

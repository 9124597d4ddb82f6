"""`hopthu kb check` and `hopthu ask [--json] "câu hỏi"`: the knowledge base from the command line.

`kb check` is what an admin runs before deploying an edited YAML file; `ask` prints exactly the answer
the bot would give (same bot.answers builder), or with --json the ranked hits for scripts and tests.
Neither imports telegram.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.texts import cli as T
from knowledge.errors import KnowledgeBaseError


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("kb", help=T.KB_HELP)
    commands = parser.add_subparsers(dest="kb_command", metavar="LỆNH")
    check = commands.add_parser("check", help=T.KB_CHECK_HELP)
    check.add_argument("--dir", dest="kb_dir", help=T.KB_DIR_HELP)
    check.set_defaults(func=run_check)
    parser.set_defaults(func=lambda _args: parser.print_help() or 2)

    ask = subparsers.add_parser("ask", help=T.ASK_HELP)
    ask.add_argument("question", nargs="+", help=T.ASK_QUESTION_HELP)
    ask.add_argument("--json", action="store_true", help=T.ASK_JSON_HELP)
    ask.add_argument("--limit", type=int, default=5, help=T.ASK_LIMIT_HELP)
    ask.add_argument("--dir", dest="kb_dir", help=T.KB_DIR_HELP)
    ask.set_defaults(func=run_ask)


def error_line(error: KnowledgeBaseError) -> str:
    """One Vietnamese line per refused file: file, line, place, reason."""
    template = T.KB_REASONS.get(error.reason.value)
    try:
        reason = template.format(**error.details) if template else str(error)
    except (KeyError, IndexError, ValueError):
        reason = str(error)
    return T.KB_ERROR_LINE.format(
        file=error.file,
        line=T.KB_ERROR_AT_LINE.format(line=error.line) if error.line else "",
        place=error.place or T.KB_ERROR_WHOLE_FILE,
        reason=reason,
    )


def run_check(args: argparse.Namespace) -> int:
    from knowledge.loader import DEFAULT_DIR, check_knowledge_base
    from knowledge.model import Verified

    path = Path(args.kb_dir) if args.kb_dir else DEFAULT_DIR
    print(T.KB_CHECK_HEADER.format(path=path))
    kb, errors = check_knowledge_base(path)
    if errors or kb is None:
        print(T.KB_ERRORS_HEADER.format(count=len(errors)), file=sys.stderr)
        for error in errors:
            print(error_line(error), file=sys.stderr)
        return 1
    totals = {"chapters": 0, "articles": 0, "full": 0, "partial": 0, "none": 0}
    for doc in kb.documents:
        counts = {v.value: sum(a.verified is v for a in doc.articles) for v in Verified}
        print(T.KB_DOCUMENT_LINE.format(label=doc.label, status=T.KB_STATUS.get(doc.status.value, doc.status.value),
                                        chapters=len(doc.chapters), articles=len(doc.articles), **counts))
        totals["chapters"] += len(doc.chapters)
        totals["articles"] += len(doc.articles)
        for key, value in counts.items():
            totals[key] += value
    print(T.KB_TOTAL_LINE.format(documents=len(kb.documents), **totals))
    if kb.roles:
        print(T.KB_ROLES_LINE.format(count=len(kb.roles), roles=", ".join(r.id for r in kb.roles)))
    else:
        print(T.KB_NO_ROLES)
    print(T.KB_OK)
    return 0


def run_ask(args: argparse.Namespace) -> int:
    from bot.answers import build_answer, result_json
    from knowledge.loader import load_knowledge_base
    from knowledge.search import SearchIndex

    question = " ".join(args.question).strip()
    if not question:
        print(T.ASK_EMPTY, file=sys.stderr)
        return 2
    try:
        kb = load_knowledge_base(args.kb_dir)
    except KnowledgeBaseError as error:
        print(T.KB_INVALID, file=sys.stderr)
        print(error_line(error), file=sys.stderr)
        return 1
    result = SearchIndex(kb).search(question, limit=max(1, args.limit))
    if args.json:
        print(json.dumps(result_json(result), ensure_ascii=False))
    else:
        print(build_answer(kb, result, question).text)
    return 0

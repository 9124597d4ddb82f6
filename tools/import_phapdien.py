"""Import official article wording from a Bộ pháp điển markdown copy into the knowledge base YAML.

The pháp điển (phapdien.moj.gov.vn) re-files every article of a topic under a code: in the topic
"Thực hiện dân chủ ở cơ sở" (44.13), `Điều 44.13.LQ.15.` is Điều 15 of the Law, `44.13.NĐ.1.N` Điều N of
the first decree, and so on; each heading is followed by a line naming the original article
("(Điều 15 Luật số 10/2022/QH15 …)"), then the article's paragraphs. Headings are sometimes glued to
the end of the previous paragraph in the copy, so they are searched inside lines too.

Usage:
  python tools/import_phapdien.py extract SRC CODE [ARTICLE…]     print `text:` blocks (CODE: LQ, NĐ.1…)
  python tools/import_phapdien.py fill-law SRC [YAML]              fill `text:` of every article of the Law

`fill-law` edits the YAML textually (comments and layout kept): it inserts or replaces the `text:` key
after each article's `summary:` and sets the document's `text_source:` after `source:`.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.article_text import TextError, parse_article_text  # noqa: E402

LAW_YAML = ROOT / "knowledge" / "documents" / "luat-10-2022.yaml"
LAW_CODE = "LQ"
LAW_NUMBER = "10/2022/QH15"

# Where the copy used by `fill-law` comes from (recorded as the Law's text_source).
PHAPDIEN_NAME = "Bộ pháp điển — đề mục Thực hiện dân chủ ở cơ sở (bản sao trên GitHub)"
PHAPDIEN_LINK = ("https://github.com/diepxuan/diepxuan.github.io/blob/fbaa690e/van-ban/"
                 "xay-dung-phap-luat-va-thi-hanh-phap-luat/thuc-hien-dan-chu-o-co-so.md")
PHAPDIEN_NOTE = ("Nguyên văn các điều của Luật 10/2022/QH15 như khi ban hành (chưa gồm sửa đổi năm 2025); "
                 "văn bản quy phạm pháp luật không thuộc đối tượng bảo hộ quyền tác giả (Điều 15 Luật Sở hữu "
                 "trí tuệ).")

_HEADING = re.compile(r"(?:^|(?<=\S))Điều (\d+\.\d+)\.([A-ZĐ]+(?:\.\d+)?)\.(\d+)\.\s+")
_DIVISION = re.compile(r"^(Chương [IVXLC]+|(Tiểu m|M)ục \d+)\.?$")
_DIVISION_START = re.compile(r"^(Chương [IVXLC]+|(Tiểu m|M)ục \d+)\b")
_ORIGIN = re.compile(r"^\(Điều (\d+) (.+)\)$")
_CROSS_REFERENCE = "(Điều này có nội dung liên quan"
_ATTACHMENT = re.compile(r"\.(docx?|pdf|xlsx?|zip)$", re.IGNORECASE)  # "Phu luc_… 59_2023_ND-CP.doc" links
_END = "## Danh sách điều khoản"
_START = "## VĂN BẢN"


@dataclass
class SourceArticle:
    """One article as filed in the pháp điển: its code, number in the original, title and paragraphs."""

    code: str
    number: int
    title: str
    origin: str  # the "(Điều N …)" line naming the original document
    paragraphs: list[str]

    @property
    def text(self) -> str:
        """The `text:` block: one paragraph per line."""
        return "\n".join(self.paragraphs)


def read_articles(source: Path) -> list[SourceArticle]:
    """Every article of the copy, in order of appearance (an article filed twice is kept once)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    try:
        lines = lines[lines.index(_START) + 1:]
    except ValueError:
        pass
    out: list[SourceArticle] = []
    current: SourceArticle | None = None
    for raw in lines:
        line = _clean(raw)
        if line == _END:
            break
        if line.startswith(_CROSS_REFERENCE) or _ATTACHMENT.search(line):
            continue
        if _DIVISION.match(line):
            current = None
            continue
        match = _HEADING.search(line)
        if match is not None:
            before = line[:match.start()].strip()
            if before and current is not None and not _DIVISION_START.match(before):
                current.paragraphs.append(before)
            title = line[match.end():].strip()
            current = SourceArticle(match.group(2), int(match.group(3)), title, "", [])
            out.append(current)
            continue
        if current is None or not line:
            continue
        if not current.origin and not current.paragraphs and _ORIGIN.match(line):
            current.origin = line
            continue
        current.paragraphs.append(line)
    return _first_of_each(out)


def _clean(raw: str) -> str:
    """The line as text: NFC, without the copy's HTML layout (no-break spaces, soft hyphens)."""
    line = unicodedata.normalize("NFC", raw).replace("\xad", "")
    return re.sub(r"[ \xa0]+", " ", line).strip()


def _first_of_each(articles: list[SourceArticle]) -> list[SourceArticle]:
    seen: set[tuple[str, int]] = set()
    out = []
    for article in articles:
        if (article.code, article.number) not in seen:
            seen.add((article.code, article.number))
            out.append(article)
    return out


def articles_of(source: Path, code: str, numbers: list[int] | None = None) -> dict[int, SourceArticle]:
    """The articles filed under `code` (LQ, NĐ.1, NĐ.2, NĐ.3…) by number in the original, each checked.

    `numbers` limits the result (and the checks) to those articles; a wanted article that is missing or
    whose numbering does not parse stops the import, so no half-read wording reaches the YAML.
    """
    found = {a.number: a for a in read_articles(source)
             if a.code == code and (not numbers or a.number in numbers)}
    for article in found.values():
        origin = _ORIGIN.match(article.origin)
        if origin is None or int(origin.group(1)) != article.number:
            raise SystemExit(f"{code}.{article.number}: origin line does not name Điều {article.number}: "
                             f"{article.origin!r}")
        if not article.paragraphs:
            raise SystemExit(f"{code}.{article.number}: no text")
        try:
            parse_article_text(article.text)
        except TextError as exc:
            raise SystemExit(f"{code}.{article.number}: {exc}") from None
    return found


def text_block(text: str, indent: int) -> list[str]:
    """`text: |` with the paragraphs indented under it."""
    pad = " " * indent
    return [f"{pad}text: |\n"] + [f"{pad}  {p}\n" for p in text.splitlines()]


def fill_yaml(yaml_file: Path, texts: dict[int, str], source: tuple[str, str, str]) -> list[int]:
    """Insert/replace `text:` after each article's summary and set text_source; the article numbers done."""
    lines = yaml_file.read_text(encoding="utf-8").splitlines(keepends=True)
    out: list[str] = []
    done: list[int] = []
    number: int | None = None
    key_indent: int | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        start = re.match(r"^(\s*)- number: (\d+)\s*$", line)
        if start is not None:
            number, key_indent = int(start.group(2)), len(start.group(1)) + 2
        key = re.match(r"^(\s*)(\w+):", line)
        if key is not None and key_indent is not None and len(key.group(1)) == key_indent:
            if key.group(2) == "text":  # an older text: dropped, rewritten after summary
                i = _block_end(lines, i, key_indent)
                continue
            if key.group(2) == "summary" and number in texts:
                end = _block_end(lines, i, key_indent)
                out += lines[i:end]
                out += text_block(texts[number], key_indent)
                done.append(number)
                i = end
                continue
        if re.match(r"^text_source:", line):
            i = _block_end(lines, i, 0)
            continue
        out.append(line)
        if re.match(r"^source:", line):
            name, link, note = source
            out += ["text_source:\n", f"  name: {name}\n", f"  link: {link}\n", "  note: >-\n",
                    f"    {note}\n"]
        i += 1
    yaml_file.write_text("".join(out), encoding="utf-8")
    return done


def _block_end(lines: list[str], i: int, indent: int) -> int:
    """Index of the first line after the key at lines[i] and its nested block."""
    j = i + 1
    while j < len(lines):
        stripped = lines[j].strip()
        if stripped and len(lines[j]) - len(lines[j].lstrip()) <= indent:
            break
        j += 1
    return j


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    ex = sub.add_parser("extract", help="print text blocks of the articles filed under CODE")
    ex.add_argument("source", type=Path)
    ex.add_argument("code")
    ex.add_argument("articles", nargs="*", type=int)
    fill = sub.add_parser("fill-law", help="fill text: of every article of Luật 10/2022/QH15")
    fill.add_argument("source", type=Path)
    fill.add_argument("yaml", type=Path, nargs="?", default=LAW_YAML)
    args = parser.parse_args(argv)
    if args.mode == "extract":
        found = articles_of(args.source, args.code, args.articles)
        for number in args.articles or sorted(found):
            article = found.get(number)
            if article is None:
                print(f"# {args.code}.{number}: not in the copy", file=sys.stderr)
                continue
            print(f"# Điều {number}. {article.title}  {article.origin}")
            print("".join(text_block(article.text, 8)))
        return 0
    found = articles_of(args.source, LAW_CODE)
    done = fill_yaml(args.yaml, {n: a.text for n, a in found.items()}, (PHAPDIEN_NAME, PHAPDIEN_LINK, PHAPDIEN_NOTE))
    missing = sorted(set(found) - set(done))
    print(f"{len(done)} articles filled; in the copy but not in the YAML: {missing or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

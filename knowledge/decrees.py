"""How the in-force decrees relate to the Law they detail, for the search (knowledge/search.py).

- `details_of`: the Law articles a decree article details — cited in its official text ("… Điều 38 của
  Luật Thực hiện dân chủ ở cơ sở") or listed in its `details:` in the YAML. The search treats such a
  pair as one matter when it decides whether it is sure.
- `decree_subjects`: two-word terms naming a decree's whole subject ("hương ước" -> NĐ 61/2023).
- `private_employer` / `state_only`: a question about a private employer vs the Law's articles that
  govern only state-owned enterprises (NĐ 145/2020 covers every employer).
"""

from __future__ import annotations

import re
from collections import defaultdict

from knowledge.model import Article, Document, KnowledgeBase, Status
from knowledge.normalize import normalize
from knowledge.query import terms

__all__ = ["LAW_NUMBER", "decree_subjects", "details_of", "official_parts", "private_employer", "state_only"]


def official_parts(art: Article) -> list[str]:
    """The official wording in force (intro, khoản, điểm) as separate texts; none when not carried."""
    text = art.text_in_force
    if text is None:
        return []
    return [text.intro, *(p.text for p in text.points),
            *(x for c in text.clauses for x in (c.text, *(p.text for p in c.points)))]


# "… Điều 38 của Luật Thực hiện dân chủ ở cơ sở", "khoản 3 Điều 40 của Luật …" in a decree's official text
_LAW_CITE = re.compile(r"((?:(?:khoan \d+ |diem \w )*dieu \d+(?: va | |, |; )?)+)(?:cua )?luat "
                       r"(?:thuc hien dan chu o co so|dan chu co so)\b")
_ARTICLE_NO = re.compile(r"\bdieu (\d+)")
LAW_NUMBER = "10/2022/QH15"
_STATE_ONLY = " doanh nghiep nha nuoc "
# an employer named without "nhà nước": the state-owned-enterprise rules fit it less than the Labour
# Code's decree (NĐ 145/2020), which covers every employer
_PRIVATE = re.compile(r"\b(?:tu nhan|tnhh|co phan|von nuoc ngoai|fdi|ngoai nha nuoc)\b")
_COMPANY = re.compile(r"\b(?:cong ty|cty|doanh nghiep|nha may|xi nghiep)\b")
_STATE = re.compile(r"\b(?:nha nuoc|dnnn|quoc doanh)\b")


def details_of(doc: Document, art: Article, kb: KnowledgeBase) -> set[tuple[str, int]]:
    """The Law articles an in-force decree article details: those its official text cites by number
    ("… theo quy định tại Điều 38 của Luật Thực hiện dân chủ ở cơ sở"). The two speak of one matter, so
    the "sure" decision measures the gap to the next article of ANOTHER matter, not to this pair. The
    article's `details:` list in the YAML adds the ones it details without citing them by number."""
    if (doc.status is not Status.IN_FORCE or doc.number == LAW_NUMBER or not doc.kind.startswith("Nghị")
            or normalize(art.title or "").startswith("pham vi")):  # the scope article lists, it details none
        return set()
    law = next((d for d in kb.documents if d.number == LAW_NUMBER), None)
    if law is None:
        return set()
    have = {a.number for a in law.articles}
    text = normalize(" ".join(official_parts(art)))
    cited = {int(n) for span in _LAW_CITE.findall(text) for n in _ARTICLE_NO.findall(span)}
    return {(LAW_NUMBER, n) for n in cited if n in have} | {(r.document, r.article) for r in art.details}


def decree_subjects(entries: list[tuple[str, str, bool]]) -> dict[str, str]:
    """Two-word terms naming the whole subject of an in-force decree (in at least half its article
    titles, in no other document's titles): "huong uoc" -> NĐ 61/2023. A question using one is about
    that decree's rules, which govern it in detail, more than about the Law's one mention of it."""
    by_doc: dict[str, list[set[str]]] = defaultdict(list)
    for number, title, _ in entries:
        by_doc[number].append({x for x in terms(title) if " " in x})
    out: dict[str, str] = {}
    for number, _, decree in entries:
        if not decree or number in out.values():
            continue
        titles = by_doc[number]
        counts: dict[str, int] = defaultdict(int)
        for ts in titles:
            for x in ts:
                counts[x] += 1
        elsewhere = {x for other, ts in by_doc.items() if other != number for t in ts for x in t}
        out.update({x: number for x, c in counts.items() if 2 * c >= len(titles) and x not in elsewhere})
    return out


def private_employer(folded: str) -> float:
    if _STATE.search(folded):
        return 0.0
    if _PRIVATE.search(folded):
        return 1.0
    return 0.5 if _COMPANY.search(folded) else 0.0


def state_only(folded_titles: str) -> bool:
    """Whether an article's folded section and title say it governs only state-owned enterprises."""
    return _STATE_ONLY in f" {folded_titles} "


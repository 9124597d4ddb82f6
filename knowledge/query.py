"""Query understanding for the knowledge-base search: what a question's words say besides its topic.

Kept apart from the index and the scoring because it is about Vietnamese phrasing, not about ranking:
- a quiz or an official opens with "Theo Nghị định số 59/2023/NĐ-CP, …" / "Căn cứ Luật …, …": the
  preamble names the document the answer must come from and its words (the document's long title)
  are not the topic, so the preamble is cut off and kept as a filter;
- the ASPECT asked (duties, composition, term, standards, who convenes, funding, responsibility, what
  vs how, activity) is what tells sibling articles apart ("Tổ chức Ban Thanh tra" vs "Nhiệm vụ, quyền
  hạn của Ban Thanh tra"), so it is read from the question and from each article title;
- everyday words get the documents' terms added (synonyms), and the setting (commune, agency,
  workplace) is read from the words.
All of it works on text folded by `normalize` (no diacritics), so typing without marks changes nothing.
"""

from __future__ import annotations

import itertools
import re

from knowledge.normalize import normalize

__all__ = [
    "ASPECTS",
    "STOPWORDS",
    "SYNONYMS",
    "asks_detail",
    "aspect_match",
    "aspects_of_question",
    "aspects_of_title",
    "expand",
    "pairs",
    "question_domain",
    "quiz_noise",
    "skip_pairs",
    "split_preamble",
    "strip_quiz",
    "terms",
    "title_domain",
]

# Folded function words: they carry no topic, so they are left out of the word overlap (pairs that
# contain them still count: "co quan", "can bo").
STOPWORDS = frozenset(
    """
    a ah ai anh bi boi chi cho chua co con cua cung da dang day de den do duoc gi giup hay hoac khi khong
    la lam ma may minh moi muon nao nay neu nhe nhi nhu nhung o oi ong phai ra roi sao se thi toi tu u
    va vay ve vi voi vao len xin the nhieu bao dau em ba chu ban hoi cai ha
    """.split()
)

# Everyday words for the terms the documents use (folded). Matched on whole words, longest first; the
# document's term is ADDED to the question, never substituted, so nothing the user wrote is lost.
SYNONYMS: dict[str, str] = {
    "cho dan biet": "cong khai",
    "cong bo": "cong khai",
    "thong bao cho dan": "cong khai",
    "minh bach": "cong khai",
    "gop y": "tham gia y kien",
    "hoi y kien": "lay y kien",
    "xin y kien": "lay y kien",
    "hoi dan": "lay y kien",
    "de mat": "giam sat",
    "theo doi": "giam sat",
    "xom": "thon",
    "hop xom": "hop thon",
    "truong xom": "truong thon",
    "truong ap": "truong thon",
    "truong ban": "truong thon",
    "sep": "nguoi dung dau",
    "thu truong": "nguoi dung dau",
    "lanh dao co quan": "nguoi dung dau",
    "cong nhan": "nguoi lao dong",
    "nhan vien": "nguoi lao dong",
    "cong ty": "doanh nghiep",
    "uy ban xa": "uy ban nhan dan xa",
    "to giac": "to cao",
    "che tai": "xu ly vi pham",
    "bo phieu": "bieu quyet",
    "gop tien": "dong gop",
    "tien gop": "dong gop",
    "huy bo": "bai bo",
    "gat bo": "bai bo",
    "thang bang luong": "thang luong bang luong",
    "online": "truc tuyen",
    "qua mang": "truc tuyen",
    "noi chuyen truc tiep": "doi thoai",
    "gap go": "doi thoai",
    "bang cach nao": "hinh thuc",
    "cach nao": "hinh thuc",
    "nhung cach": "hinh thuc",
    "kenh nao": "hinh thuc",
    "nhung kenh": "hinh thuc",
    "duoc lam gi": "nhiem vu quyen han",
    "lam nhung viec gi": "nhiem vu quyen han",
    "co quyen gi": "nhiem vu quyen han",
    "may nguoi": "so thanh vien",
    "bao nhieu nguoi": "so thanh vien",
    "may thanh vien": "so thanh vien",
    "truong cap": "truong hoc",
    "khong duoc lam": "nghiem cam",
    "tuyet doi khong": "nghiem cam",
    "bi cam": "nghiem cam",
    "lam gia": "gia mao gian lan",
    "ho khau": "noi cu tru",
    "thuong tru": "noi cu tru",
    "o que": "noi cu tru",
    "noi ve nhung": "pham vi dieu chinh",
    "quy dinh nhung gi": "pham vi dieu chinh",
    "dieu chinh nhung": "pham vi dieu chinh",
    "cham diem": "danh gia",
    "so sach": "tai lieu",
    "nghia vu quan su": "nhap ngu",
    "di bo doi": "nhap ngu",
    "khoa moi": "nhiem ky",
}

# The aspect of a matter a question asks about: (cues in a question, cues that open an article title),
# folded, matched on whole words. Titles of sibling articles differ by exactly these opening words
# ("Tổ chức Ban …", "Tiêu chuẩn thành viên Ban …", "Nhiệm vụ, quyền hạn của Ban …", "Nội dung …" /
# "Hình thức …"); a question that uses a title's own word ("hình thức") is explicit, one that paraphrases
# it ("bằng cách nào") is weaker evidence.
ASPECTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "duties": (("chuc nang", "co quyen gi", "duoc lam gi", "lam nhung viec gi", "lam gi", "co quyen",
                "duoc quyen"),
               ("nhiem vu", "quyen han")),
    "composition": (("gom nhung ai", "gom ai", "gom nhung", "gom co", "bao nhieu thanh vien", "bao nhieu nguoi",
                     "may nguoi", "may thanh vien", "so thanh vien", "bau ra", "ai bau", "do ai bau",
                     "bau nhu the nao", "cong nhan ket qua bau", "to chuc cua ban", "duoc to chuc",
                     "to chuc nhu the nao", "to chuc ra sao"),
                    ("to chuc ban", "to chuc cua ban", "thanh phan", "so luong", "co cau", "thanh lap")),
    "term": (("may nam", "bao nhieu nam", "khoa moi"),
             ("nhiem ky",)),
    "standards": (("dieu kien", "ai duoc bau", "duoc bau vao", "co duoc bau", "ai co the lam",
                   "can nhung gi de", "phai dap ung"),
                  ("tieu chuan",)),
    "convene": (("ai to chuc", "ai dung ra", "do ai to chuc", "ai mo", "bao lau mot lan", "may lan",
                 "dinh ky"),
                ("trieu tap", "chu tri", "to chuc hoi nghi", "to chuc cuoc hop", "to chuc doi thoai",
                 "hoi nghi dinh ky", "to chuc hop")),
    "funding": (("kinh phi hoat dong", "kinh phi cho ban",
                 "chi phi", "ngan sach cho", "thu lao", "phu cap", "tien dau", "lay tien", "tien de",
                 "ai tra tien", "ai chi tien"),
                ("kinh phi",)),
    "responsibility": (("cua ai", "ai phai", "ai lo", "ai chiu"),
                       ("trach nhiem",)),
    "content": (("nhung gi", "nhung viec gi", "nhung viec nao", "nhung van de", "cai gi", "viec gi",
                 "nhung chuyen gi", "nhung thong tin gi", "thong tin gi", "nhung khoan"),
                ("noi dung", "nhung noi dung")),
    "form": (("bang cach nao", "cach nao", "nhung cach", "kenh nao", "nhung kenh", "qua kenh"),
             ("hinh thuc", "cach thuc", "phuong thuc")),
    "activity": (("lam viec theo", "chuong trinh", "ke hoach lam viec", "hop may lan"),
                 ("hoat dong",)),
}
# Title words that give an aspect wherever they stand ("Trách nhiệm … bảo đảm hoạt động của Ban" is
# also about its funding; "… nhiệm kỳ …").
_TITLE_ANYWHERE: dict[str, tuple[str, ...]] = {
    "funding": ("bao dam hoat dong", "dam bao hoat dong", "kinh phi"),
    "term": ("nhiem ky",),
}
# Aspects a question's wording does not tell apart: "Ban … giám sát những gì?" asks for its duties.
_COMPATIBLE: dict[str, frozenset[str]] = {
    "content": frozenset({"duties"}),
    "duties": frozenset({"content"}),
}
# Title words that are more often the topic than the aspect in a question ("kinh phí từ thiện … công khai").
_TOPICAL = frozenset({"kinh phi"})
_TITLE_PARTS = re.compile(r",|\bvà\b|\bva\b", re.IGNORECASE)

# Which part of grassroots democracy a question is about, from its words (folded). "xa" is a commune
# except inside "hop tac xa" (a cooperative) and "xa hoi" (social).
DOMAIN_CUES: dict[str, tuple[str, ...]] = {
    "commune": ("xa", "phuong", "thi tran", "thon", "xom", "lang", "buon", "to dan pho", "khu pho",
                "truong thon", "to truong", "ba con", "cong dong dan cu", "huong uoc", "quy uoc",
                "ho gia dinh", "cum dan cu", "dia phuong", "uy ban nhan dan xa"),
    "agency": ("co quan", "cong chuc", "vien chuc", "thu truong", "nguoi dung dau", "truong hoc",
               "benh vien", "giao vien", "don vi su nghiep", "hanh chinh nha nuoc"),
    "workplace": ("cong ty", "doanh nghiep", "nguoi lao dong", "cong nhan", "nha may", "xi nghiep",
                  "nguoi su dung lao dong", "hop tac xa", "thoa uoc", "noi lam viec", "hop dong lao dong"),
}
_NOT_COMMUNE = re.compile(r"\b(?:hop tac xa|xa hoi)\b")
_DOMAIN_TITLES = (
    ("commune", ("xa phuong thi tran",)),
    ("agency", ("co quan", "don vi su nghiep")),
    ("workplace", ("su dung lao dong", "noi lam viec", "doanh nghiep")),
)

# "Theo Nghị định số 59/2023/NĐ-CP …, " / "Căn cứ Luật …: " / "Theo quy định hiện hành, " — on the raw
# text, because folding drops the comma that ends the preamble.
_PREAMBLE = re.compile(
    r"^\s*(?:(?:câu hỏi|cau hoi|hỏi|hoi)\s*\d*\s*[:.)-]\s*)?"
    r"((?:theo|căn cứ|can cu|dựa (?:vào|theo)|dua (?:vao|theo)|chiếu theo|chieu theo)\b[^,:;?]{2,240})[,:;]",
    re.IGNORECASE,
)


def _has(padded: str, cue: str) -> bool:
    return f" {cue} " in padded


def title_domain(title: str) -> str | None:
    """The setting a chapter or document title (folded) is about, or None for general provisions."""
    for domain, cues in _DOMAIN_TITLES:
        if any(cue in title for cue in cues):
            return domain
    return None


def question_domain(text: str) -> str | None:
    """The one setting the question's words (folded) point to, or None when none or several."""
    padded = f" {_NOT_COMMUNE.sub(' ', text)} "
    found = {d for d, cues in DOMAIN_CUES.items() if any(_has(padded, cue) for cue in cues)}
    return found.pop() if len(found) == 1 else None


def aspects_of_question(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(aspects asked, those asked with a title's own word) of a folded question:
    "ban giam sat co nhiem vu gi" -> ({"duties"}, {"duties"})."""
    padded = f" {text} "
    explicit = frozenset(n for n, (_, title) in ASPECTS.items()
                         if any(_has(padded, c) for c in title if c not in _TOPICAL))
    implied = frozenset(n for n, (cues, _) in ASPECTS.items() if any(_has(padded, c) for c in cues))
    return explicit | implied, explicit


# A procedure detail: the Law states the right or the principle and leaves these to its decrees.
DETAIL_CUES = ("thu tuc", "trinh tu", "quy trinh", "ho so", "mau", "bien ban", "ke hoach", "phuong an",
               "thoi han", "truoc bao nhieu ngay", "truoc may ngay", "trong bao lau", "bao lau",
               "to phat phieu", "to bau cu", "ban kiem phieu", "cum dan cu", "theo cum", "kiem phieu",
               "bao cao ket qua", "chuong trinh cong tac", "tiep nhan", "phoi hop", "nguyen tac")


def asks_detail(text: str) -> bool:
    """Whether a folded question asks for a procedure detail (DETAIL_CUES)."""
    padded = f" {text} "
    return any(_has(padded, c) for c in DETAIL_CUES)


def aspects_of_title(title: str) -> frozenset[str]:
    """The aspects an article title covers, from the words opening each of its parts (raw title):
    "Số lượng, thành phần, tiêu chuẩn thành viên …" -> composition, standards."""
    found: set[str] = set()
    for part in _TITLE_PARTS.split(title or ""):
        head = normalize(part)
        if head.startswith(("nhung ", "cac ")):
            head = head.split(" ", 1)[1]
        found |= {n for n, (_, cues) in ASPECTS.items() if any(f"{head} ".startswith(f"{c} ") for c in cues)}
    padded = f" {normalize(title or '')} "
    found |= {n for n, cues in _TITLE_ANYWHERE.items() if any(_has(padded, c) for c in cues)}
    return frozenset(found)


def aspect_match(asked: frozenset[str], covered: frozenset[str]) -> float:
    """1 when a title covers an aspect asked, 0.5 when only a compatible one, -1 when only others."""
    if not asked or not covered:
        return 0.0
    if asked & covered:
        return 1.0
    if any(_COMPATIBLE.get(a, frozenset()) & covered for a in asked):
        return 0.5
    return -1.0


def split_preamble(raw: str) -> tuple[str, str]:
    """(folded preamble, folded rest) of a question opening "Theo … ," ("", folded question otherwise).

    A preamble is only cut when something is left after it, so "theo luật thì xã công khai gì" (no
    comma) keeps its words; the caller still finds the document named inside it.
    """
    m = _PREAMBLE.match(raw)
    if m:
        rest = normalize(raw[m.end():])
        if len(rest.split()) >= 2:
            return normalize(m.group(1)), rest
    return "", normalize(raw)


def expand(tokens: list[str]) -> list[list[str]]:
    """Document terms for the everyday words of the question, one token list per added term."""
    out = []
    padded = " " + " ".join(tokens) + " "
    for phrase, term in SYNONYMS.items():
        if _has(padded, phrase) and not _has(padded, term):
            out.append(term.split())
    return out


def pairs(tokens: list[str]) -> list[str]:
    """Adjacent word pairs: Vietnamese words are made of syllables ("cong khai", "hoi nghi")."""
    return [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def skip_pairs(tokens: list[str]) -> list[str]:
    """Pairs around one function word ("quy cua thon" -> "quy thon"): people insert "của", "ở", "và"."""
    return [f"{a} {c}" for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)
            if b in STOPWORDS and a not in STOPWORDS and c not in STOPWORDS]


def terms(text: str) -> list[str]:
    """Unigrams (minus stopwords) and all adjacent pairs of a normalised text."""
    tokens = text.split()
    return [t for t in tokens if t not in STOPWORDS] + pairs(tokens)


# Quiz wording that says nothing about the topic ("… nào sau đây?", "Chọn đáp án đúng"), folded.
_QUIZ_NOISE = re.compile(
    r"\b(?:hay )?(?:chon )?(?:dap an|phuong an|y) (?:dung|dung nhat|chinh xac)(?: nhat)?\b|\bnao sau day\b|"
    r"\bsau day\b|\bdung hay sai\b|\bkhang dinh nao\b"
)
# Answer options of a quiz question: "A. …  B. …" (two or more, capital letters, at a word start).
_OPTIONS = re.compile(r"(?:^|\s)[A-D][.)]\s")


def strip_quiz(raw: str) -> str:
    """The stem of a quiz question: the text before its answer options, when it lists two or more."""
    found = list(_OPTIONS.finditer(raw))
    if len(found) >= 2 and found[0].start() > 10:
        return raw[: found[0].start()]
    return raw


def quiz_noise(folded: str) -> str:
    """A folded question without quiz wording."""
    return " ".join(_QUIZ_NOISE.sub(" ", folded).split())

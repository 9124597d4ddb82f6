"""Vietnamese texts of the questions area: /hoi, free-text questions, /vanban, /apdung, /chuahoi,
votes and inline mode.

The answer to a question itself (document, article, gist, validity notice) is built by bot.answers
with the texts of bot/texts/kb.py; this module holds what wraps it. Placeholders that take user input
are filled with values already escaped by bot.format.esc (parse_mode HTML).
"""

# ---------------------------------------------------------------- /hoi
ASK_PROMPT = (
    "❓ Bạn muốn hỏi gì về dân chủ ở cơ sở? Hãy gõ câu hỏi (có dấu hoặc không dấu), ví dụ:\n"
    "• <i>xã phải công khai những gì</i>\n"
    "• <i>dân được bàn và quyết định những việc nào</i>\n"
    "• <i>điều 5 pháp lệnh 34</i>\n"
    "Gõ /huy nếu không hỏi nữa."
)
ASK_BUSY = (
    "Bạn đang viết dở một ý kiến, nên bot chưa thể chờ câu hỏi. Hãy gõ câu hỏi ngay sau lệnh, ví dụ: "
    "<i>/hoi xã phải công khai những gì</i> — ý kiến đang viết vẫn được giữ nguyên."
)
ASK_IN_GROUP = "Hãy gõ câu hỏi ngay sau lệnh, ví dụ: <i>/hoi xã phải công khai những gì</i>."
ASK_NEEDS_TEXT = "Hãy gõ câu hỏi bằng chữ. Gõ /huy nếu không hỏi nữa."
GREETING = (
    "Xin chào! Bạn có thể gõ câu hỏi về quy chế dân chủ ở cơ sở (ví dụ: <i>xã phải công khai những gì</i>), "
    "gõ /gopy để gửi góp ý, hoặc /start để mở menu."
)

# ---------------------------------------------------------------- the answer and what wraps it
NOT_SURE_LOGGED = "Câu hỏi đã được ghi lại để người quản trị bổ sung."
NOT_SURE_FEEDBACK_HINT = "Nếu bạn muốn phản ánh, kiến nghị một việc cụ thể tới ban chỉ đạo, gõ /gopy."
BUTTON_FULL_TEXT = "📄 Toàn văn {document}"
BUTTON_CURRENT = "⚖️ Nay áp dụng: Điều {article} {document}"
BUTTON_ARTICLE = "Điều {article} {document}"
BUTTON_ARTICLE_TITLED = "Điều {article} {document} — {title}"
BUTTON_VOTE_UP = "👍 Hữu ích"
BUTTON_VOTE_DOWN = "👎 Chưa đúng ý"
VOTE_THANKS_UP = "Cảm ơn bạn! Đã ghi nhận câu trả lời hữu ích."
VOTE_THANKS_DOWN = "Cảm ơn bạn! Câu hỏi sẽ được người quản trị xem lại."
VOTE_ALREADY = "Bạn đã đánh giá câu trả lời này rồi. Cảm ơn bạn!"

# ---------------------------------------------------------------- /vanban
DOCS_HEADER = (
    "📚 <b>Các văn bản về dân chủ ở cơ sở</b>\n"
    "Chọn một văn bản để xem theo chương và điều. Bạn cũng có thể gõ thẳng, ví dụ: "
    "<i>điều 5 pháp lệnh 34</i>, <i>dieu 11 luat 10</i>."
)
DOC_LINE = "{icon} <b>{label}</b> — {title}"
STATUS_ICONS: dict[str, str] = {"in_force": "✅", "superseded": "⛔", "unclear": "⚠️"}
STATUS_LABELS: dict[str, str] = {
    "in_force": "Đang có hiệu lực",
    "superseded": "Đã hết hiệu lực",
    "unclear": "Hiệu lực chưa rõ ràng",
}
DOC_HEADER = (
    "{icon} <b>{label}</b>\n"
    "{title}\n"
    "Cơ quan ban hành: {issuer}\n"
    "Ban hành ngày {issued}, hiệu lực từ {effective}\n"
    "Tình trạng: <b>{status}</b>"
)
DOC_REPLACED_BY = "Thay thế bởi: <b>{document}</b> từ {since}"
DOC_REPLACED_BY_NO_DATE = "Thay thế bởi: <b>{document}</b>"
DOC_PICK_CHAPTER = "Chọn chương:"
CHAPTER_NAMED = "Chương {number}. {title}"
CHAPTER_NUMBER_ONLY = "Chương {number}"
CHAPTER_UNNAMED = "Các điều {first}–{last}"
CHAPTER_SPAN = " (Điều {first}–{last})"
CHAPTER_TITLE_UNVERIFIED = " (tên chương chưa xác minh)"
CHAPTER_HEADER = "📖 <b>{document}</b>\n<b>{chapter}</b>"
ALL_ARTICLES_HEADER = "📖 <b>{document}</b>\n<b>Tất cả các điều</b>"
PAGE_INFO = "Trang {page}/{pages} · chọn điều để xem:"
PICK_ARTICLE = "Chọn điều để xem:"
ARTICLE_BUTTON = "Điều {number}. {title}"
ARTICLE_BUTTON_UNTITLED = "Điều {number}"
ARTICLE_POINTER_MARK = " ⓘ"
BUTTON_ALL_ARTICLES = "📑 Tất cả các điều"
BUTTON_PREV = "◀️ Trang trước"
BUTTON_NEXT = "Trang sau ▶️"
BUTTON_BACK_DOCS = "⬅️ Các văn bản"
BUTTON_BACK_CHAPTERS = "⬅️ Các chương"
BUTTON_BACK_CHAPTER = "⬅️ {chapter}"
BUTTON_DOCUMENT = "📖 {document}"

# ---------------------------------------------------------------- /apdung
APPLY_ASK = (
    "🧭 <b>Văn bản nào áp dụng cho bạn?</b>\n"
    "Bạn là ai? Chọn một trong các trường hợp dưới đây:"
)
APPLY_NO_ROLES = "Phần «văn bản nào áp dụng cho tôi» chưa có dữ liệu. Bạn có thể xem các văn bản bằng /vanban."
APPLY_ROLE_HEADER = "🧭 <b>{title}</b>\n{description}"
APPLY_OLD_DOCUMENTS = "<b>Trước đây áp dụng:</b>"
APPLY_CURRENT_DOCUMENTS = "<b>Hiện nay áp dụng:</b>"
APPLY_DOCUMENT_LINE = "• {label}{status}"
APPLY_DOCUMENT_TITLE = " — {title}"
APPLY_DOCUMENT_REPLACED = " ({status}; thay bằng {replacement}{since})"
APPLY_DOCUMENT_STATUS = " ({status})"
APPLY_SINCE = " từ {date}"
APPLY_RIGHTS = "<b>Các quyền chính của bạn:</b>"
APPLY_RIGHT_LINE = "{icon} <b>{kind}</b>: {text}"
APPLY_RIGHT_REFS = " <i>({refs})</i>"
APPLY_REF = "Điều {article} {document}"
APPLY_BUTTONS_HINT = "Bấm vào một điều bên dưới để xem nội dung."
BUTTON_APPLY_OTHER = "🔁 Chọn trường hợp khác"
RIGHT_LABELS: dict[str, str] = {
    "cong_khai": "Được biết (công khai)",
    "ban_quyet_dinh": "Bàn và quyết định",
    "tham_gia_y_kien": "Tham gia ý kiến",
    "kiem_tra_giam_sat": "Kiểm tra, giám sát",
}
RIGHT_ICONS: dict[str, str] = {
    "cong_khai": "📢",
    "ban_quyet_dinh": "🗳",
    "tham_gia_y_kien": "💬",
    "kiem_tra_giam_sat": "🔍",
}

# ---------------------------------------------------------------- /chuahoi
UNANSWERED_HEADER = "📝 <b>Câu hỏi bot chưa trả lời được</b> (hỏi nhiều nhất trước, tối đa {limit}):"
UNANSWERED_LINE = "{n}. <b>{count}×</b> «{example}»\n    gần nhất: {best} · lần cuối {date}"
UNANSWERED_BEST = "Điều {article} {document} ({score:.0f} điểm)"
UNANSWERED_NO_BEST = "không có điều nào gần"
UNANSWERED_EMPTY = "✅ Chưa có câu hỏi nào bot không trả lời được."
ADMIN_ONLY = "Xin lỗi, lệnh /chuahoi chỉ dành cho người quản trị hòm thư."
PRIVATE_ONLY = "Lệnh này chỉ dùng trong tin nhắn riêng với bot."

# ---------------------------------------------------------------- inline mode
INLINE_ARTICLE_TITLE = "Điều {article} – {title}"
INLINE_ARTICLE_UNTITLED = "Điều {article} – {document}"
INLINE_ARTICLE_SUFFIX = " ({document})"
INLINE_POINTER_DESCRIPTION = "Chưa có tóm tắt đã kiểm chứng — xem toàn văn."
INLINE_DOC_DESCRIPTION = "{status} · {title}"
INLINE_NOTHING = "Không tìm thấy điều nào — hỏi bot trong tin nhắn riêng"
INLINE_START_PARAMETER = "hoi"

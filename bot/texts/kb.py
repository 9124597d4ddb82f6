"""Vietnamese texts of an answer from the knowledge base (bot.answers): article, gist, validity notice,
next matches, "not sure". Used by the bot (HTML) and by `hopthu ask` (plain text), so both say the same.

Placeholders are filled by bot.answers with values already escaped for HTML where the text is HTML;
the `*_HTML` variants carry markup, the others are plain.
"""

# ---------------------------------------------------------------- the article
ARTICLE_HEADING = "Điều {article} {document}"
ARTICLE_HEADING_TITLED = "Điều {article} {document} — {title}"
ARTICLE_HEADING_HTML = "<b>Điều {article} {document}</b>"
ARTICLE_HEADING_TITLED_HTML = "<b>Điều {article} {document}</b> — <b>{title}</b>"
GIST_CUT = "…"
# the khoản that answers the question, quoted from the official text: "Khoản 2 Điều 15 Luật 10/2022/QH15: «…»"
QUOTE = "{cite}: «{text}»"
QUOTE_HTML = "<b>{cite}</b>: «<i>{text}</i>»"
QUOTE_POINT = "{letter}) {text}"
AMENDED = "✏️ Điều này đã được sửa đổi, bổ sung ({by}, từ {since}): {note}"
AMENDED_HTML = "✏️ <b>Điều này đã được sửa đổi, bổ sung</b> ({by}, từ {since}): {note}"
PARTIAL_MISSING = "Phần chưa xác minh: {missing}"
UNVERIFIED = (
    "Nội dung điều này chưa được kiểm chứng từ nguồn tin cậy, nên bot không tóm tắt để tránh nói sai. "
    "Xin xem toàn văn chính thức."
)
FULL_TEXT = "📄 Toàn văn chính thức: {link}"
FULL_TEXT_HTML = '📄 <a href="{link}">Toàn văn chính thức</a>'

# ---------------------------------------------------------------- validity of the document
# "đã hết hiệu lực từ …, thay bằng … — xem Điều N Luật 10/2022/QH15"
SUPERSEDED = "⛔ {document} đã hết hiệu lực từ {since}, thay bằng {replacements}"
SUPERSEDED_NO_DATE = "⛔ {document} đã hết hiệu lực, thay bằng {replacements}"
SUPERSEDED_HTML = "⛔ <b>{document} đã hết hiệu lực từ {since}</b>, thay bằng {replacements}"
SUPERSEDED_NO_DATE_HTML = "⛔ <b>{document} đã hết hiệu lực</b>, thay bằng {replacements}"
REPLACEMENT_SINCE = "{document} (từ {since})"
SEE_CURRENT = " — xem {articles}"
UNCLEAR = "⚠️ Tình trạng hiệu lực: {note}"
UNCLEAR_HTML = "⚠️ <b>Tình trạng hiệu lực:</b> {note}"
CURRENT_RULE = "⚖️ Quy định hiện hành: {articles}"
NOTE = "ℹ️ {note}"
NOTE_HTML = "ℹ️ <i>{note}</i>"
ARTICLES_OF = "Điều {articles} {document}"  # "Điều 11, 12 Luật 10/2022/QH15"
LIST_SEPARATOR = ", "
GROUP_SEPARATOR = "; "
END = "."

# ---------------------------------------------------------------- around the article
YOUR_QUESTION = "❓ {question}"
YOUR_QUESTION_HTML = "❓ <i>{question}</i>"
OTHER_MATCHES = "Các điều liên quan khác:"
OTHER_MATCHES_HTML = "<b>Các điều liên quan khác:</b>"
MATCH_LINE = "• {heading}"
NOT_SURE = "🤔 Bot chưa chắc tìm được điều trả lời đúng câu hỏi này, nên không đoán."
NOT_SURE_HTML = "🤔 Bot <b>chưa chắc</b> tìm được điều trả lời đúng câu hỏi này, nên không đoán."
CLOSEST = "Các điều gần nhất (có thể không đúng ý bạn):"
CLOSEST_HTML = "<b>Các điều gần nhất</b> (có thể không đúng ý bạn):"
NOTHING_CLOSE = "Không có điều nào trong các văn bản về dân chủ ở cơ sở gần với câu hỏi này."
TRY_AGAIN = "Bạn có thể hỏi cách khác, hoặc xem các văn bản bằng /vanban."
EMPTY_QUESTION = "Câu hỏi trống. Hãy gõ câu hỏi, ví dụ: xã phải công khai những gì"

# ---------------------------------------------------------------- a document named without an article
DOCUMENT_HEADING = "{document} — {title}"
DOCUMENT_HEADING_HTML = "<b>{document}</b> — {title}"
DOCUMENT_DATES = "Ban hành ngày {issued}, hiệu lực từ {effective}; {chapters} chương, {articles} điều trong cơ sở dữ liệu."
DOCUMENT_ASK_ARTICLE = "Hỏi một điều cụ thể, ví dụ: điều {example} {alias}"
NO_SUCH_ARTICLE = "{document} không có Điều {article} (các điều từ {first} đến {last})."

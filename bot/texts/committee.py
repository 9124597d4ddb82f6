"""Vietnamese texts of the committee side (group chat): the card, its buttons, replies, /id."""

CARD = (
    "{icon} <b>{kind} · <code>{code}</code></b>\n"
    "Tình trạng: <b>{status}</b>\n"
    "Lĩnh vực: {topic}\nĐịa bàn: {place}\nThời gian: {date}\n"
    "Người gửi: {sender}\n"
    "Hạn tiếp nhận: {due_ack} · Hạn giải quyết: {due_resolve}\n"
    "{article}\n"
    "<b>Nội dung:</b>\n{text}"
)
CARD_ARTICLE = "Điều liên quan: {article}"
CARD_NO_ARTICLE = "Điều liên quan: (chưa xác định)"
CARD_ATTACHMENTS = "\n\n📎 Đính kèm: {count} (gửi ngay sau thẻ này)"
CARD_FORWARDED_FROM = "\n↪️ Chuyển từ: {committee}"
# A card whose citizen's text does not fit one message: the rest follows, threaded under the card.
CARD_CONTINUED = "\n\n<i>⤵️ Nội dung còn tiếp trong {rest} tin ngay dưới thẻ này.</i>"
CARD_CONTINUATION = "<b><code>{code}</code> · Nội dung (phần {part}/{total}):</b>\n{text}"
CARD_FOOTER = "\n\n<i>Trả lời (reply) vào thẻ này để gửi câu trả lời cho người dân.</i>"
SENDER_NAMED = "{name} · {phone}"
ATTACHMENT_CAPTION = "📎 {code} ({index}/{total})"

BUTTON_ACK = "📥 Tiếp nhận"
BUTTON_PROGRESS = "⏳ Đang xử lý"
BUTTON_REPLY = "💬 Trả lời"
BUTTON_FORWARD = "↪️ Chuyển"
BUTTON_RESOLVED = "✅ Đã giải quyết"
BUTTON_OUT_OF_SCOPE = "🚫 Không thuộc thẩm quyền"
BUTTON_BACK = "⬅️ Quay lại"

ACTION_DONE = "Đã chuyển sang «{status}»."
TRANSITION_REFUSED = "Không đổi được: ý kiến đang ở trạng thái «{status}»."
NOT_OWNER = "Ý kiến này thuộc ban chỉ đạo khác; nhóm này không thao tác được."
UNKNOWN_SUBMISSION = "Không tìm thấy ý kiến này."
REPLY_HOW = (
    "Để trả lời người dân về <code>{code}</code>, hãy <b>trả lời (reply)</b> vào thẻ của ý kiến này "
    "trong nhóm. Bot sẽ chuyển câu trả lời tới người gửi."
)
FORWARD_PICK = "Chuyển ý kiến <code>{code}</code> tới ban chỉ đạo nào?"
FORWARDED = "↪️ Đã chuyển <code>{code}</code> tới {committee}."
FORWARD_SAME = "Ý kiến đã thuộc ban này."
FORWARD_INCOMING = "↪️ Ý kiến được chuyển tới từ {committee}:"
REPLY_RELAYED = "✅ Đã chuyển câu trả lời tới người gửi ý kiến <code>{code}</code>."
REPLY_EMPTY = "Câu trả lời đang trống; hãy viết nội dung hoặc gửi kèm tệp."
REPLY_TOO_LONG = "Câu trả lời quá dài ({length} ký tự, tối đa {max}). Hãy chia làm nhiều tin."
REPLY_NO_CITIZEN = (
    "Đã ghi câu trả lời cho <code>{code}</code>, nhưng người gửi đã xóa dữ liệu cá nhân nên bot không "
    "chuyển được tới họ."
)
CITIZEN_REPLY = "💬 Người gửi ý kiến <code>{code}</code> trả lời:\n\n{text}"
CITIZEN_ATTACHMENT = "📎 Người gửi ý kiến {code} gửi kèm"
RATED = "⭐ Người gửi đánh giá ý kiến <code>{code}</code>: {stars}/5."

CHAT_ID = "Chat id của nhóm này: <code>{chat_id}</code>\nGhi số này vào <code>chat_id</code> của ban chỉ đạo trong bot.yaml."
CHAT_ID_KNOWN = "\nNhóm đang được dùng cho: <b>{committee}</b>."
GROUP_UNKNOWN = (
    "Nhóm này chưa được khai báo trong bot.yaml nên bot chưa làm việc ở đây. "
    "Gõ /id để lấy chat id gửi cho quản trị viên."
)
GROUP_HELP = (
    "<b>Hướng dẫn cho cán bộ</b>\n"
    "Mỗi ý kiến đến nhóm thành một thẻ có các nút: Tiếp nhận · Đang xử lý · Trả lời · Chuyển · "
    "Đã giải quyết · Không thuộc thẩm quyền. Người gửi được báo mỗi lần đổi trạng thái.\n"
    "Để trả lời người dân: <b>reply vào thẻ</b>. Câu trả lời của người dân hiện ra dưới thẻ.\n"
    "/thongke — thống kê; /quahan — ý kiến quá hạn; /baocao [từ] [đến] — báo cáo Excel và biểu đồ; "
    "/id — chat id của nhóm."
)

"""Vietnamese texts of the citizen side (private chat): menu, feedback flow, status, data deletion."""

WELCOME = (
    "Xin chào! Đây là <b>Hòm thư góp ý số</b> — nơi bạn gửi góp ý, phản ánh, kiến nghị tới "
    "Ban Chỉ đạo thực hiện quy chế dân chủ ở cơ sở, và tra cứu quy định về dân chủ ở cơ sở.\n\n"
    "Bạn muốn làm gì?"
)
MENU_SEND = "✍️ Gửi góp ý"
MENU_ASK = "❓ Hỏi quy định"
MENU_STATUS = "📋 Ý kiến của tôi"
MENU_DOCS = "📚 Văn bản"
MENU_APPLY = "🧭 Văn bản nào áp dụng cho tôi?"
MENU_HELP = "ℹ️ Hướng dẫn"

HELP = (
    "<b>Hướng dẫn sử dụng</b>\n"
    "/gopy — gửi góp ý, phản ánh, kiến nghị, khiếu nại, tố cáo (có thể gửi ẩn danh)\n"
    "/trangthai — xem các ý kiến bạn đã gửi; /trangthai GY-XXXXXX — xem một ý kiến\n"
    "/hoi câu hỏi — hỏi về quy chế dân chủ ở cơ sở, ví dụ: <i>/hoi xã phải công khai những gì</i>\n"
    "/vanban — xem các văn bản; /apdung — văn bản nào áp dụng cho bạn\n"
    "Trong nhóm chat bất kỳ, gõ <i>@tên_bot câu hỏi</i> để tìm nhanh một điều luật.\n"
    "/huy — hủy việc đang làm; /xoadulieu — xóa dữ liệu cá nhân của bạn\n\n"
    "Bạn có thể gõ tiếng Việt có dấu hoặc không dấu. Mỗi ý kiến được gửi đi có một mã theo dõi; "
    "bot sẽ báo cho bạn mỗi khi ban chỉ đạo xử lý."
)

# Step 1: kind
ASK_KIND = "<b>Bước 1/6.</b> Bạn muốn gửi loại ý kiến nào?"
KIND_TYPED_UNKNOWN = "Chưa rõ loại ý kiến. Hãy bấm một nút, hoặc gõ: góp ý, phản ánh, kiến nghị, khiếu nại, tố cáo."
FORMAL_COMPLAINT_NOTE = (
    "ℹ️ Lưu ý: <b>{kind}</b> chính thức được giải quyết theo {law}. Hòm thư vẫn nhận và chuyển ý kiến "
    "của bạn tới ban chỉ đạo, nhưng để được giải quyết theo thủ tục {kind_lower}, bạn nên gửi đơn tới "
    "cơ quan có thẩm quyền (bộ phận tiếp công dân của UBND)."
)
COMPLAINT_LAW = "Luật Khiếu nại năm 2011"
DENUNCIATION_LAW = "Luật Tố cáo năm 2018"

# Step 2: place
ASK_PLACE = (
    "<b>Bước 2/6.</b> Việc này ở đâu? Chọn địa bàn bên dưới hoặc gõ tên (ví dụ: <i>nong ha</i>)."
)
ASK_PLACE_CHILD = "<b>Bước 2/6.</b> Chọn trong <b>{unit}</b>, hoặc chọn chính {unit}:"
PLACE_HERE = "📍 Chọn {unit}"
PLACE_BACK = "⬅️ Quay lại"
PLACE_NOT_FOUND = "Không tìm thấy địa bàn «{text}». Hãy chọn trong danh sách hoặc gõ lại tên xã, phường."
PLACE_PICK_ONE = "Có mấy nơi gần giống «{text}». Bạn chọn nơi nào?"
PLACE_CHOSEN = "📍 Địa bàn: <b>{unit}</b>"

# Step 3: topic
ASK_TOPIC = "<b>Bước 3/6.</b> Ý kiến của bạn thuộc lĩnh vực nào?"
TOPIC_TYPED_UNKNOWN = "Chưa rõ lĩnh vực «{text}». Hãy bấm một nút bên dưới."
TOPIC_CHOSEN = "🏷 Lĩnh vực: <b>{topic}</b>"

# Step 4: content
ASK_TEXT = (
    "<b>Bước 4/6.</b> Hãy viết nội dung ý kiến ({min}–{max} ký tự): việc gì, ở đâu, từ bao giờ, "
    "bạn đề nghị gì. Bạn có thể gửi kèm ảnh, tệp, ghi âm hoặc vị trí sau đó."
)
TEXT_EMPTY = "Nội dung đang trống. Hãy viết vài câu về việc bạn muốn góp ý."
TEXT_TOO_SHORT = "Nội dung hơi ngắn ({length} ký tự). Hãy viết rõ hơn, ít nhất {min} ký tự."
TEXT_TOO_LONG = (
    "Nội dung quá dài ({length} ký tự, tối đa {max}). Hãy rút gọn, hoặc gửi phần chi tiết dưới dạng tệp đính kèm."
)
TEXT_RECEIVED = (
    "Đã nhận nội dung ({length} ký tự). Bạn có thể gửi thêm ảnh, tệp, ghi âm, vị trí "
    "(tối đa {max} tệp), rồi bấm <b>Xong</b>."
)
TEXT_APPENDED = "Đã ghép thêm đoạn này vào nội dung ({length}/{max} ký tự). Bấm <b>Xong</b> khi đủ."
ATTACHMENT_RECEIVED = "📎 Đã nhận {what} ({count}/{max}). Gửi tiếp hoặc bấm <b>Xong</b>."
ATTACHMENT_LIMIT = "Đã đủ {max} tệp đính kèm. Bấm <b>Xong</b> để tiếp tục."
ATTACHMENT_UNSUPPORTED = (
    "Bot chưa nhận được loại tin này. Hãy gửi chữ, ảnh, tệp, ghi âm, video hoặc vị trí."
)
ATTACHMENT_NEEDS_TEXT = "Hãy viết nội dung trước (bước 4), rồi gửi ảnh, tệp sau."
ATTACHMENT_WHAT: dict[str, str] = {
    "photo": "ảnh",
    "document": "tệp",
    "voice": "ghi âm",
    "audio": "tệp âm thanh",
    "video": "video",
    "video_note": "video tròn",
    "location": "vị trí",
}
BUTTON_DONE = "✅ Xong"

# Step 5: identity
ASK_IDENTITY = (
    "<b>Bước 5/6.</b> Bạn muốn gửi <b>ẩn danh</b> hay để lại tên và số điện thoại?\n"
    "Ẩn danh: cán bộ không biết bạn là ai, nhưng bot vẫn báo kết quả cho bạn."
)
BUTTON_ANONYMOUS = "🕶 Gửi ẩn danh"
BUTTON_NAMED = "🙋 Để lại tên, số điện thoại"
ASK_CONTACT = (
    "Bấm nút <b>Gửi số điện thoại</b> bên dưới, hoặc gõ theo mẫu: <i>Họ tên, số điện thoại</i>."
)
BUTTON_SHARE_CONTACT = "📱 Gửi số điện thoại"
CONTACT_NOT_OWN = "Hãy gửi số điện thoại của chính bạn (bấm nút bên dưới)."
CONTACT_BAD = "Chưa đọc được. Gõ theo mẫu: <i>Nguyễn Văn A, 0912345678</i>, hoặc bấm nút gửi số điện thoại."
CONTACT_SAVED = "Đã ghi: {name}, {phone}."

# Step 6: confirm
CONFIRM = (
    "<b>Bước 6/6. Kiểm tra lại trước khi gửi</b>\n"
    "Loại: {kind}\nĐịa bàn: {place}\nLĩnh vực: {topic}\nGửi tới: {committee}\n"
    "Người gửi: {sender}\nĐính kèm: {attachments}\n\n<b>Nội dung:</b>\n{text}"
)
BUTTON_SEND = "📨 Gửi"
BUTTON_EDIT = "✏️ Sửa"
BUTTON_CANCEL = "❌ Hủy"
EDIT_WHAT = "Bạn muốn sửa phần nào?"
EDIT_KIND = "Loại ý kiến"
EDIT_PLACE = "Địa bàn"
EDIT_TOPIC = "Lĩnh vực"
EDIT_TEXT = "Nội dung"
EDIT_IDENTITY = "Người gửi"
NO_ATTACHMENTS = "không có"
SENT = (
    "✅ Đã gửi. Mã theo dõi của bạn: <code>{code}</code>\n"
    "Ý kiến đã được chuyển tới <b>{committee}</b>. Bot sẽ báo cho bạn khi có kết quả; "
    "xem lại bất cứ lúc nào bằng /trangthai {code}."
)
CANCELLED = "Đã hủy. Không có gì được gửi đi."
NOTHING_TO_CANCEL = "Không có việc gì đang làm dở."
DRAFT_RESUMED = "Bạn đang viết dở một ý kiến. Tiếp tục từ bước đang làm:"
DRAFT_BUSY = "Bạn đang viết dở một ý kiến. Gõ /huy để bỏ, hoặc tiếp tục bước đang làm."
DEEP_LINK_UNKNOWN_PLACE = "Mã QR này trỏ tới địa bàn không còn trong danh sách. Hãy chọn địa bàn."
FREE_TEXT_OFFER = "Bạn muốn gửi tin này thành một ý kiến góp ý tới ban chỉ đạo không?"
BUTTON_OFFER_SEND = "✍️ Gửi thành góp ý"
BUTTON_OFFER_NO = "Không, cảm ơn"
OFFER_DECLINED = "Vâng. Khi cần, gõ /gopy để gửi góp ý hoặc /hoi để hỏi quy định."
EDITED_MESSAGE_IGNORED = (
    "Bot không theo dõi được tin đã sửa. Nếu muốn sửa nội dung, hãy bấm <b>Sửa</b> ở bước kiểm tra "
    "hoặc gửi lại đoạn đúng."
)
GROUP_ONLY_PRIVATE = "Để gửi góp ý, hãy nhắn riêng cho bot: {link}"

# Status, thread, rating
MY_SUBMISSIONS_EMPTY = "Bạn chưa gửi ý kiến nào. Gõ /gopy để gửi."
MY_SUBMISSIONS_HEADER = "<b>Các ý kiến bạn đã gửi</b> (mới nhất trước):"
MY_SUBMISSION_LINE = "{icon} <code>{code}</code> · {kind} · {status} · {date}"
CODE_NOT_FOUND = "Không tìm thấy ý kiến có mã «{code}» trong các ý kiến của bạn."
SUBMISSION_DETAIL = (
    "<b>Ý kiến {code}</b>\nLoại: {kind}\nĐịa bàn: {place}\nLĩnh vực: {topic}\n"
    "Ban chỉ đạo: {committee}\nTình trạng: {icon} {status}\nGửi lúc: {date}\n\n{text}"
)
DETAIL_HISTORY = "\n\n<b>Diễn biến:</b>"
DETAIL_HISTORY_LINE = "• {date}: {what}"
STATUS_CHANGED = "{icon} Ý kiến <code>{code}</code> của bạn: <b>{status}</b>."
STATUS_CHANGED_NOTE = "{icon} Ý kiến <code>{code}</code> của bạn: <b>{status}</b>.\n{note}"
OUT_OF_SCOPE_GUIDANCE = (
    "Ban chỉ đạo cho biết việc này không thuộc thẩm quyền của ban. Bạn có thể liên hệ bộ phận tiếp "
    "công dân của UBND cấp xã, hoặc cơ quan chuyên môn phụ trách lĩnh vực này."
)
FORWARDED_TO = "↪️ Ý kiến <code>{code}</code> của bạn đã được chuyển tới <b>{committee}</b>."
REPLY_FROM_COMMITTEE = (
    "💬 <b>{committee}</b> trả lời ý kiến <code>{code}</code>:\n\n{text}\n\n"
    "<i>Trả lời (reply) vào tin này để gửi tiếp cho ban chỉ đạo.</i>"
)
ATTACHMENT_FROM_COMMITTEE = "📎 {committee} gửi kèm cho ý kiến {code}"
BUTTON_REPLY = "💬 Trả lời ban chỉ đạo"
BUTTON_RATE = "⭐ Đánh giá kết quả"
ASK_REPLY_TEXT = "Hãy viết câu trả lời cho ban chỉ đạo về ý kiến <code>{code}</code>:"
REPLY_SENT = "Đã gửi tới ban chỉ đạo (ý kiến <code>{code}</code>)."
REPLY_CLOSED = "Ý kiến <code>{code}</code> đã kết thúc, không gửi tiếp được. Gõ /gopy để gửi ý kiến mới."
ASK_RATING = "Bạn đánh giá kết quả xử lý ý kiến <code>{code}</code> thế nào?"
RATING_LABELS = ("1 ⭐", "2 ⭐", "3 ⭐", "4 ⭐", "5 ⭐")
RATING_SAVED = "Cảm ơn bạn đã đánh giá {stars} cho ý kiến <code>{code}</code>."
RATING_NOT_YET = "Chỉ đánh giá được khi ban chỉ đạo đã trả lời hoặc giải quyết."

# Personal data
DELETE_CONFIRM = (
    "Bot sẽ xóa dữ liệu cá nhân của bạn: mã Telegram, họ tên, số điện thoại và ý kiến đang viết dở.\n"
    "Những ý kiến đã gửi vẫn ở lại với ban chỉ đạo dưới dạng <b>ẩn danh</b> (nội dung, địa bàn, "
    "lĩnh vực), nhưng bot sẽ không báo kết quả cho bạn được nữa. Bạn chắc chắn chứ?"
)
BUTTON_DELETE_YES = "🗑 Xóa dữ liệu của tôi"
BUTTON_DELETE_NO = "Không xóa"
DELETE_DONE = (
    "Đã xóa dữ liệu cá nhân của bạn ({removed}). Còn lại: {remaining} ý kiến đã gửi, ở dạng ẩn danh, "
    "với ban chỉ đạo."
)
DELETED_IDENTITY = "mã Telegram, họ tên, số điện thoại"
DELETED_DRAFTS = "{count} ý kiến đang viết dở"
DELETED_QUESTIONS = "liên kết với {count} câu hỏi đã hỏi"
DELETE_NOTHING = "Bot không còn giữ dữ liệu cá nhân nào của bạn."
DELETE_KEPT = "Đã giữ nguyên dữ liệu."

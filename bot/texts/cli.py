"""Vietnamese messages printed by the `hopthu` command line."""

NO_TOKEN = (
    "Chưa có token của bot. Lấy token từ @BotFather rồi đặt biến môi trường, ví dụ:\n"
    "  export TELEGRAM_BOT_TOKEN=123456:ABC...\n"
    "Muốn thử không cần token: hopthu demo"
)
NO_WEBHOOK_SECRET = (
    "Chế độ webhook cần biến môi trường HOPTHU_WEBHOOK_SECRET (chuỗi bí mật 1–256 ký tự A–Z, a–z, 0–9, _ và -), "
    "giống nhau trên mọi bản chạy."
)
NO_WEBHOOK_URL = "Chế độ webhook cần bot.webhook.public_url trong bot.yaml."
RUNNING_POLLING = "Bot đang chạy (long polling), cơ sở dữ liệu: {db}. Nhấn Ctrl+C để dừng."
RUNNING_WEBHOOK = "Bot đang chạy (webhook) tại {listen}:{port}/{path}, cơ sở dữ liệu: {db}. Nhấn Ctrl+C để dừng."
STOPPED = "Đã dừng bot."
KB_INVALID = "Cơ sở tri thức có lỗi — chạy `hopthu kb check` để xem chi tiết."
DB_UPGRADED = "Cơ sở dữ liệu {db}: đã nâng cấp tới phiên bản {revision}."

# ---------------------------------------------------------------- hopthu kb check / hopthu ask
KB_HELP = "Kiểm tra cơ sở tri thức (các văn bản YAML)"
KB_CHECK_HELP = "Nạp và kiểm tra mọi tệp văn bản, in số chương, số điều"
KB_DIR_HELP = "thư mục cơ sở tri thức (mặc định: knowledge/ của gói)"
ASK_HELP = "Hỏi như trên bot và in câu trả lời"
ASK_QUESTION_HELP = "câu hỏi, có dấu hoặc không dấu"
ASK_JSON_HELP = "in một đối tượng JSON (sure, hits) thay cho câu trả lời"
ASK_LIMIT_HELP = "số điều tối đa trả về (mặc định 5)"
KB_CHECK_HEADER = "Cơ sở tri thức: {path}"
KB_DOCUMENT_LINE = (
    "  {label} ({status}): {chapters} chương, {articles} điều — đầy đủ {full}, một phần {partial}, "
    "chưa kiểm chứng {none}"
)
KB_TOTAL_LINE = (
    "Tổng: {documents} văn bản, {chapters} chương, {articles} điều — đầy đủ {full}, một phần {partial}, "
    "chưa kiểm chứng {none}"
)
KB_ROLES_LINE = "Vai trò /apdung: {count} ({roles})"
KB_NO_ROLES = "Vai trò /apdung: chưa có (thiếu applicability.yaml)"
KB_STATUS: dict[str, str] = {"in_force": "còn hiệu lực", "superseded": "hết hiệu lực", "unclear": "hiệu lực chưa rõ"}
KB_OK = "Cơ sở tri thức hợp lệ."
KB_ERRORS_HEADER = "Cơ sở tri thức có {count} lỗi:"
KB_ERROR_LINE = "  {file}{line}: {place}: {reason}"
KB_ERROR_AT_LINE = ":{line}"
KB_ERROR_WHOLE_FILE = "(cả tệp)"
ASK_EMPTY = "Câu hỏi trống. Ví dụ: hopthu ask \"xã phải công khai những gì\""

# Why a file was refused, by knowledge.errors.Reason; placeholders are the exception's details.
KB_REASONS: dict[str, str] = {
    "yaml_syntax": "lỗi cú pháp YAML: {detail}",
    "not_a_mapping": "phải là một bảng khóa: giá trị",
    "not_a_list": "phải là một danh sách",
    "missing_field": "thiếu trường {field}",
    "unknown_field": "trường lạ {field} (gõ nhầm tên trường?)",
    "duplicate_key": "khóa {field} xuất hiện hai lần",
    "wrong_type": "cần {expected}, nhưng gặp {found}",
    "empty": "không được để trống",
    "bad_value": "giá trị {value!r} không hợp lệ; chỉ nhận: {allowed}",
    "bad_date": "{value!r} không phải ngày dạng YYYY-MM-DD",
    "bad_url": "{value!r} không phải đường dẫn http(s)",
    "date_order": "{later} ({later_value}) sớm hơn {earlier} ({earlier_value})",
    "file_name": "tên tệp phải là {expected} (theo id)",
    "duplicate_document": "{what} {value!r} đã dùng ở tệp {other}",
    "duplicate_alias": "tên gọi {value!r} trùng với văn bản {other}",
    "duplicate_article": "Điều {number} xuất hiện hai lần",
    "article_order": "Điều {number} đứng sau Điều {previous} (số điều phải tăng dần)",
    "summary_required": "điều có verified: {verified} phải có summary",
    "summary_forbidden": "điều chưa kiểm chứng (verified: none) không được có summary",
    "missing_required": "điều verified: partial phải ghi rõ phần chưa xác minh (missing)",
    "missing_forbidden": "chỉ điều verified: partial mới có missing",
    "status_note_required": "văn bản có status: {status} phải có status_note",
    "replaced_by_required": "văn bản đã hết hiệu lực phải có replaced_by",
    "current_on_in_force": "văn bản còn hiệu lực không có current",
    "unknown_document": "văn bản {value!r} không có trong cơ sở tri thức, cũng không có trong related_documents",
    "unknown_article": "văn bản {document} không có Điều {article}",
    "self_reference": "văn bản không thể tự dẫn chiếu chính nó ở đây",
    "no_documents": "không tìm thấy tệp văn bản (*.yaml) nào",
    "duplicate_role": "vai trò {value!r} xuất hiện hai lần",
    "clause_order": "gặp khoản {number} ở chỗ phải là khoản {expected} (khoản đánh số 1, 2, 3… liên tục)",
    "point_order": "gặp điểm {letter} ở chỗ phải là điểm {expected} (điểm theo thứ tự a, b, c, d, đ, e…)",
    "clause_after_points": "khoản {number} đứng sau các điểm viết thẳng dưới điều",
    "text_source_required": "điều có toàn văn (text) nên văn bản phải có text_source (nguồn toàn văn)",
    "amendment_text_required": "thay đổi có verified: {verified} phải có nội dung mới (text)",
    "amendment_text_forbidden": "chỉ thay đổi một điều, đã kiểm chứng (full hoặc partial), mới có text",
}
DB_UPGRADE_FAILED = "Không nâng cấp được cơ sở dữ liệu {db}: {error}"

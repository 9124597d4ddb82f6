"""Vietnamese texts of the reports: /thongke, /quahan, /baocao, the daily digest, the spreadsheet, the chart,
the QR poster and the `hopthu export` / `hopthu qr` command line.

Placeholders filled from user input or from bot.yaml get already-escaped values (bot.format.esc).
"""

# ------------------------------------------------------------------------------------------ periods
PERIOD_YEAR = "năm {year}"
PERIOD_QUARTER = "quý {quarter}/{year}"
PERIOD_MONTH = "tháng {month:02d}/{year}"
PERIOD_RANGE = "{start} – {end}"
PERIOD_HELP = (
    "Cách ghi kỳ báo cáo: một ngày 05/07/2026 (hoặc 2026-07-05), một tháng 07/2026 (hoặc 2026-07), một quý «quý 3/2026» hoặc Q3/2026, "
    "một năm 2026; hoặc hai mốc «từ» và «đến», ví dụ: /baocao 01/07/2026 30/09/2026. "
    "Không ghi gì: quý hiện tại."
)
PERIOD_UNKNOWN = "Không hiểu mốc thời gian «{word}»."
PERIOD_TOO_MANY = "Chỉ ghi tối đa hai mốc thời gian (từ, đến); bạn đã ghi {count}."
PERIOD_NO_SUCH_DAY = "Ngày «{word}» không có thật: tháng {month}/{year} không có ngày {day}."
PERIOD_BAD_MONTH = "Tháng {month} trong «{word}» không hợp lệ (tháng từ 1 đến 12)."
PERIOD_BAD_QUARTER = "Quý {quarter} trong «{word}» không hợp lệ (quý từ 1 đến 4)."
PERIOD_SHORT_YEAR = "Năm trong «{word}» cần đủ 4 chữ số, ví dụ 2026."
PERIOD_BAD_YEAR = "Năm {year} trong «{word}» nằm ngoài khoảng {min}–{max}."
PERIOD_REVERSED = "Mốc «từ» ({start}) nằm sau mốc «đến» ({end}). Hãy ghi ngày bắt đầu trước, ngày kết thúc sau."

# ------------------------------------------------------------------------------------------ common
SCOPE_ALL = "tất cả các ban chỉ đạo"
NO_TOPIC = "(chưa chọn lĩnh vực)"
NO_UNIT = "(chưa chọn địa bàn)"
GROUP_ONLY = (
    "Lệnh này dùng trong nhóm Telegram của ban chỉ đạo (hoặc tin nhắn riêng của quản trị viên). "
    "Người dân gửi ý kiến bằng /gopy."
)

# durations: "2 ngày 3 giờ", "5 giờ 12 phút", "dưới 1 phút"
DAYS = "{n} ngày"
HOURS = "{n} giờ"
MINUTES = "{n} phút"
UNDER_A_MINUTE = "dưới 1 phút"
NOT_AVAILABLE = "chưa có"

# ------------------------------------------------------------------------------------------ /thongke
STATS_TITLE = "📊 <b>Thống kê ý kiến — {scope}</b>\nKỳ: {period}\nTổng số ý kiến: <b>{total}</b>"
STATS_EMPTY = "Chưa có ý kiến nào trong kỳ này."
STATS_BY_STATUS = "<b>Theo tình trạng</b>"
STATS_BY_KIND = "<b>Theo loại</b>"
STATS_BY_TOPIC = "<b>Theo lĩnh vực</b>"
STATS_BY_UNIT = "<b>Theo địa bàn</b>"
STATS_BY_COMMITTEE = "<b>Theo ban chỉ đạo</b>"
STATS_LINE = "• {label}: {count}"
STATS_TIMING = "<b>Thời gian xử lý</b>"
STATS_MEDIAN_ACK = "• Thời gian tiếp nhận (trung vị): {value} — {count} ý kiến đã tiếp nhận"
STATS_MEDIAN_RESOLVE = "• Thời gian giải quyết (trung vị): {value} — {count} ý kiến đã giải quyết"
STATS_ON_TIME = "• Giải quyết đúng hạn: {share} ({on_time}/{judged} ý kiến đã đến hạn hoặc đã giải quyết)"
STATS_ON_TIME_NONE = "• Giải quyết đúng hạn: chưa có ý kiến nào đến hạn"
STATS_RATING = "• Đánh giá của người dân: {average}/5 ({count} lượt)"
STATS_RATING_NONE = "• Đánh giá của người dân: chưa có lượt nào"
STATS_HINT = "Kỳ khác: /thongke quý 2/2026, /thongke 07/2026, /thongke 01/01/2026 30/06/2026."

# ------------------------------------------------------------------------------------------ /quahan
OVERDUE_TITLE = "⏰ <b>Ý kiến quá hạn — {committee}</b>: {count}"
OVERDUE_NONE = "✅ {committee}: không có ý kiến nào quá hạn."
OVERDUE_LINE = "• <code>{code}</code> · {kind} · {topic}\n   {what}, trễ <b>{late}</b> (hạn {due})"
OVERDUE_ACK = "chưa tiếp nhận"
OVERDUE_RESOLVE = "chưa giải quyết"
OVERDUE_DEADLINES = (
    "<i>Thời hạn: tiếp nhận trong {ack} ngày, giải quyết trong {resolve} ngày kể từ khi người dân gửi{extra}.</i>"
)
OVERDUE_DEADLINE_KIND = "; {kind}: {days} ngày"
DIGEST_TITLE = "🌅 <b>Nhắc việc hằng ngày — {committee}</b>\nCó {count} ý kiến quá hạn:"
DIGEST_MORE = "… và {count} ý kiến quá hạn khác."
DIGEST_FOOTER = "Gõ /quahan để xem lại, bấm vào thẻ của từng ý kiến để xử lý."

# ------------------------------------------------------------------------------------------ /baocao
REPORT_XLSX_CAPTION = "📄 Báo cáo ý kiến — {scope}, {period}: {count} ý kiến."
REPORT_CHART_CAPTION = "📈 Biểu đồ ý kiến — {scope}, {period}."
REPORT_FILE_STEM = "baocao"
CHART_FILE_STEM = "bieudo"
REPORT_FAILED = "Không tạo được báo cáo lúc này, vui lòng thử lại sau."

# ------------------------------------------------------------------------------------------ spreadsheet
SHEET_ROWS = "Danh sách ý kiến"
SHEET_SUMMARY = "Tổng hợp"
SHEET_TITLE = "Báo cáo ý kiến — {scope}"
SHEET_PERIOD = "Kỳ báo cáo: {period}"
SHEET_GENERATED = "Lập lúc: {when} ({tz})"
SHEET_PRIVACY = "Ý kiến ẩn danh không có họ tên, số điện thoại của người gửi."
# Column headers, in order; keys are the fields of bot.reports.spreadsheet.COLUMNS.
HEADERS: dict[str, str] = {
    "index": "STT",
    "code": "Mã ý kiến",
    "kind": "Loại",
    "topic": "Lĩnh vực",
    "unit": "Địa bàn",
    "committee": "Ban chỉ đạo",
    "status": "Tình trạng",
    "created_at": "Ngày gửi",
    "due_ack_at": "Hạn tiếp nhận",
    "acknowledged_at": "Ngày tiếp nhận",
    "due_resolve_at": "Hạn giải quyết",
    "resolved_at": "Ngày giải quyết",
    "on_time": "Đúng hạn",
    "anonymous": "Ẩn danh",
    "name": "Họ tên người gửi",
    "phone": "Số điện thoại",
    "text": "Nội dung",
    "attachments": "Số tệp đính kèm",
    "rating": "Đánh giá (1–5)",
}
YES = "Có"
NO = "Không"
ON_TIME_YES = "Đúng hạn"
ON_TIME_LATE = "Quá hạn"
ON_TIME_OPEN = "Chưa đến hạn"
SUMMARY_TOTAL = "Tổng số ý kiến"
SUMMARY_BY_STATUS = "Theo tình trạng"
SUMMARY_BY_KIND = "Theo loại"
SUMMARY_BY_TOPIC = "Theo lĩnh vực"
SUMMARY_BY_UNIT = "Theo địa bàn"
SUMMARY_BY_COMMITTEE = "Theo ban chỉ đạo"
SUMMARY_COUNT = "Số ý kiến"

# ------------------------------------------------------------------------------------------ chart
CHART_TITLE = "Ý kiến người dân — {scope}\n{period}"
CHART_BY_MONTH = "Số ý kiến theo tháng và tình trạng"
CHART_BY_TOPIC = "Số ý kiến theo lĩnh vực"
CHART_MONTH = "T{month}/{year}"
CHART_Y = "Số ý kiến"
CHART_EMPTY = "Không có ý kiến nào trong kỳ"
CHART_TOTAL = "Tổng: {total} ý kiến"

# ------------------------------------------------------------------------------------------ QR poster
QR_INSTRUCTION = "Quét mã để gửi góp ý"
QR_SUBTITLE = "Hòm thư góp ý số — Telegram @{username}"

# ------------------------------------------------------------------------------------------ CLI
CLI_EXPORT_HELP = "Xuất danh sách ý kiến ra tệp Excel (.xlsx) hoặc CSV"
CLI_EXPORT_FROM = "từ ngày/tháng/quý/năm, ví dụ 01/07/2026 (hoặc 2026-07-01), 07/2026, Q3/2026, 2026 (mặc định: quý hiện tại)"
CLI_EXPORT_TO = "đến ngày/tháng/quý/năm (mặc định: hết kỳ của --from)"
CLI_EXPORT_COMMITTEE = "mã ban chỉ đạo trong bot.yaml (mặc định: tất cả)"
CLI_EXPORT_FORMAT = "định dạng tệp: xlsx (mặc định) hoặc csv"
CLI_EXPORT_OUT = "tệp kết quả (mặc định: baocao_<ban>_<từ>_<đến>.<định dạng> trong thư mục hiện tại)"
CLI_EXPORT_DONE = "Đã xuất {count} ý kiến ({scope}, {period}) ra {path} ({size} byte)."
CLI_QR_HELP = "Tạo mã QR (PNG) để in dán ở bảng tin: mở bot với địa bàn chọn sẵn"
CLI_QR_UNIT = "mã địa bàn trong bot.yaml, ví dụ nong-ha"
CLI_QR_ALL = "tạo mã QR cho mọi địa bàn trong bot.yaml"
CLI_QR_OUT = "thư mục lưu ảnh (mặc định: thư mục hiện tại)"
CLI_QR_DONE = "Đã tạo {path} — {label} → {link}"
CLI_QR_NEED_UNIT = "Cần ghi mã địa bàn (ví dụ: hopthu qr nong-ha) hoặc --all."
CLI_QR_BOTH = "Ghi mã địa bàn hoặc --all, không ghi cả hai."
CLI_UNKNOWN_UNIT = "Không có địa bàn «{value}» trong bot.yaml. Các mã có: {known}."
CLI_UNKNOWN_COMMITTEE = "Không có ban chỉ đạo «{value}» trong bot.yaml. Các mã có: {known}."
CLI_NO_USERNAME = "bot.username trong bot.yaml đang trống; cần tên bot để tạo đường dẫn."
CLI_BAD_PERIOD = "Kỳ báo cáo không hợp lệ: {error}"
CLI_TO_WITHOUT_FROM = "--to cần đi kèm --from (hoặc chỉ ghi --from cho một ngày, tháng, quý, năm)."
CLI_SCHEMA_OLD = "Cơ sở dữ liệu chưa ở phiên bản mới nhất — chạy `hopthu db upgrade` trước."
CLI_WRITE_FAILED = "Không ghi được tệp {path}: {error}"

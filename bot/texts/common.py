"""Vietnamese labels shared by every part of the bot: kinds, statuses, commands, generic answers.

Strings that take user input are formatted with already-escaped values (see bot.format.esc);
every message is sent with parse_mode HTML. Kinds and statuses are storage.statuses' enums.
"""

from storage.statuses import Kind, SubmissionStatus

KIND_LABELS: dict[Kind, str] = {
    Kind.GOP_Y: "Góp ý",
    Kind.PHAN_ANH: "Phản ánh",
    Kind.KIEN_NGHI: "Kiến nghị",
    Kind.KHIEU_NAI: "Khiếu nại",
    Kind.TO_CAO: "Tố cáo",
}
KIND_HINTS: dict[Kind, str] = {
    Kind.GOP_Y: "đóng góp ý kiến để chính quyền làm tốt hơn",
    Kind.PHAN_ANH: "báo cho chính quyền biết một việc đang xảy ra",
    Kind.KIEN_NGHI: "đề nghị chính quyền xem xét, giải quyết một việc",
    Kind.KHIEU_NAI: "đề nghị xem xét lại một quyết định, hành vi hành chính ảnh hưởng đến bạn",
    Kind.TO_CAO: "báo cho cơ quan có thẩm quyền về hành vi vi phạm pháp luật",
}

STATUS_LABELS: dict[SubmissionStatus, str] = {
    SubmissionStatus.NEW: "Mới",
    SubmissionStatus.ACKNOWLEDGED: "Đã tiếp nhận",
    SubmissionStatus.IN_PROGRESS: "Đang xử lý",
    SubmissionStatus.ANSWERED: "Đã trả lời",
    SubmissionStatus.RESOLVED: "Đã giải quyết",
    SubmissionStatus.FORWARDED: "Đã chuyển",
    SubmissionStatus.OUT_OF_SCOPE: "Không thuộc thẩm quyền",
}
STATUS_ICONS: dict[SubmissionStatus, str] = {
    SubmissionStatus.NEW: "🆕",
    SubmissionStatus.ACKNOWLEDGED: "📥",
    SubmissionStatus.IN_PROGRESS: "⏳",
    SubmissionStatus.ANSWERED: "💬",
    SubmissionStatus.RESOLVED: "✅",
    SubmissionStatus.FORWARDED: "↪️",
    SubmissionStatus.OUT_OF_SCOPE: "🚫",
}

# setMyCommands: (command, description). Private chats and committee groups get different lists.
PRIVATE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Mở menu chính"),
    ("gopy", "Gửi góp ý, phản ánh, kiến nghị"),
    ("hoi", "Hỏi về quy chế dân chủ ở cơ sở"),
    ("trangthai", "Xem tình trạng ý kiến đã gửi"),
    ("vanban", "Xem các văn bản pháp luật"),
    ("apdung", "Văn bản nào áp dụng cho tôi?"),
    ("huy", "Hủy việc đang làm"),
    ("trogiup", "Hướng dẫn sử dụng"),
    ("xoadulieu", "Xóa dữ liệu cá nhân của tôi"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    *PRIVATE_COMMANDS,
    ("chuahoi", "Các câu hỏi bot chưa trả lời được"),
)
GROUP_COMMANDS: tuple[tuple[str, str], ...] = (
    ("thongke", "Thống kê ý kiến của ban"),
    ("quahan", "Các ý kiến quá hạn"),
    ("baocao", "Báo cáo Excel và biểu đồ: /baocao [từ] [đến]"),
    ("id", "Xem chat id của nhóm"),
    ("trogiup", "Hướng dẫn cho cán bộ"),
)

UNKNOWN_COMMAND = "Bot không có lệnh này. Gõ /trogiup để xem các lệnh."
RATE_LIMITED = "Bạn gửi hơi nhanh. Vui lòng đợi một chút rồi gửi tiếp — tin của bạn trước đó vẫn được giữ."
INTERNAL_ERROR = (
    "Xin lỗi, bot gặp trục trặc khi xử lý tin này. Dữ liệu bạn đã gửi trước đó vẫn an toàn; "
    "vui lòng thử lại sau ít phút."
)
STALE_BUTTON = "Nút này đã cũ hoặc không còn dùng được."
NOT_ALLOWED = "Bạn không có quyền thực hiện thao tác này."
UNSUPPORTED_IN_GROUP = "Lệnh này chỉ dùng trong tin nhắn riêng với bot."
DATE_FORMAT = "%d/%m/%Y %H:%M"
ANONYMOUS = "ẩn danh"

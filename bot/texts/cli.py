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

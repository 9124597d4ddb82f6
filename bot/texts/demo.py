"""Vietnamese texts of `hopthu demo`, the terminal chat with the bot through the local emulator."""

INTRO = """
══════════════ Hòm thư góp ý số — chạy thử trên máy ══════════════
Bạn là người dân (Lan). Bot chạy thật, nói chuyện qua một máy chủ Telegram giả lập trên 127.0.0.1;
tin bot gửi vào nhóm của ban chỉ đạo hiện bên dưới, thụt lề với dấu │.

  gõ chữ bình thường  → nhắn cho bot (thử: /start, /gopy, /hoi xã phải công khai những gì)
  gõ một số (1, 2, …) → bấm nút có số đó trong tin mới nhất của bot
  :lienhe  gửi số điện thoại      :anh  gửi một ảnh      :vitri  gửi vị trí
  :ban <tên nút>     cán bộ bấm nút trên thẻ mới nhất trong nhóm (ví dụ: :ban Tiếp nhận)
  :traloi <câu>      cán bộ trả lời (reply) thẻ mới nhất — câu trả lời được chuyển cho bạn
  :giup  xem lại hướng dẫn        :thoat  thoát
═══════════════════════════════════════════════════════════════════
"""
PROMPT = "\nBạn> "
BOT_SAYS = "🤖 Bot:"
GROUP_SAYS = "    ┌─ 👥 Nhóm «{group}»"
NO_SUCH_BUTTON = "tin mới nhất của bot không có nút số đó"
NO_CARD_YET = "chưa có thẻ ý kiến nào trong nhóm ban chỉ đạo — hãy gửi một góp ý trước (/gopy)"
CANNOT = "⚠️ Không làm được: {error}"
BYE = "Tạm biệt! Dữ liệu chạy thử đã được xóa."

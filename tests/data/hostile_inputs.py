"""The hostile-input corpus of the proof suite (tests/test_proof_hostile.py).

`TEXTS`: what people (and attackers) type. Each text goes through the real flows twice: outside any
flow (free text) and as the content of a submission (step 4). `PLACES` and `CONTACTS` are typed at
the place and contact steps. `COMMANDS`, `FORGED_CALLBACKS`, `CONTENT` (stickers, media, contacts…),
`GROUP_MESSAGES` and `INLINE_QUERIES` complete it. Ids are stable, to name a failing input.
"""

from __future__ import annotations

_NFD = "".join(["No", "\u0302", "ng Ha", "\u0323"])  # "Nông Hạ" typed with combining marks

TEXTS: list[tuple[str, str]] = [
    # empty, or empty once invisible characters are gone
    ("space", " "),
    ("newlines", "\n\n\n"),
    ("tab", "\t"),
    ("zero-width-only", "\u200b\u200c\u200d"),
    ("bom-only", "\ufeff"),
    ("rlo-only", "\u202e"),
    ("word-joiner-only", "\u2060\u2061\u2062"),
    ("combining-only", "\u0301\u0301\u0323"),
    ("hangul-filler", "\u3164\u3164"),
    ("braille-blank", "\u2800\u2800\u2800"),
    ("nbsp-only", "\u00a0\u00a0"),
    ("ideographic-space", "\u3000"),
    # too short, borderline, too long
    ("one-letter", "a"),
    ("nine-chars", "đường hỏ"),
    ("ten-chars", "đường hỏng"),
    ("3500-chars", "đ" * 3500),
    ("3501-chars", "đ" * 3501),
    ("4096-chars", "x" * 4096),
    ("10000-chars", "Đường hỏng. " * 834),
    ("10000-no-spaces", "a" * 10_000),
    ("10000-emoji", "😀" * 5000),
    ("4096-newlines", "a\n" * 2048),
    ("3500-then-invisible", "b" * 3490 + "\u200b" * 200),
    # control characters
    ("nul", "Đường\x00 thôn Nà Mố bị sạt lở"),
    ("bell-backspace", "Đèn\x07 đường\x08\x08 hỏng cả tháng nay"),
    ("ansi-escape", "\x1b[31mĐỏ\x1b[0m đèn đường thôn hỏng"),
    ("del-c1", "Rác\x7f thải\x85 không được thu gom"),
    ("crlf", "Dòng một\r\nDòng hai\rDòng ba của ý kiến"),
    ("line-separators", "Đoạn một\u2028đoạn hai\u2029đoạn ba dài hơn"),
    ("vertical-tab-formfeed", "Nước\x0b thải\x0c chảy ra đường làng"),
    ("many-blank-lines", "Đầu\n\n\n\n\n\n\n\nCuối của nội dung ý kiến"),
    # zero-width and bidi tricks
    ("zero-width-inside", "Nông\u200bHạ đường\u200d hỏng\u2060 lâu rồi"),
    ("zwj-in-code", "Mã G\u200dY-7K3F9Q bị sai, đề nghị xem lại"),
    ("rlo-code", "Ý kiến \u202eQ9F3K7-YG\u202c cần trả lời sớm"),
    ("rlo-phone", "Gọi cho tôi \u202e8765432190\u202c sau giờ làm"),
    ("lro-pdf", "\u202dabc\u202c chữ trái sang phải bị ép"),
    ("isolates", "\u2067đảo chiều\u2069 và \u2066cô lập\u2069 hướng chữ"),
    ("arabic-letter-mark", "Phí\u061c thu\u061c sai quy định của xã"),
    ("lrm-rlm", "\u200eNông\u200f Hạ thu phí không công khai"),
    ("bom-inside", "Thu\ufeff tiền\ufeff làm đường không có biên lai"),
    ("arabic", "مرحبا، الطريق مكسور منذ شهر في القرية"),
    ("hebrew", "שלום, הכביש שבור כבר חודש בכפר"),
    # HTML and Markdown
    ("html-bold", "<b>Đèn</b> đường <i>hỏng</i> cả tháng"),
    ("html-script", "<script>alert(1)</script> thôn Nà Mố"),
    ("html-link-js", "<a href='javascript:alert(1)'>bấm vào đây</a> để xem"),
    ("html-img", "<img src=x onerror=alert(1)> ảnh hiện trường"),
    ("html-entities", "&lt;b&gt; &amp;amp; &#0; &#x110000; &nbsp; đúng không"),
    ("lone-ampersand", "Điện & nước & đường đều hỏng"),
    ("lone-brackets", "a < b > c << >> <<< dấu ngoặc"),
    ("unclosed-tag", "<code>chưa đóng thẻ và <b>cũng chưa"),
    ("closing-only", "</b></i></code></pre> thẻ đóng thừa"),
    ("misnested", "<b><i>lồng sai</b></i> thứ tự thẻ"),
    ("tg-tags", "<tg-spoiler>bí mật</tg-spoiler> <tg-emoji emoji-id='1'>😀</tg-emoji>"),
    ("blockquote", "<blockquote expandable>trích dẫn</blockquote> dài"),
    ("markdown", "*đậm* _nghiêng_ `mã` [liên kết](http://example.com) ~gạch~"),
    ("markdown-v2", "||ẩn|| __gạch chân__ \\*thoát\\* ```\nkhối mã\n```"),
    ("markdown-heading", "# Tiêu đề\n- mục một\n- mục hai của ý kiến"),
    ("template-braces", "{code} {text} {0} %s %(name)s ${x} {{}} mẫu"),
    # SQL-looking and path-looking text
    ("sql-drop", "'; DROP TABLE submissions; --"),
    ("sql-or", "1' OR '1'='1' -- đường hỏng"),
    ("sql-bobby", "Robert'); DROP TABLE citizens;-- xin chào"),
    ("sql-union", "x' UNION SELECT key, payload FROM outbox --"),
    ("sql-like", "100% _ đường \\ hỏng %% __"),
    ("sql-dollar", "$$; COPY outbox TO '/tmp/x'; $$"),
    ("json-ish", '{"text": null, "__proto__": {"admin": true}}'),
    ("path", "../../../../etc/passwd và C:\\Windows\\system32"),
    ("url-token", "https://api.telegram.org/bot123:ABC/getMe đường hỏng"),
    # emoji and unusual Unicode
    ("emoji-only", "😀😀😀"),
    ("emoji-many", "🔥" * 40),
    ("flag", "🇻🇳🏴󠁧󠁢󠁳󠁣󠁴󠁿 cờ và đường hỏng"),
    ("family-zwj", "👨‍👩‍👧‍👦 gia đình tôi phản ánh"),
    ("skin-tone", "👍🏽👍🏿 đồng ý với ý kiến này"),
    ("nfd-vietnamese", _NFD + " có đường liên thôn bị sạt lở"),
    ("zalgo", "Z̷̢̛̛a̵̢͝l̸̨̛g̶̡̛o̴̢͝ đường hỏng thật rồi"),
    ("fullwidth", "ＧＹ－７Ｋ３Ｆ９Ｑ ｄｕｏｎｇ ｈｏｎｇ"),
    ("cyrillic-homoglyph", "Nоng Hа (chữ о và а Kirin) đường hỏng"),
    ("math-bold", "𝐍𝐨𝐧𝐠 𝐇𝐚 đường hỏng rồi"),
    ("private-use", "\ue000\uf8ff\U000f0000 ký tự riêng"),
    ("replacement", "\ufffd\ufffd mã hóa hỏng"),
    ("noncharacter", "\ufffe\uffff\U0010ffff phi ký tự"),
    ("cjk", "道路损坏了一个月，请尽快修理"),
    ("no-diacritics", "duong lien thon na mo bi sat lo sau mua lon"),
    ("numbers", "0912345678 +84912345678 GY-7K3F9Q 123456"),
    ("question", "xã phải công khai những gì cho dân biết"),
]

COMMANDS: list[tuple[str, str]] = [
    ("slash", "/"),
    ("double-slash", "//"),
    ("unknown", "/khongcolenhnay"),
    ("unknown-long", "/" + "a" * 32),
    ("uppercase", "/GOPY"),
    ("other-bot", "/start@some_other_bot"),
    ("our-bot", "/trogiup@hopthu_test_bot"),
    ("start-junk", "/start <script>alert(1)</script>"),
    ("start-deep-traversal", "/start gopy_../../etc"),
    ("start-deep-long", "/start gopy_" + "x" * 60),
    ("start-deep-empty", "/start gopy_"),
    ("start-other-payload", "/start hoi"),
    ("status-sql", "/trangthai ' OR 1=1 --"),
    ("status-partial", "/trangthai GY-"),
    ("status-long", "/trangthai " + "A" * 500),
    ("status-other-code", "/trangthai GY-AAAAAA"),
    ("status-rtl", "/trangthai \u202eGY-ABCDEF"),
    ("hoi-empty", "/hoi"),
    ("hoi-html", "/hoi <b>quyền</b> & nghĩa vụ"),
    ("hoi-long", "/hoi " + "công khai " * 400),
    ("thongke-citizen", "/thongke"),
    ("quahan-citizen", "/quahan"),
    ("baocao-citizen", "/baocao 99/99/9999 31/02/2024"),
    ("xoadulieu-args", "/xoadulieu ngay bây giờ"),
    ("huy-twice", "/huy /huy"),
    ("help", "/help"),
    ("id-private", "/id"),
]

# Typed at the place step (step 2).
PLACES: list[tuple[str, str]] = [
    ("place-html", "<b>Nông Hạ</b>"),
    ("place-sql", "'; DROP TABLE drafts; --"),
    ("place-rtl", "\u202eàH gnôN"),
    ("place-nfd", _NFD),
    ("place-long", "xã " * 2000),
    ("place-emoji", "🏠🏠"),
    ("place-zero-width", "Nông\u200bHạ"),
    ("place-ambiguous", "Chợ"),
    ("place-unknown", "Hà Nội"),
    ("place-whitespace", "\u200b \u00a0"),
]

# Typed at the contact step ("Họ tên, số điện thoại").
CONTACTS: list[tuple[str, str]] = [
    ("contact-html", "<b>Lan</b> <script>x</script>, 0912345678"),
    ("contact-rtl", "\u202eLan Nguyễn, 0912345678"),
    ("contact-sql", "Robert'); DROP TABLE citizens;--, 0912345678"),
    ("contact-emoji", "😀 Lan 😀, 0912345678"),
    ("contact-control", "Lan\x00\x07 Nguyễn, 0912345678"),
    ("contact-long-name", "Nguyễn " * 800 + ", 0912345678"),
    ("contact-no-phone", "Nguyễn Thị Lan"),
    ("contact-phone-only", "0912345678"),
    ("contact-foreign-phone", "Lan, +1 (555) 010-9999"),
    ("contact-zero-width-phone", "Lan, 09\u200b1234\u200b5678"),
]

# Callback data a modified client can send; each gets an answer and changes nothing.
FORGED_CALLBACKS: list[tuple[str, str]] = [
    ("cb-empty", ""),
    ("cb-too-long", "c:ack:" + "9" * 80),
    ("cb-unicode", "g:k:góp_ý"),
    ("cb-html", "<b>x</b>"),
    ("cb-no-action", "c::"),
    ("cb-unknown-prefix", "z:zz"),
    ("cb-committee-in-private", "c:ack:1"),
    ("cb-committee-huge-id", "c:done:99999999999999999999"),
    ("cb-committee-negative", "c:ack:-5"),
    ("cb-flow-send-no-draft", "g:send"),
    ("cb-flow-bad-kind", "g:k:hack"),
    ("cb-flow-bad-unit", "g:u:khong-co"),
    ("cb-flow-bad-topic", "g:t:khong-co"),
    ("cb-flow-edit-bad", "g:e:password"),
    ("cb-citizen-other", "p:reply:1"),
    ("cb-citizen-stars-bad", "p:stars:1:9"),
    ("cb-citizen-no-id", "p:rate"),
    ("cb-offer-no-draft", "o:yes"),
    ("cb-menu-unknown", "m:admin"),
    ("cb-question-junk", "q:zz:zz"),
    ("cb-delete-no", "x:no"),
    ("cb-extra-args", "m:send:1:2:3:4:5"),
]

# Non-text messages (outside a flow and at the content step).
CONTENT: list[str] = [
    "sticker", "animation", "poll", "dice", "venue", "game", "video_note", "audio", "video", "voice",
    "location", "contact-own", "contact-other", "photo-hostile-caption", "document-hostile-name",
    "forward-user", "forward-channel", "forward-hidden", "edited", "empty-message",
]

# In groups: the committee's own group (known) and a group the bot does not know.
GROUP_MESSAGES: list[str] = [
    "unknown-chatter", "unknown-command-ours", "unknown-command-other-bot", "unknown-sticker",
    "unknown-callback", "unknown-edited", "unknown-reply", "unknown-service", "unknown-bot-added",
    "known-chatter", "known-unknown-command", "known-reply-to-non-card", "known-reply-html",
    "known-reply-huge", "known-reply-sticker", "known-edited", "known-gopy", "known-callback-flow",
    "channel-post",
]

INLINE_QUERIES: list[tuple[str, str]] = [
    ("inline-empty", ""),
    ("inline-html", "<b>công khai</b> & <i>x</i>"),
    ("inline-long", "công khai " * 30),
    ("inline-rtl", "\u202eiahk gnôc"),
    ("inline-sql", "' OR 1=1 --"),
]

"""A quarter of submissions (Q3/2026) written through the real Store, for the report tests.

Covers what the reports must get right: named and anonymous senders (one anonymous sender typed a name
anyway), a sender who erased their data, attachments, a rating, a text that looks like a spreadsheet
formula, the quarter's boundaries in local time (UTC+7), several committees, and overdue items for
some committees only (bcd-my-thanh has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.config import Config
from storage import Actor, AttachmentKind, NewAttachment, NewSubmission, Store, Submission

# 08:00 in Hà Nội on 20/09/2026: when the overdue tests look at the data.
NOW = datetime(2026, 9, 20, 1, 0, tzinfo=UTC)
OFFICIAL = 6001
NAMED = ("Nguyễn Thị Lan", "0912345678")
HIDDEN = ("Trần Văn Bí", "0987654321")  # typed by a sender who then chose "ẩn danh"
FORMULA = '=HYPERLINK("http://lua-dao.example","bấm vào đây")'


@dataclass
class Seeded:
    subs: dict[str, Submission]

    def __getitem__(self, key: str) -> Submission:
        return self.subs[key]

    def of(self, committee_id: str, keys: list[str] | None = None) -> list[Submission]:
        chosen = [s for k, s in self.subs.items() if keys is None or k in keys]
        return sorted((s for s in chosen if s.committee_id == committee_id), key=lambda s: (s.created_at, s.id))


def at(text: str) -> datetime:
    """"2026-07-03 09:00" in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def seed(store: Store, config: Config) -> Seeded:
    made: dict[str, Submission] = {}

    async def submit(key: str, *, user: int, kind: str, committee: str, unit: str, topic: str, created: datetime,
                     text: str, anonymous: bool, name: tuple[str, str] | None = None,
                     attachments: int = 0) -> Submission:
        sub = await store.submit(NewSubmission(
            user_id=user, chat_id=user, kind=kind, committee_id=committee, text=text, anonymous=anonymous,  # type: ignore[arg-type]
            topic_id=topic, unit_id=unit, name=name[0] if name else None, phone=name[1] if name else None,
            attachments=[NewAttachment(kind=AttachmentKind.PHOTO, file_id=f"photo-{key}-{i}",
                                       source_chat_id=user, source_message_id=100 + i) for i in range(attachments)],
            due_ack_at=created + timedelta(days=config.deadlines.acknowledge_days),
            due_resolve_at=created + timedelta(days=config.deadlines.resolve_for(kind)),
        ), now=created)
        made[key] = sub
        return sub

    async def move(key: str, *steps: tuple[str, datetime]) -> None:
        for status, when in steps:
            made[key] = await store.change_status(made[key].id, status, Actor.official(OFFICIAL), now=when)

    # Nông Hạ: resolved on time and rated 5 by a named sender.
    await submit("resolved", user=5001, kind="gop_y", committee="bcd-nong-ha", unit="nong-ha", topic="dat-dai",
                 created=at("2026-07-03 02:00"), anonymous=False, name=NAMED,
                 text="Đường liên thôn Nà Mố bị sạt lở sau mưa lớn, đề nghị xã sửa sớm.")
    await move("resolved", ("acknowledged", at("2026-07-04 03:15")), ("resolved", at("2026-07-10 08:00")))
    made["resolved"] = await store.rate(made["resolved"].id, 5001, 5, now=at("2026-07-11 00:00"))
    # Nông Hạ: anonymous, never acknowledged (overdue: acknowledge).
    await submit("anonymous", user=5002, kind="phan_anh", committee="bcd-nong-ha", unit="nong-ha",
                 topic="moi-truong", created=at("2026-07-15 09:30"), anonymous=True, name=HIDDEN,
                 text="Bãi rác tự phát cạnh trường tiểu học bốc mùi, trẻ em đi học phải bịt mũi.")
    # Nông Hạ: khiếu nại acknowledged, in progress past its 30-day deadline (overdue: resolve).
    await submit("late", user=5003, kind="khieu_nai", committee="bcd-nong-ha", unit="nong-ha", topic="cong-khai",
                 created=at("2026-08-01 01:00"), anonymous=False, name=("Hoàng Văn Sơn", "0901234567"),
                 text="Xã chưa niêm yết công khai danh sách hộ được hỗ trợ làm nhà năm 2026.")
    await move("late", ("acknowledged", at("2026-08-02 02:00")), ("in_progress", at("2026-08-05 02:00")))
    # Nông Hạ: anonymous, a formula-looking text, two photos; not yet due.
    await submit("formula", user=5004, kind="kien_nghi", committee="bcd-nong-ha", unit="nong-ha", topic="dong-gop",
                 created=at("2026-09-18 04:00"), anonymous=True, text=FORMULA, attachments=2)
    # Nông Hạ: 00:30 on 01/07 local time (still 30/06 in UTC) belongs to Q3 ...
    await submit("first_minute", user=5005, kind="gop_y", committee="bcd-nong-ha", unit="nong-ha", topic="khac",
                 created=at("2026-06-30 17:30"), anonymous=False, name=("Lý Thị Mai", "0977000111"),
                 text="Đề nghị lắp thêm đèn chiếu sáng ở ngã ba Bản Cáu.")
    await move("first_minute", ("resolved", at("2026-07-02 00:00")))
    # ... and 23:30 on 30/06 local time belongs to Q2.
    await submit("q2", user=5006, kind="gop_y", committee="bcd-nong-ha", unit="nong-ha", topic="khac",
                 created=at("2026-06-30 16:30"), anonymous=True, text="Ý kiến của quý 2, không thuộc báo cáo quý 3.")
    await move("q2", ("resolved", at("2026-07-01 00:00")))
    # Nông Hạ: a named sender who then erased their personal data (/xoadulieu).
    await submit("erased", user=5007, kind="kien_nghi", committee="bcd-nong-ha", unit="nong-ha", topic="chinh-sach",
                 created=at("2026-08-20 03:00"), anonymous=False, name=("Đặng Văn Tú", "0933444555"),
                 text="Đề nghị bình xét lại hộ cận nghèo ở thôn Khuổi Đeng.")
    await move("erased", ("acknowledged", at("2026-08-21 03:00")))
    await store.delete_personal_data(5007, now=at("2026-08-22 00:00"))
    # Nông Thịnh: overdue (acknowledge).
    await submit("other_committee", user=5008, kind="gop_y", committee="bcd-nong-thinh", unit="nong-thinh",
                 topic="thu-tuc", created=at("2026-09-01 02:00"), anonymous=False, name=("Ma Văn Hùng", "0966777888"),
                 text="Bộ phận một cửa xã Nông Thịnh hẹn trả hồ sơ ba lần vẫn chưa xong.")
    # Liên đoàn Lao động: resolved late, rated 2.
    await submit("workers", user=5009, kind="kien_nghi", committee="ldld-cho-moi", unit="lam-truong-cho-moi",
                 topic="lao-dong", created=at("2026-07-05 01:00"), anonymous=True,
                 text="Công nhân lâm trường chưa được đóng bảo hiểm xã hội 3 tháng nay.")
    await move("workers", ("acknowledged", at("2026-07-06 01:00")), ("answered", at("2026-07-25 01:00")),
               ("resolved", at("2026-07-28 01:00")))
    made["workers"] = await store.rate(made["workers"].id, 5009, 2, now=at("2026-07-29 00:00"))
    # Mỹ Thanh: resolved on time, nothing overdue -> no digest for this committee.
    await submit("my_thanh", user=5010, kind="gop_y", committee="bcd-my-thanh", unit="my-thanh", topic="cong-khai",
                 created=at("2026-09-15 01:00"), anonymous=True, text="Cảm ơn xã đã công khai thu chi quỹ đường.")
    await move("my_thanh", ("resolved", at("2026-09-16 01:00")))

    for key, sub in list(made.items()):
        fresh = await store.get_submission(sub.id)
        assert fresh is not None
        made[key] = fresh
    return Seeded(made)


Q3_KEYS = ["resolved", "anonymous", "late", "formula", "first_minute", "erased", "other_committee", "workers",
           "my_thanh"]

"""The question log: questions asked of the knowledge base with their best hit and the 👍/👎 votes, for
the admins' list of questions the bot could not answer (`/chuahoi`)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from storage.models import question_log
from storage.records import QuestionRecord, UnansweredQuestion
from storage.service.rows import aware, record
from storage.service.unit_of_work import UnitOfWork

MAX_NORMALIZED = cast(sa.String, question_log.c.normalized.type).length  # what the column holds


def _question(m: RowMapping) -> QuestionRecord:
    return record(QuestionRecord, m, sure=bool(m["sure"]))


class QuestionService(UnitOfWork):
    async def log_question(
        self,
        text: str,
        normalized: str,
        *,
        document: str | None,
        article: int | None,
        score: float | None,
        sure: bool,
        user_id: int | None = None,
        now: datetime | None = None,
    ) -> QuestionRecord:
        """Remember a question and the best answer found (document = official number), for `/chuahoi`."""
        now = now or self.clock()
        async with self._write(single_statement=True) as conn:
            row = (
                await conn.execute(
                    sa.insert(question_log)
                    .values(
                        text=text,
                        normalized=(normalized or "")[:MAX_NORMALIZED],
                        document=document,
                        article=article,
                        score=score,
                        sure=sure,
                        user_id=user_id,
                        votes_up=0,
                        votes_down=0,
                        asked_at=now,
                    )
                    .returning(*question_log.c)
                )
            ).one()
        return _question(row._mapping)

    async def vote_question(self, question_id: int, helpful: bool) -> QuestionRecord | None:
        """Count a 👍 (helpful) or 👎 on an answer. None if the question is unknown."""
        column = question_log.c.votes_up if helpful else question_log.c.votes_down
        async with self._write() as conn:
            await conn.execute(
                sa.update(question_log).where(question_log.c.id == question_id).values({column: column + 1})
            )
            row = (await conn.execute(sa.select(question_log).where(question_log.c.id == question_id))).first()
        return _question(row._mapping) if row else None

    async def unanswered_questions(
        self, *, limit: int = 20, since: datetime | None = None
    ) -> list[UnansweredQuestion]:
        """The most frequent questions the bot could not answer (not sure, or more 👎 than 👍), grouped by
        normalised text, most asked first, with the latest wording and best hit as an example."""
        q = question_log.c
        where: list[sa.ColumnElement[bool]] = [sa.or_(q.sure.is_(False), q.votes_down > q.votes_up)]
        if since is not None:
            where.append(q.asked_at >= since)
        async with self._read(long=True) as conn:
            groups = (
                await conn.execute(
                    sa.select(q.normalized, sa.func.count(), sa.func.max(q.id), sa.func.max(q.asked_at))
                    .where(*where)
                    .group_by(q.normalized)
                    .order_by(sa.func.count().desc(), sa.func.max(q.asked_at).desc())
                    .limit(limit)
                )
            ).all()
            latest_ids = [g[2] for g in groups]
            examples = {
                r.id: r
                for r in await conn.execute(sa.select(question_log).where(q.id.in_(latest_ids)))
            } if latest_ids else {}
        return [
            UnansweredQuestion(
                normalized=normalized,
                count=int(count),
                example=examples[latest_id].text,
                last_asked_at=aware(last),
                best_document=examples[latest_id].document,
                best_article=examples[latest_id].article,
                best_score=examples[latest_id].score,
            )
            for normalized, count, latest_id, last in groups
        ]

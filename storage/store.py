"""The repository API: `Store`, one transaction per user-visible action, plain dataclasses out.

Why it looks like this:

* One method = one transaction. What a user sees happen (a code, a status change, a relayed reply)
  and the messages that tell others about it (outbox rows) and the audit entry are committed together
  or not at all. The citizen gets a tracking code only after that commit.
* Outbox rows are passed as a list or as a callable that receives the stored `Submission` (which
  knows its code and new status) and is called inside the transaction. Rows built for an action
  default to that submission's id.
* Status changes are compare-and-set on a `revision` column, checked against the one transition table
  (`storage.statuses`); a refused change raises `TransitionRefused` and writes nothing. On SQLite every
  writing transaction takes the write lock first (BEGIN IMMEDIATE); on PostgreSQL the CAS handles races
  between replicas.
* Refusals carry codes, never user text: the bot owns every sentence a person reads.
* Nothing here imports `telegram`: Bot API calls are opaque (method, payload) pairs.

Times: every `now` argument defaults to `Store.clock()` (UTC); pass it in tests.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import migrate
from storage.codes import DEFAULT_PREFIX, new_code, parse_code
from storage.engine import WRITE_OPTION, create_engine, normalize_url, prepare_url, single_statement
from storage.models import (
    attachments,
    audit_log,
    citizens,
    drafts,
    message_links,
    outbox,
    question_log,
    submissions,
)
from storage.records import (
    Actor,
    Attachment,
    AuditEntry,
    Citizen,
    Deadlines,
    DeletionReport,
    Draft,
    DraftConflict,
    ExportRow,
    LinkedMessage,
    NewAttachment,
    NewSubmission,
    OutboxArg,
    OutboxItem,
    OutboxMessage,
    OverdueItem,
    PurgeReport,
    QuestionRecord,
    Refused,
    SchemaNotCurrent,
    Statistics,
    StoreError,
    Submission,
    TransitionRefused,
    UnansweredQuestion,
)
from storage.sqlite_driver import offloaded
from storage.statuses import (
    ACKNOWLEDGING,
    FINAL_STATUSES,
    RATEABLE,
    ActorKind,
    AttachmentKind,
    AuditAction,
    Kind,
    OutboxStatus,
    Status,
    refusal_reason,
)

log = logging.getLogger(__name__)

CODE_ATTEMPTS = 20
# The pools: every connection a replica may hold is kept open, and more callers wait in the pool's
# queue. SQLAlchemy's default (5 kept, up to 10 more opened under load and closed on return) opened a
# connection every 6-7 updates with 50 citizens at once (they held up to 30 at a time): on PostgreSQL a
# server process, TLS negotiation, asyncpg's setup and the statements prepared again, ~20 % of the bot's
# CPU; on SQLite a thread, the file and four PRAGMAs. 20 PostgreSQL connections per replica leave room
# for four replicas and the admin under the server's default max_connections of 100.
SQLITE_READERS = 16
PG_POOL_SIZE = 20
MAX_NORMALIZED = 500
_FINAL = sorted(str(s) for s in FINAL_STATUSES)
# Literal (not bound) so SQLite and PostgreSQL match it against the partial indexes' predicates.
_OPEN_SQL = sa.text(f"status NOT IN ({', '.join(repr(s) for s in _FINAL)})")

# The draft is read and written at every step of every conversation: these statements are built once,
# so SQLAlchemy finds them in its compiled cache without rebuilding a cache key per call, and the write
# returns the stored row instead of reading it back.
_SELECT_DRAFT = sa.select(drafts).where(drafts.c.user_id == sa.bindparam("draft_user"))
_UPDATE_DRAFT = (
    sa.update(drafts)
    .where(drafts.c.user_id == sa.bindparam("draft_user"), drafts.c.version == sa.bindparam("expected"))
    .values(
        step=sa.bindparam("new_step", type_=drafts.c.step.type),
        data=sa.bindparam("new_data", type_=drafts.c.data.type),
        version=drafts.c.version + 1,
        updated_at=sa.bindparam("new_time", type_=drafts.c.updated_at.type),
        # a step that does not name the chat keeps the one stored
        chat_id=sa.func.coalesce(sa.bindparam("new_chat", type_=drafts.c.chat_id.type), drafts.c.chat_id),
    )
    .returning(*drafts.c)
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _seconds(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds()))


class Store:
    """The database of the suggestion box. Create, `await open()`, use, `await close()` (or `async with`).

    url: SQLAlchemy async URL (`sqlite+aiosqlite:///path` or `postgresql+asyncpg://…`); plain
        `sqlite://`/`postgresql://` URLs get the async driver.
    deadlines: default time to acknowledge / resolve, used when a submission does not bring its own.
    migrate: None (default) = bring SQLite to the migration head and create the schema of an empty
        PostgreSQL database, but refuse (SchemaNotCurrent) to upgrade a populated PostgreSQL database —
        that is `hopthu db upgrade`'s job, run once per deployment, not by every replica at start.
        True/False force it on/off.
    code_factory: makes tracking codes (tests inject collisions through it).
    clock: the current time (tests freeze it).
    """

    def __init__(
        self,
        url: str,
        *,
        deadlines: Deadlines | None = None,
        migrate: bool | None = None,
        code_prefix: str = DEFAULT_PREFIX,
        code_factory: Callable[[], str] | None = None,
        clock: Callable[[], datetime] = utcnow,
        engine_options: dict[str, Any] | None = None,
    ) -> None:
        self.url = normalize_url(url)
        self.deadlines = deadlines or Deadlines()
        self.code_prefix = code_prefix
        self.code_factory: Callable[[], str] = code_factory or (lambda: new_code(code_prefix))
        self.clock = clock
        self._migrate = migrate
        self._engine_options = engine_options or {}
        self._engine: AsyncEngine | None = None
        self._writer: AsyncEngine | None = None
        self._writer_engine: AsyncEngine | None = None
        self._single_reader: AsyncEngine | None = None
        self._single_writer: AsyncEngine | None = None

    # ------------------------------------------------------------------------------------- lifecycle

    async def open(self) -> None:
        """Connect, and create or check the schema (see `migrate` in the class docstring)."""
        if self._engine is not None:
            return
        prepare_url(self.url)  # a SQLite file may live in a directory that does not exist yet
        reader_options = dict(self._engine_options)
        size = SQLITE_READERS if self.dialect == "sqlite" else PG_POOL_SIZE
        reader_options = {"pool_size": size, "max_overflow": 0, **reader_options}
        engine = create_engine(self.url, **reader_options)
        self._engine = engine
        if self.dialect == "sqlite":
            # SQLite has one writer at a time. Several pooled connections contending for the lock wait in
            # SQLite's busy handler, which sleeps in steps of up to 100 ms (a long tail of reply times);
            # one writing connection makes writers queue in the pool instead, in order and without sleeps.
            options = {**self._engine_options, "pool_size": 1, "max_overflow": 0, "pool_timeout": 60}
            self._writer_engine = create_engine(self.url, **options)
        else:
            self._writer_engine = engine
        self._writer = self._writer_engine.execution_options(**{WRITE_OPTION: True})
        self._single_reader = single_statement(engine)
        self._single_writer = single_statement(self._writer)
        try:
            await self._prepare_schema()
        except BaseException:
            await self.close()
            raise

    async def _prepare_schema(self) -> None:
        head = migrate.HEAD_REVISION
        async with self.engine.connect() as conn:
            current = await conn.run_sync(migrate.current_revision_sync)
            empty = current is None and await conn.run_sync(migrate.is_empty_sync)
        if current == head:
            return
        allowed = self._migrate if self._migrate is not None else (self.dialect == "sqlite" or empty)
        if not allowed:
            raise SchemaNotCurrent(current, head)
        log.info("migrating database from %s to %s", current, head)
        async with self.writer.connect() as conn:
            await migrate.upgrade_connection(conn)

    async def close(self) -> None:
        if self._writer_engine is not None and self._writer_engine is not self._engine:
            await self._writer_engine.dispose()
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = self._writer = self._writer_engine = self._single_reader = self._single_writer = None

    async def __aenter__(self) -> Store:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise StoreError("Store is not open: await store.open() first")
        return self._engine

    @property
    def writer(self) -> AsyncEngine:
        if self._writer is None:
            raise StoreError("Store is not open: await store.open() first")
        return self._writer

    @property
    def display_url(self) -> str:
        """The URL with the password hidden, for logs and start-up messages."""
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """"sqlite" or "postgresql"."""
        return sa.engine.make_url(self.url).get_backend_name()

    @asynccontextmanager
    async def _write(self, *, single_statement: bool = False, long: bool = False) -> AsyncIterator[AsyncConnection]:
        """One writing transaction: committed on success, rolled back on any exception.
        `single_statement`: the work is one statement (a second one only reads), so it needs no BEGIN
        (see storage.engine). `long`: work over many rows, kept off the event loop (storage.sqlite_driver)."""
        engine = self._single_writer if single_statement and self._single_writer is not None else self.writer
        async with engine.begin() as conn, offloaded(conn) if long else nullcontext():
            yield conn

    @asynccontextmanager
    async def _read(self, *, single_statement: bool = False, long: bool = False) -> AsyncIterator[AsyncConnection]:
        """A reading connection; `single_statement` skips the explicit BEGIN (see storage.engine); `long`
        as for `_write`."""
        engine = self._single_reader if single_statement and self._single_reader is not None else self.engine
        async with engine.connect() as conn, offloaded(conn) if long else nullcontext():
            yield conn

    # -------------------------------------------------------------------------------------- citizens

    async def upsert_citizen(
        self,
        user_id: int,
        chat_id: int,
        *,
        name: str | None = None,
        phone: str | None = None,
        now: datetime | None = None,
    ) -> Citizen:
        """Create or refresh a citizen (last seen now). None for name/phone keeps what is stored."""
        now = now or self.clock()
        async with self._write() as conn:
            citizen_id = await self._upsert_citizen(conn, user_id, chat_id, name, phone, now)
            row = (await conn.execute(sa.select(citizens).where(citizens.c.id == citizen_id))).one()
        return _citizen(row._mapping)

    async def get_citizen(self, user_id: int) -> Citizen | None:
        async with self._read() as conn:
            row = (await conn.execute(sa.select(citizens).where(citizens.c.user_id == user_id))).first()
        return _citizen(row._mapping) if row else None

    async def _upsert_citizen(
        self,
        conn: AsyncConnection,
        user_id: int,
        chat_id: int,
        name: str | None,
        phone: str | None,
        now: datetime,
    ) -> int:
        params = {"user_id": user_id, "chat_id": chat_id, "name": name, "phone": phone, "created_at": now,
                  "last_seen_at": now}
        return int((await conn.execute(_UPSERT_CITIZEN, params)).scalar_one())

    # ---------------------------------------------------------------------------------------- drafts

    async def get_draft(self, user_id: int) -> Draft | None:
        async with self._read(single_statement=True) as conn:
            return await self._fetch_draft(conn, user_id)

    async def save_draft(
        self,
        user_id: int,
        step: str,
        data: dict[str, Any],
        *,
        expected_version: int | None,
        chat_id: int | None = None,
        now: datetime | None = None,
    ) -> Draft:
        """Store the draft if nobody changed it since `expected_version` (None: "there is no draft yet").

        Returns the stored draft (version + 1); raises DraftConflict with the stored one otherwise, so a
        second replica or a double tap cannot silently overwrite a newer step.
        """
        now = now or self.clock()
        async with self._write(single_statement=True) as conn:
            if expected_version is None:
                row = (await conn.execute(_INSERT_DRAFT, {
                    "user_id": user_id, "chat_id": chat_id, "step": step, "data": data, "version": 1,
                    "created_at": now, "updated_at": now,
                })).first()
            else:
                row = (await conn.execute(_UPDATE_DRAFT, {
                    "draft_user": user_id, "expected": expected_version, "new_step": step, "new_data": data,
                    "new_chat": chat_id, "new_time": now,
                })).first()
            if row is not None:
                return _draft(row._mapping)
            current = await self._fetch_draft(conn, user_id)
        raise DraftConflict(current)

    async def start_draft(
        self,
        user_id: int,
        step: str,
        data: dict[str, Any],
        *,
        chat_id: int | None = None,
        now: datetime | None = None,
    ) -> Draft:
        """Begin a new draft, replacing any old one (its version keeps increasing, so a stale holder of the
        old draft gets DraftConflict rather than writing into the new one)."""
        now = now or self.clock()
        values = {"user_id": user_id, "chat_id": chat_id, "step": step, "data": data, "version": 1,
                  "created_at": now, "updated_at": now}
        async with self._write(single_statement=True) as conn:
            row = (await conn.execute(_START_DRAFT, values)).one()
        return _draft(row._mapping)

    async def delete_draft(self, user_id: int, *, expected_version: int | None = None) -> bool:
        """Drop the user's draft (only that version, if given). True if something was deleted."""
        async with self._write(single_statement=True) as conn:
            stmt = sa.delete(drafts).where(drafts.c.user_id == user_id)
            if expected_version is not None:
                stmt = stmt.where(drafts.c.version == expected_version)
            return (await conn.execute(stmt)).rowcount > 0

    async def _fetch_draft(self, conn: AsyncConnection, user_id: int) -> Draft | None:
        row = (await conn.execute(_SELECT_DRAFT, {"draft_user": user_id})).first()
        return _draft(row._mapping) if row is not None else None

    # ------------------------------------------------------------------------------------ submitting

    async def submit(
        self,
        new: NewSubmission | None = None,
        outbox: OutboxArg = None,
        *,
        draft_version: int | None = None,
        now: datetime | None = None,
        **fields: Any,
    ) -> Submission:
        """Store a submission with a fresh tracking code, its attachments, the "created" audit entry and
        the outbox rows (card to the committee, confirmation…) in ONE commit, then return it.

        Give either a `NewSubmission` or its fields as keywords (`user_id=…, kind=…, committee_id=…,
        text=…, anonymous=…`; attachments may then be mappings, see `NewAttachment.from_mapping`).
        draft_version: if given, the user's draft with exactly that version is deleted in the same
        transaction, and DraftConflict is raised (nothing stored) if it is gone or newer — so a double tap
        on "Gửi", or two replicas handling it, store one submission.
        """
        if new is None:
            new = NewSubmission.from_fields(**fields)
        elif fields:
            raise TypeError("give a NewSubmission or keyword fields, not both")
        kind = Kind(new.kind)
        text = (new.text or "").strip()
        if not text:
            raise Refused("empty_text")
        if not new.committee_id:
            raise Refused("no_committee")
        now = now or self.clock()
        name = None if new.anonymous else new.name
        phone = None if new.anonymous else new.phone
        due_ack = new.due_ack_at or now + self.deadlines.acknowledge
        due_resolve = new.due_resolve_at or now + self.deadlines.resolve
        async with self._write() as conn:
            if draft_version is not None:
                deleted = await conn.execute(
                    sa.delete(drafts).where(
                        drafts.c.user_id == new.user_id, drafts.c.version == draft_version
                    )
                )
                if deleted.rowcount != 1:
                    raise DraftConflict(await self._fetch_draft(conn, new.user_id))
            chat_id = new.chat_id if new.chat_id is not None else new.user_id
            citizen_id = await self._upsert_citizen(conn, new.user_id, chat_id, name, phone, now)
            values: dict[str, Any] = {
                "kind": str(kind),
                "topic_id": new.topic_id,
                "unit_id": new.unit_id,
                "committee_id": new.committee_id,
                "text": text,
                "anonymous": new.anonymous,
                "citizen_id": citizen_id,
                "contact_name": name,
                "contact_phone": phone,
                "status": str(Status.NEW),
                "revision": 1,
                "created_at": now,
                "updated_at": now,
                "due_ack_at": due_ack,
                "due_resolve_at": due_resolve,
            }
            submission_id, code = await self._insert_with_code(conn, values)
            if new.attachments:
                await conn.execute(
                    sa.insert(attachments),
                    [_attachment_values(submission_id, a, now) for a in new.attachments],
                )
            await self._audit(
                conn,
                submission_id,
                Actor.citizen(new.user_id),
                AuditAction.CREATED,
                now,
                to_status=Status.NEW,
                data={"attachments": len(new.attachments)} if new.attachments else None,
            )
            submission = Submission(
                id=submission_id,
                code=code,
                kind=kind,
                topic_id=new.topic_id,
                unit_id=new.unit_id,
                committee_id=new.committee_id,
                text=text,
                anonymous=new.anonymous,
                status=Status.NEW,
                created_at=now,
                updated_at=now,
                due_ack_at=due_ack,
                due_resolve_at=due_resolve,
                acknowledged_at=None,
                resolved_at=None,
                rating=None,
                revision=1,
                contact_name=name,
                contact_phone=phone,
                citizen_user_id=new.user_id,
                citizen_chat_id=chat_id,
                personal_data_removed_at=None,
            )
            await self._enqueue_for(conn, outbox, submission, now)
        return submission

    async def _insert_with_code(self, conn: AsyncConnection, values: dict[str, Any]) -> tuple[int, str]:
        """Insert with a random code; on a (rare) code collision try another one. No savepoint needed:
        ON CONFLICT DO NOTHING leaves the transaction usable on both engines."""
        for _ in range(CODE_ATTEMPTS):
            code = self.code_factory()
            submission_id = (
                await conn.execute(_INSERT_SUBMISSION, _full_row(submissions, {**values, "code": code}))
            ).scalar_one_or_none()
            if submission_id is not None:
                return int(submission_id), code
            log.info("tracking code collision on %s, retrying", code)  # expected now and then at scale
        raise StoreError(f"no free tracking code after {CODE_ATTEMPTS} attempts")

    # ------------------------------------------------------------------------------- reading submissions

    async def get_submission(self, submission_id: int) -> Submission | None:
        async with self._read() as conn:
            return await self._fetch_submission(conn, submission_id)

    async def get_by_code(self, code: str) -> Submission | None:
        """Any submission by code — for committees and admins (the bot checks who may see it)."""
        canonical = parse_code(code, self.code_prefix)
        if canonical is None:
            return None
        async with self._read() as conn:
            row = (await conn.execute(_select_submissions().where(submissions.c.code == canonical))).first()
        return _submission(row._mapping) if row else None

    async def get_submission_for_owner(self, code: str, user_id: int) -> Submission | None:
        """The submission with this code if `user_id` sent it; None otherwise — exactly as for an unknown
        code, so nobody can probe which codes exist."""
        canonical = parse_code(code, self.code_prefix)
        if canonical is None:
            return None
        async with self._read() as conn:
            row = (
                await conn.execute(
                    _select_submissions().where(
                        submissions.c.code == canonical, citizens.c.user_id == user_id
                    )
                )
            ).first()
        return _submission(row._mapping) if row else None

    async def list_citizen_submissions(
        self, user_id: int, *, limit: int = 20, offset: int = 0
    ) -> list[Submission]:
        """The citizen's own submissions, newest first."""
        async with self._read() as conn:
            rows = await conn.execute(
                _select_submissions()
                .where(citizens.c.user_id == user_id)
                .order_by(submissions.c.created_at.desc(), submissions.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [_submission(r._mapping) for r in rows]

    async def get_by_message(self, chat_id: int, message_id: int) -> LinkedMessage | None:
        """Which submission a Telegram message belongs to (a reply to a card, to a relayed answer…)."""
        async with self._read() as conn:
            link = (
                await conn.execute(
                    sa.select(message_links.c.submission_id, message_links.c.role).where(
                        message_links.c.chat_id == chat_id, message_links.c.message_id == message_id
                    )
                )
            ).first()
            if link is None:
                return None
            submission = await self._fetch_submission(conn, link.submission_id)
        if submission is None:
            return None
        return LinkedMessage(submission=submission, role=link.role, chat_id=chat_id, message_id=message_id)

    async def submission_by_message(self, chat_id: int, message_id: int) -> Submission | None:
        """`get_by_message` without the role."""
        linked = await self.get_by_message(chat_id, message_id)
        return linked.submission if linked else None

    async def message_link(self, submission_id: int, chat_id: int, role: str) -> int | None:
        """The id of the latest message of `role` ("card", …) for this submission in that chat, or None —
        so a relayed message can be sent as a reply under the card."""
        async with self._read() as conn:
            return (
                await conn.execute(
                    sa.select(message_links.c.message_id)
                    .where(
                        message_links.c.submission_id == submission_id,
                        message_links.c.chat_id == chat_id,
                        message_links.c.role == role,
                    )
                    .order_by(message_links.c.id.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()

    async def is_owner(self, submission_id: int, user_id: int) -> bool:
        """Did `user_id` send this submission (and is still linked to it)?"""
        async with self._read() as conn:
            return await self._owner_user_id(conn, submission_id) == user_id

    async def link_message(
        self, chat_id: int, message_id: int, submission_id: int, role: str, *, now: datetime | None = None
    ) -> bool:
        """Record that a message the bot sent directly (not through the outbox) belongs to a submission.
        Idempotent: False if that message was already linked."""
        now = now or self.clock()
        async with self._write() as conn:
            return await self._link(conn, chat_id, message_id, submission_id, role, now)

    async def _link(
        self,
        conn: AsyncConnection,
        chat_id: int,
        message_id: int,
        submission_id: int,
        role: str,
        now: datetime,
    ) -> bool:
        params = {"chat_id": chat_id, "message_id": message_id, "submission_id": submission_id, "role": role,
                  "created_at": now}
        return (await conn.execute(_INSERT_LINK, params)).first() is not None

    async def list_audit(self, submission_id: int) -> list[AuditEntry]:
        """The audit trail of one submission, oldest first."""
        async with self._read() as conn:
            rows = await conn.execute(
                sa.select(audit_log)
                .where(audit_log.c.submission_id == submission_id)
                .order_by(audit_log.c.at, audit_log.c.id)
            )
            return [_audit(r._mapping) for r in rows]

    audit_trail = list_audit

    async def _fetch_submission(self, conn: AsyncConnection, submission_id: int) -> Submission | None:
        row = (await conn.execute(_select_submissions().where(submissions.c.id == submission_id))).first()
        return _submission(row._mapping) if row else None

    # ---------------------------------------------------------------------------------- attachments

    async def add_attachment(
        self,
        submission_id: int,
        attachment: NewAttachment,
        *,
        actor: Actor | None = None,
        outbox: OutboxArg = None,
        now: datetime | None = None,
    ) -> Attachment:
        """Attach one more file to a stored submission (e.g. a photo sent in reply to the committee).
        A citizen actor must own the submission (Refused "not_owner")."""
        now = now or self.clock()
        async with self._write() as conn:
            submission = await self._fetch_submission(conn, submission_id)
            if submission is None:
                raise Refused("not_found")
            if actor is not None and actor.kind is ActorKind.CITIZEN and submission.citizen_user_id != actor.id:
                raise Refused("not_owner")
            attachment_id = (
                await conn.execute(
                    sa.insert(attachments)
                    .values(**_attachment_values(submission_id, attachment, now))
                    .returning(attachments.c.id)
                )
            ).scalar_one()
            await self._audit(
                conn,
                submission_id,
                actor or Actor.system(),
                AuditAction.ATTACHMENT_ADDED,
                now,
                data={"kind": str(attachment.kind)},
            )
            await self._enqueue_for(conn, outbox, submission, now)
            row = (await conn.execute(sa.select(attachments).where(attachments.c.id == attachment_id))).one()
        return _attachment(row._mapping)

    async def list_attachments(self, submission_id: int) -> list[Attachment]:
        async with self._read() as conn:
            rows = await conn.execute(
                sa.select(attachments)
                .where(attachments.c.submission_id == submission_id)
                .order_by(attachments.c.id)
            )
            return [_attachment(r._mapping) for r in rows]

    attachments = list_attachments

    # -------------------------------------------------------------------------------- status changes

    async def change_status(
        self,
        submission_id: int,
        to: Status | str,
        actor: Actor,
        outbox: OutboxArg = None,
        *,
        note: str | None = None,
        expected_committee: str | None = None,
        now: datetime | None = None,
    ) -> Submission:
        """Move a submission along the transition table, with audit and outbox rows, in one commit.

        expected_committee: the committee whose chat the action came from; a submission owned by another
        committee (forged callback, or forwarded meanwhile) is refused "wrong_committee". None = admin.
        Forwarding needs a target: use `forward`. Raises TransitionRefused; then nothing changed.
        """
        target = Status(to)
        if target is Status.FORWARDED:
            raise TransitionRefused("use_forward")
        now = now or self.clock()
        async with self._write() as conn:
            submission = await self._apply_transition(
                conn, submission_id, target, actor, now, note=note, expected_committee=expected_committee
            )
            await self._enqueue_for(conn, outbox, submission, now)
        return submission

    async def forward(
        self,
        submission_id: int,
        to_committee_id: str,
        actor: Actor,
        outbox: OutboxArg = None,
        *,
        note: str | None = None,
        expected_committee: str | None = None,
        due_ack_at: datetime | None = None,
        now: datetime | None = None,
    ) -> Submission:
        """Hand a submission to another committee: committee changes, status "forwarded" (which the new
        committee treats like "new"), acknowledgement starts again with a new deadline, audit + outbox."""
        if not to_committee_id:
            raise TransitionRefused("no_committee")
        now = now or self.clock()
        async with self._write() as conn:
            for _ in range(5):
                current = await self._current(conn, submission_id)
                if expected_committee is not None and current["committee_id"] != expected_committee:
                    raise TransitionRefused("wrong_committee")
                if current["committee_id"] == to_committee_id:
                    raise TransitionRefused("same_committee")
                reason = refusal_reason(current["status"], Status.FORWARDED)
                if reason is not None:
                    raise TransitionRefused(reason, f"{current['status']} -> forwarded")
                result = await conn.execute(
                    sa.update(submissions)
                    .where(submissions.c.id == submission_id, submissions.c.revision == current["revision"])
                    .values(
                        committee_id=to_committee_id,
                        status=str(Status.FORWARDED),
                        revision=current["revision"] + 1,
                        updated_at=now,
                        acknowledged_at=None,
                        ack_seconds=None,
                        due_ack_at=due_ack_at or now + self.deadlines.acknowledge,
                    )
                )
                if result.rowcount == 1:
                    break
            else:
                raise TransitionRefused("stale")
            await self._audit(
                conn,
                submission_id,
                actor,
                AuditAction.FORWARDED,
                now,
                from_status=Status(current["status"]),
                to_status=Status.FORWARDED,
                note=note,
                data={"from_committee": current["committee_id"], "to_committee": to_committee_id},
            )
            submission = await self._fetch_submission(conn, submission_id)
            assert submission is not None
            await self._enqueue_for(conn, outbox, submission, now)
        return submission

    async def add_reply(
        self,
        submission_id: int,
        actor: Actor,
        text: str,
        outbox: OutboxArg = None,
        *,
        status: Status | str | None = None,
        mark_answered: bool = False,
        expected_committee: str | None = None,
        now: datetime | None = None,
    ) -> Submission:
        """Record a message in the thread: an official/admin answering the citizen, or the citizen
        answering the committee (only the owner: Refused "not_owner").

        status: also move the submission to this status in the same commit, or refuse the whole reply.
        mark_answered: an official's reply moves the submission to "answered" when that transition is
        allowed, and leaves the status alone otherwise (a second answer, an answer after "resolved")."""
        body = (text or "").strip()
        if not body:
            raise Refused("empty_text")
        now = now or self.clock()
        async with self._write() as conn:
            current = await self._current(conn, submission_id)
            if actor.kind is ActorKind.CITIZEN:
                owner = await self._owner_user_id(conn, submission_id)
                if owner is None or owner != actor.id:
                    raise Refused("not_owner")
                action = AuditAction.REPLY_TO_COMMITTEE
            elif actor.kind in (ActorKind.OFFICIAL, ActorKind.ADMIN):
                if expected_committee is not None and current["committee_id"] != expected_committee:
                    raise TransitionRefused("wrong_committee")
                action = AuditAction.REPLY_TO_CITIZEN
            else:
                raise Refused("bad_actor")
            await self._audit(conn, submission_id, actor, action, now, note=body)
            if (
                status is None
                and mark_answered
                and action is AuditAction.REPLY_TO_CITIZEN
                and refusal_reason(current["status"], Status.ANSWERED) is None
            ):
                status = Status.ANSWERED
            if status is not None:
                target = Status(status)
                if target is Status.FORWARDED:
                    raise TransitionRefused("use_forward")
                submission = await self._apply_transition(
                    conn, submission_id, target, actor, now, note=None, expected_committee=expected_committee
                )
            else:
                await conn.execute(
                    sa.update(submissions)
                    .where(submissions.c.id == submission_id)
                    .values(revision=submissions.c.revision + 1, updated_at=now)
                )
                fetched = await self._fetch_submission(conn, submission_id)
                assert fetched is not None
                submission = fetched
            await self._enqueue_for(conn, outbox, submission, now)
        return submission

    async def rate(
        self,
        submission_id: int,
        user_id: int,
        rating: int,
        outbox: OutboxArg = None,
        *,
        now: datetime | None = None,
    ) -> Submission:
        """The sender rates the outcome, 1–5, once it is answered or resolved (a new rating replaces the
        old one; both are audited). Refused: "not_found", "not_owner", "not_rateable", "bad_rating"."""
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise Refused("bad_rating")
        now = now or self.clock()
        async with self._write() as conn:
            current = await self._current(conn, submission_id)
            owner = await self._owner_user_id(conn, submission_id)
            if owner is None or owner != user_id:
                raise Refused("not_owner")
            if Status(current["status"]) not in RATEABLE:
                raise Refused("not_rateable")
            await conn.execute(
                sa.update(submissions)
                .where(submissions.c.id == submission_id)
                .values(rating=rating, rated_at=now, revision=submissions.c.revision + 1, updated_at=now)
            )
            await self._audit(
                conn,
                submission_id,
                Actor.citizen(user_id),
                AuditAction.RATED,
                now,
                data={"rating": rating, "previous": current["rating"]},
            )
            submission = await self._fetch_submission(conn, submission_id)
            assert submission is not None
            await self._enqueue_for(conn, outbox, submission, now)
        return submission

    async def _current(self, conn: AsyncConnection, submission_id: int) -> RowMapping:
        row = (
            await conn.execute(
                sa.select(
                    submissions.c.status,
                    submissions.c.committee_id,
                    submissions.c.revision,
                    submissions.c.created_at,
                    submissions.c.acknowledged_at,
                    submissions.c.rating,
                ).where(submissions.c.id == submission_id)
            )
        ).first()
        if row is None:
            raise TransitionRefused("not_found")
        return row._mapping

    async def _owner_user_id(self, conn: AsyncConnection, submission_id: int) -> int | None:
        return (
            await conn.execute(
                sa.select(citizens.c.user_id)
                .select_from(submissions.join(citizens, submissions.c.citizen_id == citizens.c.id))
                .where(submissions.c.id == submission_id)
            )
        ).scalar_one_or_none()

    async def _apply_transition(
        self,
        conn: AsyncConnection,
        submission_id: int,
        target: Status,
        actor: Actor,
        now: datetime,
        *,
        note: str | None,
        expected_committee: str | None,
    ) -> Submission:
        # Compare-and-set on revision; retried on a concurrent change (only PostgreSQL can see one, since a
        # SQLite writer holds the lock), re-checking the transition against the fresh state.
        for _ in range(5):
            current = await self._current(conn, submission_id)
            if expected_committee is not None and current["committee_id"] != expected_committee:
                raise TransitionRefused("wrong_committee")
            reason = refusal_reason(current["status"], target)
            if reason is not None:
                raise TransitionRefused(reason, f"{current['status']} -> {target}")
            values: dict[str, Any] = {
                "status": str(target),
                "revision": current["revision"] + 1,
                "updated_at": now,
            }
            if target in ACKNOWLEDGING and current["acknowledged_at"] is None:
                values["acknowledged_at"] = now
                values["ack_seconds"] = _seconds(now, current["created_at"])
            if target is Status.RESOLVED:
                values["resolved_at"] = now
                values["resolve_seconds"] = _seconds(now, current["created_at"])
            result = await conn.execute(
                sa.update(submissions)
                .where(submissions.c.id == submission_id, submissions.c.revision == current["revision"])
                .values(**values)
            )
            if result.rowcount == 1:
                break
        else:
            raise TransitionRefused("stale")
        await self._audit(
            conn,
            submission_id,
            actor,
            AuditAction.STATUS_CHANGED,
            now,
            from_status=Status(current["status"]),
            to_status=target,
            note=note,
        )
        submission = await self._fetch_submission(conn, submission_id)
        assert submission is not None
        return submission

    async def _audit(
        self,
        conn: AsyncConnection,
        submission_id: int,
        actor: Actor,
        action: AuditAction,
        at: datetime,
        *,
        from_status: Status | None = None,
        to_status: Status | None = None,
        note: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        await conn.execute(
            sa.insert(audit_log).values(
                submission_id=submission_id,
                at=at,
                actor_kind=str(actor.kind),
                actor_id=actor.id,
                action=str(action),
                from_status=str(from_status) if from_status else None,
                to_status=str(to_status) if to_status else None,
                note=note,
                data=data,
            )
        )

    # ---------------------------------------------------------------------------------------- outbox

    async def enqueue(self, items: Sequence[OutboxItem], *, now: datetime | None = None) -> int:
        """Queue messages that belong to no other action (digests, answers to questions…). Returns how
        many were new: an item whose key is already queued (or sent) is ignored."""
        now = now or self.clock()
        async with self._write() as conn:
            return await self._enqueue(conn, items, now)

    async def _enqueue_for(
        self, conn: AsyncConnection, outbox_arg: OutboxArg, submission: Submission, now: datetime
    ) -> int:
        if outbox_arg is None:
            return 0
        items = list(outbox_arg(submission) if callable(outbox_arg) else outbox_arg)
        items = [
            i if i.submission_id is not None else _with_submission(i, submission.id) for i in items
        ]
        return await self._enqueue(conn, items, now)

    async def _enqueue(self, conn: AsyncConnection, items: Iterable[OutboxItem], now: datetime) -> int:
        rows = [
            {
                "key": item.key,
                "method": item.method,
                "payload": item.payload,
                "chat_id": item.chat_id,
                "submission_id": item.submission_id,
                "link": item.link,
                "after_key": item.after,
                "status": str(OutboxStatus.PENDING),
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for item in items
        ]
        inserted = 0
        for row in rows:
            inserted += (await conn.execute(_INSERT_OUTBOX, _full_row(outbox, row))).first() is not None
        return inserted

    async def claim_outbox(
        self,
        worker_id: str,
        limit: int = 20,
        now: datetime | None = None,
        lease_seconds: float = 60.0,
    ) -> list[OutboxMessage]:
        """Lease up to `limit` deliverable rows to `worker_id` until now + lease_seconds, oldest first.

        Deliverable: pending, due (next_attempt_at <= now), not leased (or the lease expired — a worker
        that crashed between claim and mark loses its rows to the next claim, they are not lost), its
        `after` row no longer pending, and no earlier row of the same chat blocked (leased elsewhere or
        waiting to retry) — so one chat receives its messages in order and a 429 for a chat holds back
        that chat only.

        PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED inside the UPDATE, so concurrent workers never get
        the same row. SQLite: one UPDATE … WHERE id IN (SELECT …) RETURNING under the write lock, which
        is atomic. (Per-chat order across two PostgreSQL workers claiming at the very same instant is
        best effort; exactly-once claiming is not.)
        """
        if limit <= 0:
            return []
        now = now or self.clock()
        until = now + timedelta(seconds=lease_seconds)
        o = outbox.alias("o")
        earlier = outbox.alias("earlier")
        before = outbox.alias("before")
        pending = str(OutboxStatus.PENDING)
        candidates = (
            sa.select(o.c.id)
            .where(
                o.c.status == pending,
                o.c.next_attempt_at <= now,
                sa.or_(o.c.lease_until.is_(None), o.c.lease_until <= now),
                ~sa.exists().where(
                    earlier.c.status == pending,
                    earlier.c.chat_id == o.c.chat_id,
                    earlier.c.id < o.c.id,
                    sa.or_(earlier.c.next_attempt_at > now, earlier.c.lease_until > now),
                ),
                ~sa.exists().where(before.c.key == o.c.after_key, before.c.status == pending),
            )
            .order_by(o.c.id)
            .limit(limit)
        )
        if self.dialect == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True, of=o)
        stmt = (
            sa.update(outbox)
            .where(outbox.c.id.in_(candidates.scalar_subquery()))
            .values(leased_by=worker_id, lease_until=until)
            .returning(*outbox.c)
        )
        async with self._write() as conn:
            rows = sorted((r._mapping for r in await conn.execute(stmt)), key=lambda m: m["id"])
            after_keys = {m["after_key"] for m in rows if m["after_key"]}
            after_ids: dict[str, int | None] = {}
            if after_keys:
                found = await conn.execute(
                    sa.select(outbox.c.key, outbox.c.message_id).where(outbox.c.key.in_(after_keys))
                )
                after_ids = {k: mid for k, mid in found}
        return [
            OutboxMessage(
                id=m["id"],
                key=m["key"],
                method=m["method"],
                payload=dict(m["payload"] or {}),
                chat_id=m["chat_id"],
                submission_id=m["submission_id"],
                link=m["link"],
                after=m["after_key"],
                after_message_id=after_ids.get(m["after_key"]) if m["after_key"] else None,
                attempts=m["attempts"],
                created_at=m["created_at"],
                lease_until=m["lease_until"],
            )
            for m in rows
        ]

    async def mark_sent(self, outbox_id: int, message_id: int | None, *, now: datetime | None = None) -> bool:
        """The row was delivered as `message_id`. Records the message link (if the row has a `link` role)
        and a "delivered" audit entry. Idempotent: marking again changes nothing and returns False."""
        now = now or self.clock()
        async with self._write() as conn:
            row = (await conn.execute(sa.select(outbox).where(outbox.c.id == outbox_id))).first()
            if row is None:
                return False
            m = row._mapping
            linked = False
            if m["link"] and m["submission_id"] is not None and message_id is not None:
                linked = await self._link(conn, m["chat_id"], message_id, m["submission_id"], m["link"], now)
            if m["status"] == OutboxStatus.SENT:
                return False
            await conn.execute(
                sa.update(outbox)
                .where(outbox.c.id == outbox_id)
                .values(
                    status=str(OutboxStatus.SENT),
                    sent_at=now,
                    message_id=message_id,
                    leased_by=None,
                    lease_until=None,
                )
            )
            await self._scrub_if_erased(conn, outbox_id, m["submission_id"])
            if m["submission_id"] is not None:
                await self._audit(
                    conn,
                    m["submission_id"],
                    Actor.system(),
                    AuditAction.DELIVERED,
                    now,
                    data={"outbox_id": outbox_id, "method": m["method"], "link": m["link"], "linked": linked},
                )
        return True

    async def mark_retry(
        self,
        outbox_id: int,
        error: str,
        next_attempt_at: datetime,
        *,
        worker_id: str | None = None,
    ) -> bool:
        """A transient failure (network, 5xx, 429): try again at `next_attempt_at` (the worker computes
        the back-off, honouring retry_after). attempts + 1, lease released. With `worker_id`, only if that
        worker still holds the lease. False if the row is not pending (or not ours)."""
        async with self._write() as conn:
            stmt = (
                sa.update(outbox)
                .where(outbox.c.id == outbox_id, outbox.c.status == str(OutboxStatus.PENDING))
                .values(
                    attempts=outbox.c.attempts + 1,
                    last_error=error[:2000],
                    next_attempt_at=next_attempt_at,
                    leased_by=None,
                    lease_until=None,
                )
            )
            if worker_id is not None:
                stmt = stmt.where(outbox.c.leased_by == worker_id)
            return (await conn.execute(stmt)).rowcount == 1

    async def mark_failed(
        self, outbox_id: int, error: str, *, worker_id: str | None = None, now: datetime | None = None
    ) -> bool:
        """A permanent failure (e.g. 403 blocked by the user, 400 chat not found): stop trying, keep the
        row with its error, audit "delivery_failed". False if the row is not pending (or not ours)."""
        now = now or self.clock()
        async with self._write() as conn:
            stmt = (
                sa.update(outbox)
                .where(outbox.c.id == outbox_id, outbox.c.status == str(OutboxStatus.PENDING))
                .values(
                    status=str(OutboxStatus.FAILED),
                    attempts=outbox.c.attempts + 1,
                    last_error=error[:2000],
                    leased_by=None,
                    lease_until=None,
                )
                .returning(outbox.c.submission_id, outbox.c.method)
            )
            if worker_id is not None:
                stmt = stmt.where(outbox.c.leased_by == worker_id)
            row = (await conn.execute(stmt)).first()
            if row is None:
                return False
            await self._scrub_if_erased(conn, outbox_id, row.submission_id)
            if row.submission_id is not None:
                await self._audit(
                    conn,
                    row.submission_id,
                    Actor.system(),
                    AuditAction.DELIVERY_FAILED,
                    now,
                    note=error[:2000],
                    data={"outbox_id": outbox_id, "method": row.method},
                )
        return True

    async def _scrub_if_erased(self, conn: AsyncConnection, outbox_id: int, submission_id: int | None) -> None:
        """A row still queued when its sender erased their data (/xoadulieu) was kept so the committee gets
        it; once it is done its payload (which may carry the name and phone) goes, like the delivered ones."""
        if submission_id is None:
            return
        erased = sa.exists().where(
            submissions.c.id == submission_id, submissions.c.personal_data_removed_at.is_not(None)
        )
        await conn.execute(sa.update(outbox).where(outbox.c.id == outbox_id, erased).values(payload={}))

    async def release_outbox(self, outbox_ids: Sequence[int], *, worker_id: str | None = None) -> int:
        """Give leased rows back without counting an attempt (e.g. a worker shutting down, or holding back
        a chat after a 429). Returns how many were released."""
        if not outbox_ids:
            return 0
        async with self._write() as conn:
            stmt = (
                sa.update(outbox)
                .where(outbox.c.id.in_(list(outbox_ids)), outbox.c.status == str(OutboxStatus.PENDING))
                .values(leased_by=None, lease_until=None)
            )
            if worker_id is not None:
                stmt = stmt.where(outbox.c.leased_by == worker_id)
            return (await conn.execute(stmt)).rowcount

    async def outbox_counts(self) -> dict[str, int]:
        """Rows per status ("pending", "sent", "failed", always present) plus "leased" (pending rows
        currently leased) — for tests and monitoring."""
        now = self.clock()
        async with self._read() as conn:
            rows = await conn.execute(
                sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
            )
            counts = {str(s): 0 for s in OutboxStatus}
            counts.update({status: int(n) for status, n in rows})
            counts["leased"] = int(
                (
                    await conn.execute(
                        sa.select(sa.func.count()).where(
                            outbox.c.status == str(OutboxStatus.PENDING), outbox.c.lease_until > now
                        )
                    )
                ).scalar_one()
            )
        return counts

    async def next_outbox_due(self, now: datetime | None = None) -> datetime | None:
        """When the next pending row becomes claimable (so a worker can sleep until then), or None."""
        now = now or self.clock()
        pending = outbox.c.status == str(OutboxStatus.PENDING)
        async with self._read() as conn:
            free = (
                await conn.execute(
                    sa.select(sa.func.min(outbox.c.next_attempt_at)).where(
                        pending, sa.or_(outbox.c.lease_until.is_(None), outbox.c.lease_until <= now)
                    )
                )
            ).scalar_one_or_none()
            leased = (
                await conn.execute(
                    sa.select(sa.func.min(outbox.c.lease_until)).where(pending, outbox.c.lease_until > now)
                )
            ).scalar_one_or_none()
        times = [_aware(t) for t in (free, leased) if t is not None]
        return min(times) if times else None

    async def get_outbox(self, key: str) -> dict[str, Any] | None:
        """One outbox row by idempotency key, as a dict (for tests and troubleshooting)."""
        async with self._read() as conn:
            row = (await conn.execute(sa.select(outbox).where(outbox.c.key == key))).first()
        return dict(row._mapping) if row else None

    # ------------------------------------------------------------------------------------- reporting

    def _period(
        self, since: datetime | None, until: datetime | None, committee_id: str | None
    ) -> list[sa.ColumnElement[bool]]:
        filters: list[sa.ColumnElement[bool]] = []
        if since is not None:
            filters.append(submissions.c.created_at >= since)
        if until is not None:
            filters.append(submissions.c.created_at < until)
        if committee_id is not None:
            filters.append(submissions.c.committee_id == committee_id)
        return filters

    async def statistics(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        committee_id: str | None = None,
        *,
        now: datetime | None = None,
    ) -> Statistics:
        """Counts by status/kind/topic/place/committee, median times to acknowledge and to resolve, the
        share resolved by the due date and the average rating, for submissions created in [since, until).
        committee_id None = all committees. Four queries, all on the (committee_id, created_at) index."""
        now = now or self.clock()
        s = submissions.c
        filters = self._period(since, until, committee_id)
        resolved_in_time = sa.and_(
            s.resolved_at.is_not(None), s.due_resolve_at.is_not(None), s.resolved_at <= s.due_resolve_at
        )
        judged = sa.or_(
            sa.and_(s.status == str(Status.RESOLVED), s.due_resolve_at.is_not(None)),
            sa.and_(s.status.not_in(_FINAL), s.due_resolve_at < now),
        )
        async with self._read(long=True) as conn:
            groups = await conn.execute(
                sa.select(s.status, s.kind, s.topic_id, s.unit_id, s.committee_id, sa.func.count())
                .where(*filters)
                .group_by(s.status, s.kind, s.topic_id, s.unit_id, s.committee_id)
            )
            by_status: dict[str, int] = {}
            by_kind: dict[str, int] = {}
            by_topic: dict[str | None, int] = {}
            by_unit: dict[str | None, int] = {}
            by_committee: dict[str, int] = {}
            total = 0
            for status, kind, topic, unit, committee, n in groups:
                n = int(n)
                total += n
                by_status[status] = by_status.get(status, 0) + n
                by_kind[kind] = by_kind.get(kind, 0) + n
                by_topic[topic] = by_topic.get(topic, 0) + n
                by_unit[unit] = by_unit.get(unit, 0) + n
                by_committee[committee] = by_committee.get(committee, 0) + n
            agg = (
                await conn.execute(
                    sa.select(
                        sa.func.count(s.ack_seconds),
                        sa.func.count(s.resolve_seconds),
                        sa.func.coalesce(sa.func.sum(sa.case((resolved_in_time, 1), else_=0)), 0),
                        sa.func.coalesce(sa.func.sum(sa.case((judged, 1), else_=0)), 0),
                        sa.func.count(s.rating),
                        sa.func.avg(s.rating),
                    ).where(*filters)
                )
            ).one()
            acknowledged, resolved = int(agg[0]), int(agg[1])
            median_ack = await _median(conn, s.ack_seconds, filters, acknowledged)
            median_resolve = await _median(conn, s.resolve_seconds, filters, resolved)
        on_time, judged_n, ratings = int(agg[2]), int(agg[3]), int(agg[4])
        return Statistics(
            since=since,
            until=until,
            committee_id=committee_id,
            total=total,
            by_status=_sorted_counts(by_status),
            by_kind=_sorted_counts(by_kind),
            by_topic=_sorted_counts(by_topic),
            by_unit=_sorted_counts(by_unit),
            by_committee=_sorted_counts(by_committee),
            acknowledged=acknowledged,
            resolved=resolved,
            median_ack_seconds=median_ack,
            median_resolve_seconds=median_resolve,
            resolved_on_time=on_time,
            judged_for_deadline=judged_n,
            on_time_share=on_time / judged_n if judged_n else None,
            ratings=ratings,
            average_rating=float(agg[5]) if agg[5] is not None else None,
        )

    async def overdue(
        self,
        committee_id: str | None = None,
        *,
        now: datetime | None = None,
        limit: int | None = None,
    ) -> list[OverdueItem]:
        """Open (not final) submissions past a deadline: not acknowledged by `due_ack_at`, or not resolved
        by `due_resolve_at` (that one wins when both apply). Ordered by committee, most overdue first.
        Two queries, each served by a partial index on open submissions."""
        now = now or self.clock()
        s = submissions.c
        scope = [s.committee_id == committee_id] if committee_id is not None else []
        found: dict[int, OverdueItem] = {}
        async with self._read(long=True) as conn:
            late_resolve = await conn.execute(
                _select_submissions().where(_OPEN_SQL, s.due_resolve_at < now, *scope)
            )
            for row in late_resolve:
                sub = _submission(row._mapping)
                assert sub.due_resolve_at is not None
                found[sub.id] = OverdueItem(sub, "resolve", sub.due_resolve_at, now - sub.due_resolve_at)
            late_ack = await conn.execute(
                _select_submissions().where(
                    sa.text(f"acknowledged_at IS NULL AND {_OPEN_SQL.text}"), s.due_ack_at < now, *scope
                )
            )
            for row in late_ack:
                sub = _submission(row._mapping)
                if sub.id not in found and sub.due_ack_at is not None:
                    found[sub.id] = OverdueItem(sub, "acknowledge", sub.due_ack_at, now - sub.due_ack_at)
        items = sorted(found.values(), key=lambda i: (i.submission.committee_id, i.due_at, i.submission.id))
        return items[:limit] if limit is not None else items

    async def export_rows(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        committee_id: str | None = None,
    ) -> list[ExportRow]:
        """The submissions created in [since, until) for the period report. Name and phone only for
        senders who gave them (never for anonymous ones, nor after their data was removed)."""
        s = submissions.c
        counts = (
            sa.select(attachments.c.submission_id, sa.func.count().label("n"))
            .group_by(attachments.c.submission_id)
            .subquery()
        )
        async with self._read(long=True) as conn:
            # Streamed in batches: a year of a province is tens of thousands of rows, and a buffered
            # result would hold them twice (driver rows and records) at the report's peak.
            rows = await conn.stream(
                sa.select(submissions, sa.func.coalesce(counts.c.n, 0).label("attachment_count"))
                .select_from(submissions.outerjoin(counts, counts.c.submission_id == s.id))
                .where(*self._period(since, until, committee_id))
                .order_by(s.created_at, s.id)
                .execution_options(yield_per=1000)
            )
            out: list[ExportRow] = []
            async for row in rows:
                m = row._mapping
                named = not m["anonymous"] and m["personal_data_removed_at"] is None
                out.append(
                    ExportRow(
                        code=m["code"],
                        kind=m["kind"],
                        topic_id=m["topic_id"],
                        unit_id=m["unit_id"],
                        committee_id=m["committee_id"],
                        status=m["status"],
                        anonymous=m["anonymous"],
                        text=m["text"],
                        name=m["contact_name"] if named else None,
                        phone=m["contact_phone"] if named else None,
                        created_at=m["created_at"],
                        acknowledged_at=m["acknowledged_at"],
                        resolved_at=m["resolved_at"],
                        due_ack_at=m["due_ack_at"],
                        due_resolve_at=m["due_resolve_at"],
                        rating=m["rating"],
                        attachments=int(m["attachment_count"]),
                    )
                )
        return out

    # ---------------------------------------------------------------------------------- question log

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
                last_asked_at=_aware(last),
                best_document=examples[latest_id].document,
                best_article=examples[latest_id].article,
                best_score=examples[latest_id].score,
            )
            for normalized, count, latest_id, last in groups
        ]

    # ------------------------------------------------------------------------------ personal data

    async def delete_personal_data(self, user_id: int, *, now: datetime | None = None) -> DeletionReport:
        """`/xoadulieu`: remove the citizen's personal data — the citizen row (ids, name, phone), their
        draft, the name/phone/link on their submissions, links to messages in their private chat, queued
        messages to them, their id in the audit trail and question log. The submissions' content stays with
        the committee, anonymous and marked (`personal_data_removed_at`); the report says what remains."""
        now = now or self.clock()
        async with self._write() as conn:
            citizen = (await conn.execute(sa.select(citizens).where(citizens.c.user_id == user_id))).first()
            chats = {user_id}
            if citizen is not None:
                chats.add(citizen.chat_id)
            drafts_deleted = (await conn.execute(sa.delete(drafts).where(drafts.c.user_id == user_id))).rowcount
            questions = (
                await conn.execute(
                    sa.update(question_log).where(question_log.c.user_id == user_id).values(user_id=None)
                )
            ).rowcount
            report: dict[str, int] = {}
            remaining: list[str] = []
            still_open: list[str] = []
            if citizen is not None:
                subs = (
                    await conn.execute(
                        sa.select(submissions.c.id, submissions.c.code, submissions.c.status)
                        .where(submissions.c.citizen_id == citizen.id)
                        .order_by(submissions.c.id)
                    )
                ).all()
                report = await self._anonymise(conn, [r.id for r in subs], chats, user_id, now)
                remaining = [r.code for r in subs]
                still_open = [r.code for r in subs if Status(r.status) not in FINAL_STATUSES]
                await conn.execute(sa.delete(citizens).where(citizens.c.id == citizen.id))
            # Whatever else was addressed to their private chat (answers to questions…).
            links = (await conn.execute(sa.delete(message_links).where(message_links.c.chat_id.in_(chats)))).rowcount
            queued = (await conn.execute(sa.delete(outbox).where(outbox.c.chat_id.in_(chats)))).rowcount
        return DeletionReport(
            found=citizen is not None or drafts_deleted > 0 or questions > 0,
            citizen_removed=citizen is not None,
            drafts_deleted=drafts_deleted,
            remaining_codes=remaining,
            open_codes=still_open,
            message_links_deleted=report.get("links", 0) + links,
            outbox_rows_deleted=report.get("outbox_deleted", 0) + queued,
            outbox_payloads_scrubbed=report.get("scrubbed", 0),
            pending_deliveries=report.get("pending", 0),
            audit_entries_anonymised=report.get("audit", 0),
            questions_unlinked=questions,
        )

    async def _anonymise(
        self,
        conn: AsyncConnection,
        submission_ids: list[int],
        chats: set[int],
        user_id: int | None,
        now: datetime,
    ) -> dict[str, int]:
        """Cut every link between these submissions and their sender (one transaction, the caller's)."""
        if not submission_ids:
            return {}
        ids = submission_ids
        await conn.execute(
            sa.update(submissions)
            .where(submissions.c.id.in_(ids))
            .values(
                citizen_id=None,
                contact_name=None,
                contact_phone=None,
                personal_data_removed_at=now,
                revision=submissions.c.revision + 1,
                updated_at=now,
            )
        )
        await conn.execute(
            sa.update(attachments)
            .where(attachments.c.submission_id.in_(ids))
            .values(source_chat_id=None, source_message_id=None)
        )
        audit = (
            await conn.execute(
                sa.update(audit_log)
                .where(
                    audit_log.c.submission_id.in_(ids),
                    audit_log.c.actor_kind == str(ActorKind.CITIZEN),
                    audit_log.c.actor_id.is_not(None),
                )
                .values(actor_id=None)
            )
        ).rowcount
        if user_id is not None:
            # Their actions elsewhere (should be none, but ids are personal data wherever they are).
            audit += (
                await conn.execute(
                    sa.update(audit_log)
                    .where(
                        audit_log.c.actor_kind == str(ActorKind.CITIZEN), audit_log.c.actor_id == user_id
                    )
                    .values(actor_id=None)
                )
            ).rowcount
        links = (
            await conn.execute(
                sa.delete(message_links).where(
                    message_links.c.submission_id.in_(ids), message_links.c.chat_id.in_(chats)
                )
            )
        ).rowcount
        outbox_deleted = (
            await conn.execute(
                sa.delete(outbox).where(outbox.c.submission_id.in_(ids), outbox.c.chat_id.in_(chats))
            )
        ).rowcount
        # Delivered cards may carry the name in their text: the payload is no longer needed.
        scrubbed = (
            await conn.execute(
                sa.update(outbox)
                .where(outbox.c.submission_id.in_(ids), outbox.c.status != str(OutboxStatus.PENDING))
                .values(payload={})
            )
        ).rowcount
        pending = (
            await conn.execute(
                sa.select(sa.func.count()).where(
                    outbox.c.submission_id.in_(ids), outbox.c.status == str(OutboxStatus.PENDING)
                )
            )
        ).scalar_one()
        await conn.execute(
            sa.insert(audit_log),
            [
                {
                    "submission_id": sid,
                    "at": now,
                    "actor_kind": str(ActorKind.SYSTEM),
                    "actor_id": None,
                    "action": str(AuditAction.PERSONAL_DATA_REMOVED),
                    "from_status": None,
                    "to_status": None,
                    "note": None,
                    "data": None,
                }
                for sid in ids
            ],
        )
        return {
            "links": links,
            "outbox_deleted": outbox_deleted,
            "scrubbed": scrubbed,
            "pending": int(pending),
            "audit": audit,
        }

    async def purge_personal_data(
        self, retention_days: int, *, now: datetime | None = None
    ) -> PurgeReport:
        """Retention: remove personal data older than `retention_days` (from bot.yaml).

        * closed (final) submissions untouched for that long lose their link to the sender, name, phone;
        * citizens not seen for that long and with no submission still linked are deleted;
        * drafts not touched for that long are deleted;
        * user ids in the question log older than that are cleared;
        * delivered/failed outbox rows older than that (their payloads hold names and texts) are deleted.
        Open submissions keep their link: the sender must still be told what happens.
        """
        if retention_days < 0:
            raise ValueError("retention_days must be >= 0")
        now = now or self.clock()
        cutoff = now - timedelta(days=retention_days)
        s = submissions.c
        async with self._write(long=True) as conn:
            stale = (
                await conn.execute(
                    sa.select(s.id, citizens.c.user_id, citizens.c.chat_id)
                    .select_from(submissions.outerjoin(citizens, s.citizen_id == citizens.c.id))
                    .where(
                        s.status.in_(_FINAL),
                        s.updated_at < cutoff,
                        s.personal_data_removed_at.is_(None),
                        sa.or_(
                            s.citizen_id.is_not(None), s.contact_name.is_not(None), s.contact_phone.is_not(None)
                        ),
                    )
                )
            ).all()
            by_sender: dict[tuple[int | None, int | None], list[int]] = {}
            for sid, uid, chat in stale:
                by_sender.setdefault((uid, chat), []).append(sid)
            links = outbox_deleted = 0
            for (uid, chat), ids in by_sender.items():
                chats = {c for c in (uid, chat) if c is not None}
                result = await self._anonymise(conn, ids, chats, None, now)
                links += result.get("links", 0)
                outbox_deleted += result.get("outbox_deleted", 0)
            linked = sa.select(s.citizen_id).where(s.citizen_id.is_not(None))
            gone = (
                await conn.execute(
                    sa.select(citizens.c.id, citizens.c.user_id, citizens.c.chat_id).where(
                        citizens.c.last_seen_at < cutoff, citizens.c.id.not_in(linked)
                    )
                )
            ).all()
            gone_chats = {c for row in gone for c in (row.user_id, row.chat_id)}
            if gone:
                links += (
                    await conn.execute(sa.delete(message_links).where(message_links.c.chat_id.in_(gone_chats)))
                ).rowcount
                await conn.execute(
                    sa.update(audit_log)
                    .where(
                        audit_log.c.actor_kind == str(ActorKind.CITIZEN),
                        audit_log.c.actor_id.in_([row.user_id for row in gone]),
                    )
                    .values(actor_id=None)
                )
                await conn.execute(sa.delete(citizens).where(citizens.c.id.in_([row.id for row in gone])))
            drafts_deleted = (await conn.execute(sa.delete(drafts).where(drafts.c.updated_at < cutoff))).rowcount
            questions = (
                await conn.execute(
                    sa.update(question_log)
                    .where(question_log.c.asked_at < cutoff, question_log.c.user_id.is_not(None))
                    .values(user_id=None)
                )
            ).rowcount
            outbox_deleted += (
                await conn.execute(
                    sa.delete(outbox).where(
                        outbox.c.status != str(OutboxStatus.PENDING), outbox.c.created_at < cutoff
                    )
                )
            ).rowcount
        return PurgeReport(
            cutoff=cutoff,
            citizens_deleted=len(gone),
            submissions_anonymised=len(stale),
            drafts_deleted=drafts_deleted,
            questions_unlinked=questions,
            outbox_rows_deleted=outbox_deleted,
            message_links_deleted=links,
        )


# ------------------------------------------------------------------------------------------- helpers


def _insert_or_ignore(table: sa.Table, conflict: Sequence[str], upsert: str | None = None,
                      returning: Sequence[sa.Column[Any]] | None = None) -> Any:
    """INSERT … ON CONFLICT (…) DO NOTHING/UPDATE … RETURNING id (or the `returning` columns, typed), as a
    text statement.

    Why text: SQLAlchemy does not cache the compiled form of its dialect-specific ON CONFLICT
    constructs, and compiling three of them per submit cost a quarter of its time. This SQL reads the same
    on SQLite (>= 3.35) and PostgreSQL, and typed bind parameters keep the column types' conversions.
    """
    columns = [c for c in table.c if c.name != "id"]
    names = ", ".join(f'"{c.name}"' for c in columns)
    values = ", ".join(f":{c.name}" for c in columns)
    target = ", ".join(f'"{name}"' for name in conflict)
    action = f"DO UPDATE SET {upsert}" if upsert else "DO NOTHING"
    returned = ", ".join(f'"{c.name}"' for c in returning) if returning else '"id"'
    sql = (
        f'INSERT INTO "{table.name}" ({names}) VALUES ({values}) '
        f'ON CONFLICT ({target}) {action} RETURNING {returned}'
    )
    statement = sa.text(sql).bindparams(*(sa.bindparam(c.name, type_=c.type) for c in columns))
    return statement.columns(*returning) if returning else statement


def _full_row(table: sa.Table, values: dict[str, Any]) -> dict[str, Any]:
    """Every column but id, NULL where not given (a text INSERT names them all)."""
    return {c.name: values.get(c.name) for c in table.c if c.name != "id"}


_UPSERT_CITIZEN = _insert_or_ignore(
    citizens,
    ["user_id"],
    upsert='"chat_id" = excluded."chat_id", "last_seen_at" = excluded."last_seen_at", '
    '"name" = COALESCE(excluded."name", "citizens"."name"), '
    '"phone" = COALESCE(excluded."phone", "citizens"."phone")',
)
_START_DRAFT = _insert_or_ignore(  # a new draft replaces the old one; its version keeps increasing
    drafts,
    ["user_id"],
    upsert='"chat_id" = excluded."chat_id", "step" = excluded."step", "data" = excluded."data", '
    '"version" = "drafts"."version" + 1, "created_at" = excluded."created_at", '
    '"updated_at" = excluded."updated_at"',
    returning=list(drafts.c),
)
_INSERT_DRAFT = _insert_or_ignore(drafts, ["user_id"], returning=list(drafts.c))  # none yet, or conflict
_INSERT_SUBMISSION = _insert_or_ignore(submissions, ["code"])
_INSERT_OUTBOX = _insert_or_ignore(outbox, ["key"])
_INSERT_LINK = _insert_or_ignore(message_links, ["chat_id", "message_id"])


def _select_submissions() -> sa.Select[Any]:
    """Submission columns plus the sender's Telegram ids (NULL once removed)."""
    return sa.select(
        submissions,
        citizens.c.user_id.label("citizen_user_id"),
        citizens.c.chat_id.label("citizen_chat_id"),
    ).select_from(submissions.outerjoin(citizens, submissions.c.citizen_id == citizens.c.id))


def _aware(value: datetime) -> datetime:
    """Aggregates (MIN/MAX) bypass the column type on SQLite: make them aware UTC datetimes."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def _median(
    conn: AsyncConnection, column: sa.Column[Any], filters: list[sa.ColumnElement[bool]], n: int
) -> float | None:
    """Median of the non-null values of `column` over the filtered rows, n of them (portable SQL)."""
    if n == 0:
        return None
    values = (
        await conn.execute(
            sa.select(column)
            .where(*filters, column.is_not(None))
            .order_by(column)
            .limit(2 - n % 2)
            .offset((n - 1) // 2)
        )
    ).scalars().all()
    return sum(values) / len(values) if values else None


def _sorted_counts(counts: dict[Any, int]) -> dict[Any, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))


def _with_submission(item: OutboxItem, submission_id: int) -> OutboxItem:
    return OutboxItem(
        key=item.key,
        method=item.method,
        payload=item.payload,
        chat_id=item.chat_id,
        submission_id=submission_id,
        link=item.link,
        after=item.after,
    )


def _attachment_values(submission_id: int, a: NewAttachment, now: datetime) -> dict[str, Any]:
    return {
        "submission_id": submission_id,
        "kind": str(AttachmentKind(a.kind)),
        "file_id": a.file_id,
        "file_unique_id": a.file_unique_id,
        "source_chat_id": a.source_chat_id,
        "source_message_id": a.source_message_id,
        "data": a.data,
        "created_at": now,
    }


def _citizen(m: RowMapping) -> Citizen:
    return Citizen(
        id=m["id"],
        user_id=m["user_id"],
        chat_id=m["chat_id"],
        name=m["name"],
        phone=m["phone"],
        created_at=m["created_at"],
        last_seen_at=m["last_seen_at"],
    )


def _draft(m: RowMapping) -> Draft:
    return Draft(
        user_id=m["user_id"],
        chat_id=m["chat_id"],
        step=m["step"],
        data=dict(m["data"] or {}),
        version=m["version"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


def _submission(m: RowMapping) -> Submission:
    return Submission(
        id=m["id"],
        code=m["code"],
        kind=Kind(m["kind"]),
        topic_id=m["topic_id"],
        unit_id=m["unit_id"],
        committee_id=m["committee_id"],
        text=m["text"],
        anonymous=bool(m["anonymous"]),
        status=Status(m["status"]),
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        due_ack_at=m["due_ack_at"],
        due_resolve_at=m["due_resolve_at"],
        acknowledged_at=m["acknowledged_at"],
        resolved_at=m["resolved_at"],
        rating=m["rating"],
        revision=m["revision"],
        contact_name=m["contact_name"],
        contact_phone=m["contact_phone"],
        citizen_user_id=m["citizen_user_id"],
        citizen_chat_id=m["citizen_chat_id"],
        personal_data_removed_at=m["personal_data_removed_at"],
    )


def _attachment(m: RowMapping) -> Attachment:
    return Attachment(
        id=m["id"],
        submission_id=m["submission_id"],
        kind=AttachmentKind(m["kind"]),
        file_id=m["file_id"],
        file_unique_id=m["file_unique_id"],
        source_chat_id=m["source_chat_id"],
        source_message_id=m["source_message_id"],
        data=m["data"],
        created_at=m["created_at"],
    )


def _audit(m: RowMapping) -> AuditEntry:
    return AuditEntry(
        id=m["id"],
        submission_id=m["submission_id"],
        at=m["at"],
        actor_kind=ActorKind(m["actor_kind"]),
        actor_id=m["actor_id"],
        action=AuditAction(m["action"]),
        from_status=Status(m["from_status"]) if m["from_status"] else None,
        to_status=Status(m["to_status"]) if m["to_status"] else None,
        note=m["note"],
        data=m["data"],
    )


def _question(m: RowMapping) -> QuestionRecord:
    return QuestionRecord(
        id=m["id"],
        text=m["text"],
        normalized=m["normalized"],
        document=m["document"],
        article=m["article"],
        score=m["score"],
        sure=bool(m["sure"]),
        user_id=m["user_id"],
        votes_up=m["votes_up"],
        votes_down=m["votes_down"],
        asked_at=m["asked_at"],
    )

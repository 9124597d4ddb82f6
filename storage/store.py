"""The repository API: `Store`, one transaction per user-visible action, plain dataclasses out.

Why it looks like this:

* One method = one transaction. What a user sees happen (a code, a status change, a relayed reply)
  and the messages that tell others about it (outbox rows) and the audit entry are committed together
  or not at all. The citizen gets a tracking code only after that commit.
* Outbox rows are passed as a list or as a callable that receives the stored `Submission` (which
  knows its code and new status) and is called inside the transaction. Rows built for an action
  default to that submission's id.
* Status changes are compare-and-set on a `revision` column, checked against the one transition table
  (`storage.statuses`); a refused change raises `TransitionRefused` and writes nothing.
* Refusals carry codes, never user text: the bot owns every sentence a person reads.
* Nothing here imports `telegram`: Bot API calls are opaque (method, payload) pairs.

The methods live in storage/service/, one module per aggregate; `Store` is their single façade, so the
bot holds one object. Times: every `now` argument defaults to `Store.clock()` (UTC); pass it in tests.
"""

from __future__ import annotations

from storage.service.audit import AuditService
from storage.service.citizens import CitizenService
from storage.service.drafts import DraftService
from storage.service.messages import MessageService
from storage.service.outbox import OutboxService
from storage.service.privacy import PrivacyService
from storage.service.questions import QuestionService
from storage.service.statistics import StatisticsService
from storage.service.submissions import SubmissionService
from storage.service.transitions import TransitionService

__all__ = ["Store"]


class Store(
    CitizenService,
    DraftService,
    SubmissionService,
    TransitionService,
    MessageService,
    AuditService,
    OutboxService,
    StatisticsService,
    QuestionService,
    PrivacyService,
):
    """The database of the suggestion box (see `UnitOfWork` for the constructor's arguments)."""

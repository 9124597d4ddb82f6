"""The store's methods, one module per aggregate, each a `UnitOfWork` subclass (storage.store.Store
combines them): `unit_of_work` (engines, transactions), `rows` (statements and records from the schema's
columns), `citizens`, `drafts`, `submissions` (submit, read, attachments), `transitions` (status changes,
forwarding, replies, ratings), `messages` (message links), `audit`, `outbox`, `statistics` (reports),
`questions` (question log), `privacy` (personal data removal, retention).

Helpers that work inside the caller's transaction take the connection (`write_audit(conn, …)`,
`enqueue_for(conn, …)`), so one user-visible action stays one commit across modules.
"""

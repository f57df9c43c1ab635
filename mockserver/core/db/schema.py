"""Schema pieces both backends add beyond SQLModel's metadata: indexes SQLModel cannot declare
(partial and composite ones the hot queries rely on), and how PostgreSQL spells a flag column."""

from sqlalchemy import Boolean
from sqlalchemy.ext.compiler import compiles


@compiles(Boolean, "postgresql")
def _boolean_as_integer(type_, compiler, **kw) -> str:  # noqa: ARG001
    """Flags stay 0/1 integers as on SQLite: the store compares them with 1/0 and hands them to JSON."""
    return "INTEGER"

EXTRA_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS ux_apikey ON apikey(provider, key)",
    "CREATE INDEX IF NOT EXISTS ix_message_account_id ON message(account_id, id)",
    "CREATE INDEX IF NOT EXISTS ix_recipient_public ON recipient(public_id) WHERE public_id IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS ix_webhook_due ON webhook(status, next_attempt_at)",
    # Per-key ordering check of the delivery query (store.webhooks.due_batch).
    "CREATE INDEX IF NOT EXISTS ix_webhook_key ON webhook(ordering_key, id) WHERE status = 'pending'",
)

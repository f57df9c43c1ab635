"""The whole schema beyond the models' fields: indexes SQLModel's fields cannot declare (partial and
composite ones the hot queries rely on), the columns and tables only migrations used to add (apikey.key_hash,
fixtureaccount), and how PostgreSQL spells a flag column.

Importing this module puts them into SQLModel.metadata, so `create_all` on a fresh database builds what
the Alembic revisions (core/db/alembic/versions/) build step by step; tests/core/db/test_alembic.py
compares the two.
"""

from sqlalchemy import Boolean, Column, Index, Table, Text
from sqlalchemy.ext.compiler import compiles
from sqlmodel import SQLModel

from mockserver.core.models import ApiKey, Recipient, Webhook


@compiles(Boolean, "postgresql")
def _boolean_as_integer(type_, compiler, **kw) -> str:  # noqa: ARG001
    """Flags stay 0/1 integers as on SQLite: the store compares them with 1/0 and hands them to JSON."""
    return "INTEGER"


def _partial(name: str, where, *columns) -> Index:
    return Index(name, *columns, sqlite_where=where, postgresql_where=where)


# (The old list also had "ix_message_account_id ON message(account_id, id)" with IF NOT EXISTS: the model's own
# index on message.account_id has that name, so it never existed; message(account_id) is what every database has.)
_apikey, _recipient, _webhook = (m.__table__ for m in (ApiKey, Recipient, Webhook))

#: SHA-256 of the key (store/accounts.py looks keys up by it); not a model field, so rows built from
#: models never carry it.
_apikey.append_column(Column("key_hash", Text, nullable=True))

#: Which accounts the fixture files own, and the digest of each as last applied (store/fixture_ledger.py).
FIXTURE_ACCOUNT = Table(
    "fixtureaccount", SQLModel.metadata,
    Column("account_id", Text, primary_key=True),  # TEXT, as the runner before Alembic created them
    Column("provider", Text, nullable=False),
    Column("digest", Text, nullable=False),
)

INDEXES = (
    Index("ux_apikey", _apikey.c.provider, _apikey.c.key, unique=True),
    Index("ix_apikey_hash", _apikey.c.provider, _apikey.c.key_hash),
    _partial("ix_recipient_public", _recipient.c.public_id.isnot(None), _recipient.c.public_id),
    Index("ix_webhook_due", _webhook.c.status, _webhook.c.next_attempt_at),
    # Per-key ordering check of the delivery query (store.webhooks.due_batch).
    _partial("ix_webhook_key", _webhook.c.status == "pending", _webhook.c.ordering_key, _webhook.c.id),
)

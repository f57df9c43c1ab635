"""Alembic's environment: runs the revisions on the connection core/db/migrate.py hands over (inside its
transaction, which holds the schema lock), never on a URL of its own."""

from alembic import context
from sqlmodel import SQLModel

from mockserver.core.db import schema  # noqa: F401  (indexes, key_hash and fixtureaccount join the metadata)

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")  # SQLite ALTERs via copy-and-move
with context.begin_transaction():
    context.run_migrations()

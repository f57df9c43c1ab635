"""All SQL lives in this package, one module per resource. Functions take a sqlite3 connection
(from Database.conn() or Database.write()) so callers choose the transaction boundary."""

from mockserver.core.store import (  # noqa: F401
    accounts,
    admin,
    catalog,
    events,
    idempotency,
    inbound,
    messages,
    recipients,
    webhooks,
)

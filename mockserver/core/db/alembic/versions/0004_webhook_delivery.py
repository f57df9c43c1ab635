"""Version 4: webhook delivery apart from the tick: delivery id, lane host, lease and signing on each
webhook, the per-attempt log with send times; webhooks queued before it get their delivery id and lane.

Revision ID: 0004_webhook_delivery
Revises: 0003_api_key_hashes
"""

import sqlalchemy as sa
from alembic import op

from mockserver.core.db.alembic import steps
from mockserver.core.store.webhooks import host_of, new_delivery_id

revision = "0004_webhook_delivery"
down_revision = "0003_api_key_hashes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.create_missing_tables(("webhookattempt",))
    steps.add_missing_columns(("webhook", "webhookattempt"))
    webhook, bind = steps.reflect("webhook"), op.get_bind()
    rows = bind.execute(sa.select(webhook.c.id, webhook.c.url, webhook.c.delivery_id)
                        .where(sa.or_(webhook.c.delivery_id == "", webhook.c.host == ""))).all()
    if rows:
        bind.execute(sa.update(webhook).where(webhook.c.id == sa.bindparam("row_id"))
                     .values(delivery_id=sa.bindparam("did"), host=sa.bindparam("lane")),
                     [{"row_id": i, "did": d or new_delivery_id(), "lane": host_of(url)} for i, url, d in rows])
    steps.create_indexes(("ix_webhook_due", "ix_webhook_key"))


def downgrade() -> None:
    raise NotImplementedError("delivery state cannot be folded back into the tick")

"""Version 5: shared state for replicas on one database: runtimestate.version (replicas re-read a moved
clock), ratebucket (shared token buckets) and feedevent (the live feed relayed between processes).

Revision ID: 0005_shared_state
Revises: 0004_webhook_delivery
"""

from alembic import op

from mockserver.core.db.alembic import steps

revision = "0005_shared_state"
down_revision = "0004_webhook_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.create_missing_tables(("ratebucket", "feedevent"))
    steps.add_missing_columns(("runtimestate",))


def downgrade() -> None:
    op.drop_table("feedevent")
    op.drop_table("ratebucket")
    op.drop_column("runtimestate", "version")

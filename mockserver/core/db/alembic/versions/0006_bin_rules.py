"""Bins that misbehave on purpose: binrule, how a request bin answers (status, Retry-After, latency, body,
fail the first N), shared by replicas.

Revision ID: 0006_bin_rules
Revises: 0005_shared_state
"""

from alembic import op

from mockserver.core.db.alembic import steps

revision = "0006_bin_rules"
down_revision = "0005_shared_state"
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.create_missing_tables(("binrule",))


def downgrade() -> None:
    op.drop_table("binrule")

"""PostgreSQL without a global write lock: recipient ids come from recipient_id_seq (store/messages.py reserves
each message's contiguous range there), so the sequence moves past the ids older releases wrote as max + 1.
SQLite keeps max + 1 under its single writer: nothing to do there.

Revision ID: 0008_recipient_id_sequence
Revises: 0007_request_journal
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_recipient_id_sequence"
down_revision = "0007_request_journal"
branch_labels = None
depends_on = None

_recipient = sa.table("recipient", sa.column("id"))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # setval(seq, max + 1, false): the next nextval is max + 1 (1 on an empty table).
    op.get_bind().execute(sa.select(sa.func.setval(
        sa.func.pg_get_serial_sequence("recipient", "id"),
        sa.func.coalesce(sa.select(sa.func.max(_recipient.c.id)).scalar_subquery(), 0) + 1, sa.false())))


def downgrade() -> None:
    """Nothing to undo: older releases ignore the sequence (they number recipients max + 1)."""

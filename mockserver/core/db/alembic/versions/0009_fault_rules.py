"""Fault rules in the store (faultrule, faultsequence), so every process of `serve --workers N` and every
replica reads the same rules and counts the same hits (core/faults.py). Both engines: the tables are the
models' (models.FaultRuleRow, models.FaultSequence), made by the guarded step that looks before it creates.

Revision ID: 0009_fault_rules
Revises: 0008_recipient_id_sequence
"""

from alembic import op

from mockserver.core.db.alembic import steps

revision = "0009_fault_rules"
down_revision = "0008_recipient_id_sequence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.create_missing_tables(("faultrule", "faultsequence"))


def downgrade() -> None:
    """Older releases keep rules in memory: the tables (and the rules a user added) go."""
    op.drop_table("faultsequence")
    op.drop_table("faultrule")

"""The request journal: journalentry, every request to a provider API and its answer (refusals included),
secrets masked, bounded by MOCKSERVER_REQUEST_JOURNAL_LIMIT.

Revision ID: 0007_request_journal
Revises: 0006_bin_rules
"""

from alembic import op

from mockserver.core.db.alembic import steps

revision = "0007_request_journal"
down_revision = "0006_bin_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.create_missing_tables(("journalentry",))


def downgrade() -> None:
    op.drop_table("journalentry")

"""Version 2: fixtureaccount, which accounts the fixture files own and the digest of each as last applied.

Revision ID: 0002_fixture_ledger
Revises: 0001_baseline
"""

from alembic import op

from mockserver.core.db.alembic import steps

revision = "0002_fixture_ledger"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.create_missing_tables(("fixtureaccount",))


def downgrade() -> None:
    op.drop_table("fixtureaccount")

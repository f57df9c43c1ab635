"""Version 1 of the old runner (the schema of commit 45cb85d): brings any earlier database up to it.

An empty database never runs this (core/db/migrate.py creates the schema whole and stamps the head);
a database from before versioning gets the tables, columns and indexes it lacks and a clock it never saved.

Revision ID: 0001_baseline
Revises:
"""

from mockserver.core.db.alembic import steps

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    steps.create_missing_tables()
    steps.add_missing_columns()
    steps.adopt_clockstate()
    steps.restore_unsaved_clock()
    steps.create_indexes(("ux_apikey", "ix_recipient_public", "ix_webhook_due", "ix_webhook_key"))


def downgrade() -> None:
    raise NotImplementedError("the baseline is where history starts")

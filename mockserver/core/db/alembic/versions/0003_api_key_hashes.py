"""Version 3: apikey.key_hash, so a key is looked up by its hash and compared in constant time; keys
stored before it get their hash now.

Revision ID: 0003_api_key_hashes
Revises: 0002_fixture_ledger
"""

import hashlib

import sqlalchemy as sa
from alembic import op

from mockserver.core.db.alembic import steps

revision = "0003_api_key_hashes"
down_revision = "0002_fixture_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "key_hash" not in steps.columns("apikey"):
        op.add_column("apikey", sa.Column("key_hash", sa.Text(), nullable=True))
    apikey, bind = steps.reflect("apikey"), op.get_bind()
    rows = bind.execute(sa.select(apikey.c.id, apikey.c.key).where(apikey.c.key_hash.is_(None))).all()
    if rows:
        bind.execute(sa.update(apikey).where(apikey.c.id == sa.bindparam("row_id"))
                     .values(key_hash=sa.bindparam("hash")),
                     [{"row_id": i, "hash": hashlib.sha256(k.encode("utf-8", "surrogatepass")).hexdigest()}
                      for i, k in rows])
    steps.create_indexes(("ix_apikey_hash",))


def downgrade() -> None:
    op.drop_index("ix_apikey_hash", table_name="apikey")
    op.drop_column("apikey", "key_hash")

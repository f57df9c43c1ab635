"""What the revisions 0001-0005 share: guarded schema steps through Alembic's `op` (each looks before it
alters, because the runner they replace created every table the code of its day declared before any step
ran: a database at old version N may already hold later versions' tables), and the clock rescue.

Table and column lookups use SQLAlchemy's inspector; data moves through Core statements on op's connection.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op
from sqlmodel import SQLModel

from mockserver.core.db.schema import INDEXES


def tables() -> set[str]:
    return set(sa.inspect(op.get_bind()).get_table_names())


def columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def reflect(table: str) -> sa.Table:
    return sa.Table(table, sa.MetaData(), autoload_with=op.get_bind())


def create_missing_tables(names: tuple[str, ...] | None = None) -> None:
    """The models' tables (all, or those named) that the database lacks, as the schema declares them."""
    have = tables()
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in have and (names is None or table.name in names):
            op.create_table(table.name, *(c._copy() for c in table.columns))
            for index in sorted(table.indexes, key=lambda i: i.name):
                _create_index(index)


def add_missing_columns(table_names: tuple[str, ...] | None = None) -> None:
    """Every column the schema declares that an older database lacks (e.g. runtimestate.boots); a NOT NULL
    one gets its model default (or 0 / '') as the server default, as neither engine adds one without."""
    have_tables = tables()
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in have_tables or (table_names is not None and table.name not in table_names):
            continue
        have = columns(table.name)
        for column in table.columns:
            if column.name not in have:
                op.add_column(table.name, _addable(column))


def _addable(column: sa.Column) -> sa.Column:
    if column.nullable:
        return sa.Column(column.name, column.type, nullable=True)
    default = column.default.arg if column.default is not None and column.default.is_scalar else None
    if default is None:
        default = 0 if column.type.python_type in (int, float, bool) else ""
    return sa.Column(column.name, column.type, nullable=False, server_default=str(int(default) if
                     isinstance(default, bool) else default))


def create_indexes(names: tuple[str, ...]) -> None:
    """The schema's extra indexes (core/db/schema.py) by name, unless they exist."""
    for index in INDEXES:
        if index.name in names:
            _create_index(index)


def _create_index(index: sa.Index) -> None:
    op.create_index(index.name, index.table.name, [c.name for c in index.columns], unique=index.unique,
                    if_not_exists=True, **index.dialect_kwargs)


#: Columns that hold "when this happened" on the sandbox clock (never a future due time).
_PAST_TIMES = {"message": ("created_at", "updated_at", "completed_at"), "event": ("at",),
               "webhook": ("created_at", "updated_at"), "webhookattempt": ("at",), "inbound": ("received_at",),
               "account": ("created_at",), "recipient": ("updated_at", "done_at")}


def latest_recorded_time() -> float | None:
    bind, present, found = op.get_bind(), tables(), []
    for name, cols in _PAST_TIMES.items():
        if name not in present:
            continue
        table = reflect(name)
        for col in (c for c in cols if c in table.c):
            value = bind.execute(sa.select(sa.func.max(table.c[col]))).scalar()
            if isinstance(value, (int, float)):
                found.append(float(value))
    return max(found) if found else None


def adopt_clockstate() -> None:
    """eff581a kept the clock in `clockstate` (id, offset, frozen_at); runtimestate took its place. Its
    row moves over (unless runtimestate has one), and the table goes."""
    if "clockstate" not in tables():
        return
    bind, old, state = op.get_bind(), reflect("clockstate"), reflect("runtimestate")
    row = bind.execute(sa.select(old.c.offset, old.c.frozen_at).where(old.c.id == 1)).first()
    if row is not None and bind.execute(sa.select(state.c.id).where(state.c.id == 1)).first() is None:
        values = {"id": 1, "offset": row.offset, "frozen_at": row.frozen_at, "boots": 0, "version": 0}
        bind.execute(sa.insert(state).values({k: v for k, v in values.items() if k in state.c}))
    op.drop_table("clockstate")


def restore_unsaved_clock() -> None:
    """Releases before the clock was persisted kept time travel in memory only: reopened, their
    database's clock fell back to real time (~3,600 s behind what it had recorded). With no stored
    clock, continue from the latest time the data records, so time never runs backwards."""
    bind, state = op.get_bind(), reflect("runtimestate")
    if bind.execute(sa.select(state.c.id).where(state.c.id == 1)).first() is not None:
        return
    latest, now = latest_recorded_time(), time.time()
    if latest is not None and latest > now:  # no row otherwise: a fresh start keeps its own clock settings
        row = {"id": 1, "offset": latest - now, "frozen_at": None, "boots": 0, "version": 0}
        bind.execute(sa.insert(state).values({k: v for k, v in row.items() if k in state.c}))

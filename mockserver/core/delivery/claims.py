"""The rows the dispatcher claims from the outbox: a due row's head (enough to choose its lane) and the
whole claimed row an attempt holds, read with CLAIM_COLUMNS in Claim's field order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(slots=True)
class Claim:
    """The outbox row an attempt holds (the columns delivery needs, read straight from SQLite)."""

    id: int
    provider: str
    account_id: str
    message_id: int | None
    kind: str
    url: str
    headers: str
    body: str
    attempts: int
    max_attempts: int
    delivery_id: str
    signing: str
    host: str

    @classmethod
    def of(cls, row) -> Claim:
        return cls(*row)  # read with CLAIM_COLUMNS, in this order


CLAIM_COLUMNS = ", ".join(Claim.__slots__)


class Head(NamedTuple):
    """A due row as the claim first sees it: enough to choose its lane."""

    id: int
    host: str

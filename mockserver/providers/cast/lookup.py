"""Find one destination of the caller's by its Cast message id; 404 for anything else."""

from __future__ import annotations

from mockserver.core.lifecycle import Status
from mockserver.core.models import Message, Recipient
from mockserver.core.store import messages, recipients
from mockserver.providers.cast import errors, ids
from mockserver.providers.cast.auth import Caller
from mockserver.providers.cast import NAME
from mockserver.providers.cast.auth import Context


def destination(ctx: Context, caller: Caller, message_id: str, channels: set[str]) -> tuple[Message, Recipient]:
    parsed = ids.parse(message_id)
    if parsed is None:
        raise errors.not_found()
    batch, recipient_id = parsed
    conn = ctx.runtime.db.conn()
    rec = recipients.get(conn, recipient_id)
    msg = messages.get(conn, rec.message_id) if rec is not None else None
    if (msg is None or rec.status == Status.INVALID or msg.provider != NAME
            or msg.account_id != caller.account.id or msg.public_id != batch or msg.channel not in channels):
        raise errors.not_found()
    return msg, rec

"""The process table of `mockserver serve --workers N`: one row per child (pid, role, heartbeat, restarts,
the engine's scheduler lag and webhook gauges) in a shared-memory array the supervisor creates and every child writes its
own row of. Shared memory, not a table: /_mock/health reads it without SQL, and a dead process's stale
heartbeat is visible even when the database is what it died of. Wiring only: core never sees it."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from mockserver.core.engine.gauges import WebhookGauges

if TYPE_CHECKING:
    from mockserver.core.runtime import Runtime

ROLES = ("api", "engine")
#: Columns of a row, in order (all doubles: one array, no per-field locks; a double is written atomically).
FIELDS = ("pid", "role", "started_at", "heartbeat", "restarts", "alive", "lag", "walking_until",
          "webhook_lag", "webhook_depth", "in_flight", "help_in_flight", "helped")
UNKNOWN = -1.0  # webhook_depth before the engine's first tick: health reads the store itself
BEAT_EVERY = 0.1  # seconds between heartbeats; also how fast an API process adopts the engine's lag
STALE_AFTER = 3.0  # a heartbeat older than this means the process is stuck or gone


class ProcessTable:
    """Rows over a multiprocessing Array('d') (created with the supervisor's context, passed to children)."""

    def __init__(self, array: Any) -> None:
        self.array = array
        self.size = len(array) // len(FIELDS)

    @classmethod
    def create(cls, ctx: Any, slots: int) -> ProcessTable:
        return cls(ctx.Array("d", slots * len(FIELDS), lock=False))

    def get(self, slot: int, name: str) -> float:
        return self.array[slot * len(FIELDS) + FIELDS.index(name)]

    def set(self, slot: int, name: str, value: float) -> None:
        self.array[slot * len(FIELDS) + FIELDS.index(name)] = value

    def engine_slot(self) -> int | None:
        return next((s for s in range(self.size) if ROLES[int(self.get(s, "role"))] == "engine"), None)

    def snapshot(self, now: float | None = None) -> list[dict[str, Any]]:
        """What /_mock/health lists: every process, alive only if running and beating recently."""
        now = time.time() if now is None else now
        rows = []
        for s in range(self.size):
            beat = self.get(s, "heartbeat")
            age = round(now - beat, 3) if beat else None
            rows.append({"pid": int(self.get(s, "pid")), "role": ROLES[int(self.get(s, "role"))],
                         "alive": bool(self.get(s, "alive")) and age is not None and age < STALE_AFTER,
                         "last_heartbeat": beat or None, "heartbeat_age_s": age,
                         "restarts": int(self.get(s, "restarts"))})
        return rows


class ProcessSlot:
    """One child's own row, and what it reads of the others (the engine's lag)."""

    def __init__(self, table: ProcessTable, slot: int, local_buckets: bool = False) -> None:
        self.table, self.slot = table, slot
        self.local_buckets = local_buckets  # rate limits need no sharing (mockserver/supervisor.py)
        self.role = ROLES[int(table.get(slot, "role"))]

    def beat(self) -> None:
        self.table.set(self.slot, "heartbeat", time.time())

    # -- core/engine/pause.py's BackgroundHold: an advance in this process holds the engine still ------
    def hold(self, until: float) -> None:
        self.table.set(self.slot, "walking_until", until)

    def release(self) -> None:
        self.table.set(self.slot, "walking_until", 0.0)

    def held(self) -> bool:
        """A process of this server is walking the clock (its hold not yet past its deadline)."""
        return self._walking(range(self.table.size))

    def helping(self) -> bool:
        """Another process of this server is walking the clock (this one may deliver beside it)."""
        return self._walking(self._others())

    def _walking(self, slots) -> bool:
        now = time.time()
        return any(self.table.get(s, "walking_until") > now for s in slots)

    def _others(self) -> list[int]:
        return [s for s in range(self.table.size) if s != self.slot]

    def helpers(self) -> bool:
        return self.table.engine_slot() not in (None, self.slot)

    def report_help(self, in_flight: int, recorded: int) -> None:
        self.table.set(self.slot, "help_in_flight", float(in_flight))
        self.table.set(self.slot, "helped", float(recorded))

    def help_state(self) -> tuple[int, int]:
        others = self._others()
        return (int(sum(self.table.get(s, "help_in_flight") for s in others)),
                int(sum(self.table.get(s, "helped") for s in others)))

    def engine_lag(self) -> float:
        engine = self.table.engine_slot()
        return 0.0 if engine is None else self.table.get(engine, "lag")

    def engine_webhooks(self) -> tuple[WebhookGauges, int] | None:
        """The engine's webhook gauges and deliveries in flight, as of its last beat (None before its
        first tick). Why: an API process has no scheduler loop, so its own gauges would mean SQL in a
        worker thread per health call, which waits for the GIL behind a 2M-number parse (100-180 ms)."""
        engine = self.table.engine_slot()
        if engine is None or (depth := self.table.get(engine, "webhook_depth")) < 0:
            return None
        gauges = WebhookGauges(self.table.get(engine, "webhook_lag"), int(depth))
        return gauges, int(self.table.get(engine, "in_flight"))

    def publish_webhooks(self, runtime: Runtime) -> None:
        """The engine's side of engine_webhooks."""
        latest = runtime.scheduler.gauges.latest()
        self.table.set(self.slot, "webhook_lag", latest.lag_s if latest else 0.0)
        self.table.set(self.slot, "webhook_depth", float(latest.depth) if latest else UNKNOWN)
        self.table.set(self.slot, "in_flight", float(runtime.dispatcher.lanes.in_flight()))

    async def run(self, runtime: Runtime, stop: asyncio.Event) -> None:
        """Beat until `stop`; the engine publishes its scheduler lag, an API process adopts it, so send
        pushback (core/engine/backpressure.py) answers 429 in the process that takes the sends."""
        while not stop.is_set():
            self.beat()
            if self.role == "engine":
                self.table.set(self.slot, "lag", runtime.scheduler.lag)
                self.publish_webhooks(runtime)
            else:
                runtime.backpressure.observe(self.engine_lag())
            try:
                await asyncio.wait_for(stop.wait(), timeout=BEAT_EVERY)
            except TimeoutError:
                pass

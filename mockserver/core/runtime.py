"""The Runtime: settings, clock, ids, database, outcome rules, scheduler and webhook dispatcher.

One per app. reset() wipes the store and reloads fixtures without a restart, so every piece of
state a test can touch is reachable from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import httpx

from mockserver.core import fixtures
from mockserver.core.clock import Clock
from mockserver.core.db.connect import open_database
from mockserver.core.faults import Faults
from mockserver.core.feed.hub import Feed, Signal
from mockserver.core.ids import Ids
from mockserver.core.journal import Journal
from mockserver.core.engine.pause import BackgroundHold, LocalHold
from mockserver.core.engine.backpressure import Backpressure
from mockserver.core.metrics import Metrics
from mockserver.core.lifecycle import RANDOM_OUTCOMES, MagicRule, Outcome, OutcomeRules, Timing
from mockserver.core.models import Account, ApiKey
from mockserver.core.notify import OutgoingWebhook, WebhookShaper
from mockserver.core.engine import timetravel
from mockserver.core.engine.scheduler import Scheduler
from mockserver.core.engine.timetravel import AdvanceReport
from mockserver.core.shared import SharedState
from mockserver.core.store import accounts, admin, state
from mockserver.core.store import webhooks as outbox
from mockserver.core.delivery.dispatcher import Dispatcher
from mockserver.settings import Settings


class Runtime:
    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        # Before the database opens: a typo in the folder must stop the start, not retire every fixture account.
        fixtures.check_dir(settings.fixtures_dir or fixtures.bundled_dir())
        self.settings = settings
        self.clock = Clock(frozen=settings.clock_frozen)
        self.ids = Ids(settings.seed, self.clock.now)
        self.db = open_database(settings)
        self.replicas = SharedState(self)  # what several replicas on one database share (core/shared.py)
        self._restore_clock()
        self._salt_ids()
        self.fixtures_dir: Path = settings.fixtures_dir or fixtures.bundled_dir()
        self.timing = build_timing(settings, {})
        self.rules = build_rules(settings, {}, fixtures.magic_rules(self.fixtures_dir),
                                 fixtures.review_patterns(self.fixtures_dir))
        self._timings = {p: build_timing(settings, o) for p, o in settings.provider_overrides.items()}
        self._rules = {p: build_rules(settings, o, self.rules.magic, self.rules.review_reject_patterns)
                       for p, o in settings.provider_overrides.items()}
        self._changes = Signal()
        self.shapers: dict[str, WebhookShaper] = {}
        self.feed = Feed()  # what /_mock/stream serves: see core/feed/hub.py for the event kinds
        self.replicas.start_feed()
        self.faults = Faults(settings.seed, self.db)  # fault rules in the store (core/faults.py); control/faults.py loads and resets them
        self.scheduler = Scheduler(self)
        #: Held by an advance's walk so that another process's engine waits (core/engine/pause.py).
        self.background: BackgroundHold = LocalHold()
        self.dispatcher = Dispatcher(self, transport)
        self.metrics = Metrics(self)
        self.backpressure = Backpressure(settings.backpressure_lag, self.metrics)  # fed by the scheduler
        self.wakeup = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._provision_lock = threading.Lock()
        self._reset_hooks: list[Callable[[str | None], None]] = []
        self.on_reset(lambda provider: self.backpressure.reset() if provider is None else None)
        self.journal = Journal(self)  # every provider request and its answer (core/journal.py)
        if settings.load_fixtures:
            self.load_fixtures()

    # -- wiring ---------------------------------------------------------------------------
    def _restore_clock(self) -> None:
        """Continue from the stored clock (offset or frozen time); then store every change."""
        if self.replicas.share_clock():
            return
        stored = state.load_clock(self.db.conn())
        if stored is not None:
            self.clock.restore(*stored)
        self.clock.on_change = self._save_clock

    def _save_clock(self, clock_state: tuple[float, float | None]) -> None:
        with self.db.write() as conn:
            state.save_clock(conn, *clock_state)

    def _salt_ids(self) -> None:
        """A seeded run replays its ids; on a restart over existing data that would reissue ids and
        keys already taken, so every start after the first salts the seed with the boot count."""
        with self.db.write() as conn:
            boots = state.count_boot(conn)
        if boots > 1:
            self.ids.reseed(boots)

    def register_shaper(self, provider: str, shaper: WebhookShaper) -> None:
        self.shapers[provider] = shaper

    def on_reset(self, hook: Callable[[str | None], None]) -> None:
        """Register in-memory state to clear on reset (rate limiters, caches); gets the provider or None."""
        self._reset_hooks.append(hook)

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.wakeup = asyncio.Event()

    def wake(self) -> None:
        """Ask the background loop to tick now (safe from any thread); also wakes long-polls."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.wakeup.set)
        self.changed()

    def changed(self) -> None:
        """Something a long-poll may be waiting for happened (a submit, a transition); any thread."""
        self._changes.fire()

    def listen(self) -> contextlib.AbstractContextManager[asyncio.Event]:
        """An Event set on every changed() while the block runs (call inside the event loop)."""
        return self._changes.listen()

    @property
    def waiting(self) -> bool:
        """A long-poll waits for changed() here (the feed relay then reads other processes' events back)."""
        return self._changes.listening > 0

    def timing_for(self, provider: str) -> Timing:
        """Step delays for a provider (MOCKSERVER_PROVIDER_OVERRIDES, else the global timing)."""
        return self._timings.get(provider, self.timing)

    def rules_for(self, provider: str) -> OutcomeRules:
        """Outcome rules for a provider (its random mix may be overridden; magic numbers are shared)."""
        return self._rules.get(provider, self.rules)

    # -- fixtures, provisioning, reset ----------------------------------------------------
    def load_fixtures(self, only: str | None = None) -> None:
        with self.db.write(key="fixtures") as conn:  # replicas starting together load them one at a time
            fixtures.load(conn, self.fixtures_dir, self.clock.now(), only=only)

    def fixture_files(self) -> dict[str, dict]:
        return fixtures.provider_files(self.fixtures_dir)

    async def reset_quiesced(self, provider: str | None = None, account_id: str | None = None) -> None:
        """reset() with no webhook delivery in flight: row ids are reused after a wipe, so an attempt
        finishing afterwards would be logged against a new, unrelated webhook."""
        async with self.dispatcher.quiet():
            await asyncio.to_thread(self.reset, provider, account_id)

    def reset(self, provider: str | None = None, account_id: str | None = None) -> None:
        """Wipe state (all, one provider, or one account) and reload the matching fixtures."""
        with self.scheduler.exclusive():  # no tick holds rows read before the wipe
            self._reset(provider, account_id)

    def _reset(self, provider: str | None, account_id: str | None) -> None:
        with self.db.write() as conn:
            if account_id is not None:
                owner = accounts.get(conn, account_id)
                provider = owner.provider if owner is not None else provider
                accounts.delete(conn, [account_id])
            else:
                admin.wipe(conn, provider)
        if account_id is None and provider is None:
            self.clock.reset()
            self.ids.reseed(0)  # the store is empty: the seed's own sequence cannot collide
        for hook in self._reset_hooks:
            hook(provider)
        if self.settings.load_fixtures:
            self.load_fixtures(only=provider)
        self.feed.publish("reset", provider=provider, account_id=account_id)

    def provision(self, provider: str, key: str, *, secret: str | None = None, account_id: str | None = None,
                  extra: dict | None = None, channels: Iterable[str] = ("sms", "otp", "bulk", "sim")) -> ApiKey:
        """Create an account and key for a well-formed unknown credential (auto-provision)."""
        with self._provision_lock, self.db.write(key=f"provision {provider} {key}") as conn:  # and across replicas
            found = accounts.find_key(conn, provider, key)
            if found is not None:
                return found
            acc_id = account_id or f"{provider}-{self.ids.hex(12)}"
            if accounts.get(conn, acc_id) is None:
                accounts.create(conn, Account(
                    id=acc_id, provider=provider, name=f"auto {acc_id}", credits=self.settings.auto_provision_credits,
                    allowed_channels=json.dumps(list(channels)), extra=json.dumps(extra or {}),
                    created_at=self.clock.now(),
                ))
            return accounts.add_key(conn, ApiKey(provider=provider, key=key, secret=secret, account_id=acc_id,
                                                 created_at=self.clock.now()))

    # -- webhooks and reviews -------------------------------------------------------------
    def enqueue_webhooks(self, conn, provider: str, account_id: str, message_id: int | None,
                         hooks: list[OutgoingWebhook], now: float) -> int:
        """Put webhooks in the persistent outbox (inside the caller's transaction); returns how many."""
        return outbox.enqueue_many(conn, self.webhook_rows(provider, account_id, message_id, hooks, now))

    def webhook_rows(self, provider: str, account_id: str, message_id: int | None,
                     hooks: Iterable[OutgoingWebhook], now: float) -> list[dict[str, Any]]:
        """The outbox rows of `hooks` (those with a URL), for outbox.enqueue_many: a tick gathers a whole
        batch's rows into one executemany."""
        max_attempts = self.settings.webhook_max_attempts
        return [outbox.new_row(
            provider=provider, account_id=account_id, message_id=message_id, kind=hook.kind,
            ordering_key=hook.ordering_key, url=hook.url, headers=json.dumps(hook.headers) if hook.headers else "{}", body=hook.body,
            signing=json.dumps(hook.signing) if hook.signing else "", max_attempts=max_attempts, now=now,
            next_attempt_at=now + getattr(hook, "delay_s", 0.0),  # a fault's webhook latency (core/faults.py)
        ) for hook in hooks if hook.url]

    def enqueue(self, conn, provider: str, account_id: str, message_id: int | None,
                hooks: list[OutgoingWebhook], now: float) -> list[int]:
        """Like enqueue_webhooks, returning the new rows' ids."""
        return outbox.enqueue_returning_ids(conn, self.webhook_rows(provider, account_id, message_id, hooks, now))

    def review_verdict(self, text: str) -> tuple[str, str]:
        for pattern in self.rules.review_reject_patterns:
            if re.search(pattern, text, flags=re.IGNORECASE):
                return "rejected", f"content matches review rule {pattern!r}"
        return "approved", ""

    def review_due_at(self, now: float) -> float:
        return now if self.settings.timing == "instant" else now + self.settings.review_delay

    # -- time travel ----------------------------------------------------------------------
    async def settle(self) -> None:
        """Run every transition due at the clock's now, then attempt the webhooks due, waiting for their
        answers at most MOCKSERVER_WEBHOOK_SETTLE_WAIT s (a slow receiver never holds the caller longer)."""
        await asyncio.to_thread(self.scheduler.tick)  # a tick repeats until nothing more is due
        await self.dispatcher.deliver_due()

    async def advance(self, seconds: float) -> AdvanceReport:
        """Move the clock `seconds` forward through every due time in between (core/engine/timetravel.py),
        within MOCKSERVER_ADVANCE_MAX_WAIT wall seconds; says what ran."""
        return await timetravel.advance(self, seconds, self.settings.advance_max_wait)

    async def close(self) -> None:
        await self.dispatcher.close()
        self.journal.close()
        self.replicas.close()
        self.db.close()


_OVERRIDE_KEYS = frozenset({"timing", "queue_delay", "delivery_delay", "slow_delivery_delay", "receipt_timeout",
                            "random_failure_rate", "random_outcomes"})


def build_timing(settings: Settings, override: Mapping[str, Any]) -> Timing:
    """Step delays from the settings, with one provider's overrides on top."""
    unknown = set(override) - _OVERRIDE_KEYS
    if unknown:
        raise ValueError(f"MOCKSERVER_PROVIDER_OVERRIDES: unknown keys {sorted(unknown)}")
    if override.get("timing", settings.timing) == "instant":
        return Timing.instant()
    pick = lambda name: float(override.get(name, getattr(settings, name)))  # noqa: E731
    return Timing(pick("queue_delay"), pick("delivery_delay"), pick("slow_delivery_delay"), pick("receipt_timeout"))


def build_rules(settings: Settings, override: Mapping[str, Any], magic: tuple[MagicRule, ...],
                review_patterns: tuple[str, ...]) -> OutcomeRules:
    """Outcome rules: shared magic numbers plus the (possibly overridden) seeded random mix."""
    rate = float(override.get("random_failure_rate", settings.random_failure_rate))
    mix = dict(override.get("random_outcomes", settings.random_outcomes))
    pairs = []
    for name, share in mix.items():
        if name not in RANDOM_OUTCOMES:
            raise ValueError(f"random_outcomes: {name!r} is not one of {sorted(RANDOM_OUTCOMES)}")
        pairs.append((Outcome(name), float(share)))
    if not 0 <= rate <= 1 or any(s < 0 for _, s in pairs) or rate + sum(s for _, s in pairs) > 1:
        raise ValueError("random outcome shares must be >= 0 and sum to at most 1")
    return OutcomeRules(magic=magic, random_failure_rate=rate, seed=abs(settings.seed or 0),
                        review_reject_patterns=review_patterns, random_outcomes=tuple(pairs))

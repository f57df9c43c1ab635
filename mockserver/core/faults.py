"""Fault rules as data: what they match (provider, account, method + path glob, destination glob), how
often they fire (`after`, `times`, seeded `probability`), their hit counters, and the delivery-side
effects applied at submission. Provider-neutral: the provider is a name in the rule, errors are names
the provider layer renders. Rules live in the store (store/fault_rules.py), so every process and replica
sees the same rules and counts the same hits; each process caches them under the read cache's version.
What a rule marks on a message, and how its webhooks are shaped, is core/fault_shaping.py."""

from __future__ import annotations

import contextvars
import fnmatch
import json
import random
from dataclasses import asdict, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from mockserver.core import fault_shaping
from mockserver.core.lifecycle import Outcome
from mockserver.core.store import cache, fault_rules, fault_targets, messages

if TYPE_CHECKING:
    from mockserver.core.db.sqlite import Database
    from mockserver.core.store.messages import Inserted

#: Effects decided on the request itself (answered before or instead of the vendor's route).
REQUEST_EFFECTS = ("error", "status", "hang", "drop_connection", "malformed")
#: Effects decided per recipient at submission, or on the status webhooks of those recipients.
DELIVERY_EFFECTS = ("dlr_status", "dlr_delay_s", "dlr_drop", "dlr_duplicate", "webhook_latency_ms",
                    "webhook_reorder")
MALFORMED = ("invalid_json", "truncated")
DEFAULT_HANG_S = 60.0


@dataclass
class FaultRule:
    """One rule. Match fields narrow it (None: any); effect fields say what happens when it fires."""

    id: str = ""
    name: str = ""
    provider: str | None = None
    account_id: str | None = None
    method: str | None = None
    path: str | None = None  # glob on the vendor path below the mount, e.g. /api/*/sms/send
    to: str | None = None  # glob on the destination's digits, e.g. *7
    times: int | None = None  # fire this many times, then stop
    after: int = 0  # let this many matching occurrences through first
    probability: float | None = None  # fire with this chance, drawn from the sandbox seed
    on_demand: bool = False  # fires only for a request naming it in X-Mock-Fault
    error: str | None = None
    status: int | None = None
    retry_after: int | None = None
    latency_ms: int | list[int] | None = None  # fixed, or [low, high] drawn from the seed
    hang: bool = False
    hang_s: float = DEFAULT_HANG_S
    drop_connection: bool = False
    malformed: str | None = None  # invalid_json | truncated
    charge: bool = False  # an error the vendor would have charged for: the send is still stored
    dlr_status: str | None = None
    dlr_delay_s: float | None = None
    dlr_drop: bool = False
    dlr_duplicate: bool = False
    webhook_latency_ms: int | None = None
    webhook_reorder: bool = False
    hits: int = 0
    seen: int = 0  # occurrences that matched (including those let through by after/probability)

    def __post_init__(self) -> None:
        self.method = self.method.upper() if self.method else None
        if isinstance(self.malformed, bool):
            self.malformed = "invalid_json" if self.malformed else None
        if self.malformed is not None and self.malformed not in MALFORMED:
            raise ValueError(f"malformed must be one of {list(MALFORMED)}")
        if self.dlr_status is not None and self.dlr_status not in set(Outcome):
            raise ValueError(f"dlr_status must be one of {sorted(Outcome)}")
        if self.probability is not None and not 0 <= self.probability <= 1:
            raise ValueError("probability must be between 0 and 1")
        if isinstance(self.latency_ms, list) and (len(self.latency_ms) != 2 or self.latency_ms[0] > self.latency_ms[1]):
            raise ValueError("latency_ms must be a number or [low, high]")
        if self.is_delivery and any(getattr(self, e) for e in REQUEST_EFFECTS):
            raise ValueError("a rule either answers the request (error, status, hang, drop_connection, malformed) "
                             "or shapes its delivery (dlr_*, webhook_*), not both: the first stores nothing")
        if self.is_delivery and self.latency_ms:
            raise ValueError("latency_ms delays the request; on a delivery rule use webhook_latency_ms or dlr_delay_s")
        if not self.is_delivery and not self.is_request and not self.latency_ms:
            effects = ", ".join((*REQUEST_EFFECTS, "latency_ms", *DELIVERY_EFFECTS))
            raise ValueError(f"a rule needs an effect: {effects}")

    @property
    def is_delivery(self) -> bool:
        return any(getattr(self, e) not in (None, False) for e in DELIVERY_EFFECTS)

    @property
    def is_request(self) -> bool:
        return any(getattr(self, e) not in (None, False) for e in REQUEST_EFFECTS)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def view(self) -> dict[str, Any]:
        return {**asdict(self), "exhausted": self.exhausted}

    def spec(self) -> dict[str, Any]:
        """What the store keeps as JSON: every field but the id and the counters (those are columns)."""
        return {k: v for k, v in asdict(self).items() if k not in ("id", "hits", "seen")}

    @classmethod
    def from_row(cls, rule_id: str, spec: str, hits: int, seen: int) -> FaultRule:
        """A stored rule; a field a later release dropped is ignored (an unknown keyword would fail every
        request the gate sees)."""
        known = {k: v for k, v in json.loads(spec).items() if k in _FIELDS}
        return cls(**known, id=rule_id, hits=int(hits), seen=int(seen))


_FIELDS = frozenset(f.name for f in fields(FaultRule))


@dataclass
class RequestInfo:
    """What the provider layer knows of a request; `touched` collects the rules that fired on it."""

    provider: str
    method: str
    path: str
    account_id: str | None = None
    destinations: list[str] | None = None
    forced: str | None = None  # the rule name from X-Mock-Fault
    touched: list[str] = field(default_factory=list)


#: The request being served (set by the provider layer's fault gate), read by submission.
CURRENT: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("mockserver_fault_request", default=None)


digits = fault_shaping.digits
#: The write key of rule changes (Database.write): two processes loading fixtures/faults.toml at once.
WRITE_KEY = "fault rules"
_CACHE_KEY = ("fault rules",)


class Faults:
    """The rule set as this process last read it from the store, the counting (in the store, across
    processes) and the marks a submission leaves on its message."""

    def __init__(self, seed: int | None, db: Database) -> None:
        self._seed = seed or 0
        self._db = db
        self._cache = cache.of(db)
        self._rules: tuple[FaultRule, ...] = ()  # the snapshot: refreshed by any_for / rules()

    # -- the rule set (in the store) ---------------------------------------------------------------
    def rules(self) -> tuple[FaultRule, ...]:
        """The store's rules, read again only when the read cache's version moved (one counter read).
        Inside a transaction (a submission) the snapshot its request's gate took serves."""
        conn = self._db.conn()
        if conn.in_transaction:
            return self._rules
        self._rules = self._cache.get(conn, _CACHE_KEY, lambda: self._load(conn))
        return self._rules

    @staticmethod
    def _load(conn) -> tuple[FaultRule, ...]:
        return tuple(FaultRule.from_row(*row) for row in fault_rules.all_rows(conn))

    def add(self, rule: FaultRule, fixture: str | None = None) -> FaultRule:
        self._cache.ready()
        with self._db.write(key=WRITE_KEY) as conn:
            rule = self._insert(conn, rule, fixture)
            cache.bump(conn)
        return rule

    @staticmethod
    def _insert(conn, rule: FaultRule, fixture: str | None) -> FaultRule:
        n = fault_rules.next_number(conn)
        rule = replace(rule, id=rule.id or f"flt_{n}", hits=0, seen=0)
        fault_rules.insert(conn, rule.id, n, json.dumps(rule.spec()), rule.spec(), fixture)
        return rule

    def get(self, rule_id: str) -> FaultRule | None:
        row = fault_rules.one(self._db.conn(), rule_id)
        return None if row is None else FaultRule.from_row(*row)

    def all(self) -> list[FaultRule]:
        return [FaultRule.from_row(*row) for row in fault_rules.all_rows(self._db.conn())]

    def delete(self, rule_id: str) -> bool:
        self._cache.ready()
        with self._db.write(key=WRITE_KEY) as conn:
            found = fault_rules.delete_one(conn, rule_id)
            if found:
                cache.bump(conn)
        return found

    def clear(self, provider: str | None = None, account_id: str | None = None) -> None:
        """Drop rules (all, one provider's or one account's); a full clear numbers from flt_1 again. Marks
        stay on their messages (a reset deletes those)."""
        self._cache.ready()
        with self._db.write(key=WRITE_KEY) as conn:
            fault_rules.clear(conn, provider, account_id)
            cache.bump(conn)

    def sync_fixtures(self, rules: list[tuple[FaultRule, str]]) -> None:
        """The rules of fixtures/faults.toml (each with its entry's digest) as the store's fixture rules: an
        entry already there stays (with its counters), one gone is removed, a new one added; rules added
        through the API are not touched. Under the write key, so processes starting together add each once."""
        self._cache.ready()
        with self._db.write(key=WRITE_KEY) as conn:
            have = fault_rules.fixtures(conn)
            wanted = [digest for _, digest in rules]
            kept: list[str] = []
            changed = False
            for rule_id, digest in have:
                if digest in wanted and wanted.count(digest) > kept.count(digest):
                    kept.append(digest)
                else:
                    changed = fault_rules.delete_one(conn, rule_id) or changed
            for rule, digest in rules:
                if digest in kept:
                    kept.remove(digest)
                else:
                    self._insert(conn, rule, digest)
                    changed = True
            if changed:
                cache.bump(conn)

    def any_for(self, provider: str) -> bool:
        return any(r.provider in (None, provider) for r in self.rules())

    def needs(self, provider: str, what: str) -> bool:
        """Whether some rule of this provider matches a request on `what` (account_id, to): worth resolving.
        A delivery rule's `to` is matched per recipient at submission, so it needs no body parse here."""
        return any(r.provider in (None, provider) and getattr(r, what) and not (what == "to" and r.is_delivery)
                   for r in self._rules)

    # -- matching and counting -------------------------------------------------------------------
    def _matches(self, rule: FaultRule, req: RequestInfo) -> bool:
        if rule.provider not in (None, req.provider) or rule.exhausted:
            return False
        if rule.account_id is not None and rule.account_id != req.account_id:
            return False
        if rule.method is not None and rule.method != req.method:
            return False
        return rule.path is None or fnmatch.fnmatchcase(req.path, rule.path)

    def _draw(self, rule: FaultRule, occurrence: int) -> float:
        """The seeded draw of a rule's n-th occurrence: the same in whichever process counts it."""
        return random.Random(f"{self._seed}:{rule.id}:{occurrence}").random()

    def _count(self, conn, rule: FaultRule, n: int) -> list[int]:
        """Count n matching occurrences (inside a write transaction); the indexes of those the rule acts on
        (after / times / probability). The store's counters decide, not this process's snapshot."""
        counted = fault_rules.see(conn, rule.id, n)
        if counted is None:  # spent (or deleted) meanwhile: the snapshot learns it too
            rule.hits = max(rule.hits, rule.times or 0)
            return []
        seen, hits, times, after = counted
        fired: list[int] = []
        for i, occurrence in enumerate(range(seen - n + 1, seen + 1)):
            if occurrence <= after or (times is not None and hits + len(fired) >= times):
                continue
            if rule.probability is not None and self._draw(rule, occurrence) >= rule.probability:
                continue
            fired.append(i)
        fault_rules.hit(conn, rule.id, len(fired))
        rule.seen, rule.hits = seen, hits + len(fired)
        return fired

    def for_request(self, req: RequestInfo) -> FaultRule | None:
        """The first request-side rule (error, hang, latency, ...) that fires on this request, counted."""
        rules = self._rules
        if req.forced is not None:
            forced = next((r for r in rules if r.name == req.forced or r.id == req.forced), None)
            if forced is not None and not forced.is_delivery and forced.provider in (None, req.provider):
                with self._db.write() as conn:
                    fault_rules.see_and_hit(conn, forced.id)
                req.touched.append(forced.name or forced.id)
                return forced
        for rule in rules:
            if rule.is_delivery or rule.on_demand or not self._matches(rule, req):
                continue
            if rule.to is not None and not any(fnmatch.fnmatchcase(digits(d), rule.to)
                                               for d in req.destinations or ()):
                continue
            with self._db.write() as conn:
                fired = self._count(conn, rule, 1)
            if fired:
                req.touched.append(rule.name or rule.id)
                return replace(rule)
        return None

    def latency_s(self, rule: FaultRule) -> float:
        if isinstance(rule.latency_ms, list):
            return random.Random(f"{self._seed}:{rule.id}:latency:{rule.seen}").uniform(*rule.latency_ms) / 1000
        return (rule.latency_ms or 0) / 1000

    def delivery_rules(self, provider: str, account_id: str) -> list[FaultRule]:
        """Delivery-side rules that match a submission made now (inside a request, or from core)."""
        req = CURRENT.get() or RequestInfo(provider, "", "")
        req = replace(req, provider=provider, account_id=account_id, touched=req.touched)
        out = []
        for rule in self._rules:
            if not rule.is_delivery:
                continue
            if req.forced is not None and req.forced in (rule.name, rule.id):
                if rule.provider in (None, provider):  # named in X-Mock-Fault: its match fields do not apply
                    out.append(rule)
            elif not rule.on_demand and self._matches(rule, req):
                out.append(rule)
        return out

    # -- delivery side, applied inside the submission's transaction ------------------------------
    def on_submit(self, conn, inserted: Inserted, now: float) -> None:
        """Apply every matching delivery rule to the new message's recipients; mark the message (its meta:
        the rules that touched it, the webhook shapes the engine applies, core/fault_shaping.py)."""
        msg = inserted.message
        req = CURRENT.get()
        names = list(req.touched) if req is not None else []
        shapes: list[dict[str, Any]] = []
        if self._rules and msg.first_recipient_id is not None:
            for rule in self.delivery_rules(msg.provider, msg.account_id):
                touched, shape = self._apply(conn, rule, msg.first_recipient_id, msg.last_recipient_id)
                if touched:
                    names.append(rule.name or rule.id)
                if shape is not None:
                    shapes.append(shape)
        if names or shapes:
            meta = fault_shaping.with_marks(msg.meta, list(dict.fromkeys(names)), shapes)
            messages.set_fields(conn, msg.id, meta=meta)
            messages.assign(msg, meta=meta)

    def _apply(self, conn, rule: FaultRule, lo: int, hi: int) -> tuple[bool, dict[str, Any] | None]:
        counted = rule.times is not None or rule.after or rule.probability is not None
        ids: set[int] | None = None
        if counted:
            found = fault_targets.matching_ids(conn, lo, hi, rule.to)
            ids = {found[i] for i in self._count(conn, rule, len(found))} if found else set()
            if not ids:
                return False, None
        touched = fault_targets.rewrite(conn, lo, hi, rule.to, ids, rule.dlr_status, rule.dlr_delay_s)
        if not counted:
            fault_rules.see_and_hit(conn, rule.id, touched)
        return touched > 0, fault_shaping.shape_of(rule, ids) if touched else None

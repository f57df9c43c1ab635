"""The recipient lifecycle through the scheduler: magic-number outcomes, completion, credits,
scheduled sends, instant timing, the seeded random mix and per-provider overrides."""

from __future__ import annotations

import pytest

from mockserver.core.lifecycle import Outcome, OutcomeRules, Status, message_status, next_status
from mockserver.core.store import messages
from tests.conftest import advance
from tests.core.kit import balance, install, runtime_of, send

PATHS = {
    "+639170000001": ["queued", "sent", "delivered"],
    "+639170999001": ["queued", "failed"],
    "+639170999002": ["queued", "sent", "undelivered"],
    "+639170999003": ["queued", "sent", "expired"],
    "+639170999004": ["queued", "rejected"],
    "+639170999005": ["queued", "sent", "blocked"],
    "+639170999006": ["queued", "sent", "timeout"],
    "+639170999008": ["queued", "sent", "delivered"],
}


def timeline(client, message_id: int) -> list[str]:
    return [e["status"] for e in client.get(f"/_mock/messages/{message_id}").json()["events"]]


def msg_json(client, message_id: int) -> dict:
    return client.get(f"/_mock/messages/{message_id}").json()


@pytest.mark.parametrize("number,path", PATHS.items())
def test_each_outcome_walks_its_path(client, number, path):
    install(client)
    msg = send(client, number)
    advance(client, 700)  # past the receipt timeout, the slowest path
    assert timeline(client, msg.id) == path
    body = msg_json(client, msg.id)
    assert body["status"] == "completed"
    assert body["counts"] == {path[-1]: 1}


def test_steps_follow_the_configured_delays(client):
    install(client)
    msg = send(client, "+639170000001")
    advance(client, 0.5)
    assert msg_json(client, msg.id)["recipients"]["items"][0]["status"] == "queued"
    advance(client, 1.0)  # queue_delay 1 s
    assert msg_json(client, msg.id)["recipients"]["items"][0]["status"] == "sent"
    advance(client, 3.0)  # delivery_delay 3 s
    assert msg_json(client, msg.id)["recipients"]["items"][0]["status"] == "delivered"


def test_slow_number_is_delivered_only_after_the_slow_delay(client):
    install(client)
    msg = send(client, "+639170999008")
    advance(client, 60)
    assert msg_json(client, msg.id)["counts"] == {"sent": 1}
    advance(client, 70)
    assert msg_json(client, msg.id)["counts"] == {"delivered": 1}


def test_stuck_recipient_keeps_its_message_open(client):
    install(client)
    msg = send(client, ["+639170999007", "+639170000001"])
    advance(client, 3600)
    body = msg_json(client, msg.id)
    assert body["counts"] == {"queued": 1, "delivered": 1}
    assert body["status"] == "queued"  # not "completed": one recipient never left the queue
    assert body["completed_at"] is None
    assert body["next_due_at"] is None


def test_never_sent_outcomes_refund_their_credits(client):
    install(client, credits=100)
    send(client, ["+639170999001", "+639170999004", "+639170000001"])
    assert balance(client) == 97
    advance(client, 10)
    assert balance(client) == 99


def test_scheduled_message_is_released_at_its_time(client, receiver):
    install(client, dlr_url=receiver.url("/dlr"))
    rt = runtime_of(client)
    msg = send(client, "+639170000001", scheduled_at=rt.clock.now() + 3600)
    assert msg_json(client, msg.id)["status"] == "scheduled"
    advance(client, 3500)
    assert msg_json(client, msg.id)["counts"] == {"scheduled": 1}
    assert receiver.bodies("/dlr") == []
    advance(client, 200)  # no real waiting: an hour passes in one request
    assert msg_json(client, msg.id)["status"] == "completed"
    assert [b["status"] for b in receiver.bodies("/dlr")] == ["queued", "sent", "delivered"]


def test_tick_is_callable_directly(client):
    install(client)
    rt = runtime_of(client)
    msg = send(client, "+639170000001")
    rt.clock.advance(10)
    result = rt.scheduler.tick()
    assert result.transitions == 2
    assert result.webhooks == 0  # the account has no DLR URL
    assert messages.counts(rt.db.conn(), msg.id) == {"delivered": 1}
    assert rt.scheduler.tick().transitions == 0


def test_instant_timing_finishes_on_the_next_tick(client_factory):
    client = client_factory(timing="instant")
    install(client)
    msg = send(client, ["+639170000001", "+639170999006", "+639170999008"])
    advance(client, 0)
    assert msg_json(client, msg.id)["counts"] == {"delivered": 2, "timeout": 1}


def test_message_status_rule():
    assert message_status({"delivered": 3}, "queued") == "completed"
    assert message_status({"queued": 1, "delivered": 3}, "queued") == "queued"
    assert message_status({"scheduled": 2}, "scheduled") == "scheduled"
    assert message_status({"sent": 1, "scheduled": 1}, "scheduled") == "queued"
    assert message_status({"cancelled": 2}, "cancelled") == "cancelled"
    assert next_status(Status.QUEUED, Outcome.STUCK) == Status.QUEUED
    assert next_status(Status.SENT, Outcome.DELIVERED_SLOW) == Status.DELIVERED


def test_random_mix_varies_across_single_sends_and_matches_its_python_twin(client_factory):
    client = client_factory(random_failure_rate=0.2, random_outcomes={"undelivered": 0.3})
    install(client)
    rt = runtime_of(client)
    msgs = [send(client, "+639171234567") for _ in range(200)]
    advance(client, 10)
    finals = [list(messages.counts(rt.db.conn(), m.id))[0] for m in msgs]
    for m, final in zip(msgs, finals):
        assert final == rt.rules.outcome_for("+639171234567", 0, m.id)
    share = {s: finals.count(s) / len(finals) for s in set(finals)}
    assert set(share) == {"failed", "undelivered", "delivered"}
    assert 0.1 < share["failed"] < 0.3 and 0.2 < share["undelivered"] < 0.4


def test_random_mix_is_deterministic_for_a_seed(client_factory, tmp_path):
    def outcomes(c) -> list[str]:
        install(c)
        ids = [send(c, "+639171234567").id for _ in range(30)]
        advance(c, 10)
        return [list(messages.counts(runtime_of(c).db.conn(), i))[0] for i in ids]
    first = outcomes(client_factory(random_failure_rate=0.5, database_url=f"sqlite:///{tmp_path}/a.db"))
    second = outcomes(client_factory(random_failure_rate=0.5, database_url=f"sqlite:///{tmp_path}/b.db"))
    assert first == second and "failed" in first and "delivered" in first


def test_magic_numbers_win_over_the_random_mix():
    rules = OutcomeRules(magic=(), random_failure_rate=1.0)
    assert rules.outcome_for("+639170000001") == Outcome.FAILED
    from mockserver.core.lifecycle import MagicRule
    rules = OutcomeRules(magic=(MagicRule("999002", Outcome.UNDELIVERED),), random_failure_rate=1.0)
    assert rules.outcome_for("+639170999002") == Outcome.UNDELIVERED


def test_provider_overrides_change_one_providers_timing_and_mix(client_factory):
    client = client_factory(provider_overrides={"testprov": {"delivery_delay": 100, "random_outcomes": {"expired": 1.0}}})
    install(client)
    rt = runtime_of(client)
    assert rt.timing_for("testprov").delivery_delay == 100
    assert rt.timing_for("other").delivery_delay == 3.0
    msg = send(client, "+639170000001")
    advance(client, 50)
    assert messages.counts(rt.db.conn(), msg.id) == {"sent": 1}
    advance(client, 60)
    assert messages.counts(rt.db.conn(), msg.id) == {"expired": 1}


@pytest.mark.parametrize("overrides", [
    {"random_outcomes": {"delivered": 0.5}},
    {"random_failure_rate": 0.6, "random_outcomes": {"expired": 0.6}},
    {"provider_overrides": {"cast": {"dleivery_delay": 1}}},
])
def test_bad_outcome_settings_fail_at_startup(settings_factory, overrides):
    from mockserver.core.runtime import Runtime
    with pytest.raises(ValueError):
        Runtime(settings_factory(**overrides))

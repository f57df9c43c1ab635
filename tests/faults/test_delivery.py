"""Delivery-side effects, decided at submission: a final status override, a delay, and the receipts to
the client dropped, duplicated, delayed or reordered, checked at a real local HTTP receiver."""

from __future__ import annotations

from tests.conftest import advance
from tests.faults.kit import VENDORS, add_fault, fault, messages, receipts, set_dlr_url


def recipient_statuses(client, vendor) -> dict[str, str]:
    [msg] = messages(client, vendor)
    detail = client.get(f"/_mock/messages/{msg['id']}").json()
    return {r["msisdn"].lstrip("+"): r["status"] for r in detail["recipients"]["items"]}


def statuses_of(receiver, vendor, number: str) -> list[str]:
    """Status words the receiver got for `number`, in arrival order (EngageLab's plan, target_valid left out)."""
    return [s for n, s in receipts(receiver, vendor) if n == number and s not in ("plan", "target_valid")]


def sent_ok(client, vendor, number: str | list[str]) -> None:
    resp = vendor.send(client, number)
    assert resp.status_code == 200, resp.text


def test_dlr_status_overrides_the_final_status(client, vendor):
    rule = add_fault(client, provider=vendor.name, dlr_status="undelivered")
    sent_ok(client, vendor, vendor.pair[0])
    advance(client, 30)
    assert recipient_statuses(client, vendor) == {vendor.pair[0]: "undelivered"}
    assert fault(client, rule["id"])["hits"] == 1


def test_dlr_delay_holds_the_receipt_back(client, vendor):
    number = vendor.pair[0]
    add_fault(client, provider=vendor.name, dlr_delay_s=120)
    sent_ok(client, vendor, number)
    advance(client, 30)
    assert recipient_statuses(client, vendor)[number] not in ("delivered", "undelivered")
    advance(client, 120)
    assert recipient_statuses(client, vendor)[number] == "delivered"


def test_only_recipients_matching_to_are_touched(client, vendor):
    plain, seven = vendor.pair
    add_fault(client, provider=vendor.name, to="*7", dlr_status="expired")
    sent_ok(client, vendor, plain)
    sent_ok(client, vendor, seven)
    advance(client, 30)
    got = {}
    for msg in messages(client, vendor):
        detail = client.get(f"/_mock/messages/{msg['id']}").json()
        got.update({r["msisdn"].lstrip("+"): r["status"] for r in detail["recipients"]["items"]})
    assert got == {plain: "delivered", seven: "expired"}


def test_dlr_drop_sends_no_final_receipt(client, hooked, receiver):
    number = hooked.pair[0]
    set_dlr_url(client, hooked, receiver.url())
    add_fault(client, provider=hooked.name, dlr_drop=True)
    sent_ok(client, hooked, number)
    advance(client, 30)
    words = statuses_of(receiver, hooked, number)
    assert len(words) == 1 and words[0].lower() in ("sent", "dispatched", "pending")  # the 'sent' receipt only (Cast: pending/ACCEPTD)
    assert recipient_statuses(client, hooked)[number] == "delivered"  # polling still tells the truth


def test_dlr_duplicate_sends_every_receipt_twice(client, hooked, receiver):
    number = hooked.pair[0]
    set_dlr_url(client, hooked, receiver.url())
    add_fault(client, provider=hooked.name, dlr_duplicate=True)
    sent_ok(client, hooked, number)
    advance(client, 30)
    words = statuses_of(receiver, hooked, number)
    assert len(words) == 4 and words[0] == words[1] and words[2] == words[3] and words[0] != words[2]


def test_webhook_latency_delays_receipts(client, hooked, receiver):
    number = hooked.pair[0]
    set_dlr_url(client, hooked, receiver.url())
    add_fault(client, provider=hooked.name, webhook_latency_ms=60_000)
    sent_ok(client, hooked, number)
    advance(client, 30)
    assert statuses_of(receiver, hooked, number) == []
    advance(client, 60)
    assert len(statuses_of(receiver, hooked, number)) == 2


def test_webhook_reorder_delivers_the_final_receipt_first(client, hooked, receiver):
    number = hooked.pair[0]
    set_dlr_url(client, hooked, receiver.url())
    add_fault(client, provider=hooked.name, webhook_reorder=True)
    sent_ok(client, hooked, number)
    for _ in range(4):
        advance(client, 10)
    words = [w.lower() for w in statuses_of(receiver, hooked, number)]
    assert words[0] == "delivered" and words[1] in ("sent", "dispatched", "pending") and len(words) == 2


def test_receipts_arrive_twice_and_out_of_order(client, hooked, receiver):
    number = hooked.pair[0]
    set_dlr_url(client, hooked, receiver.url())
    add_fault(client, provider=hooked.name, dlr_duplicate=True, webhook_reorder=True)
    sent_ok(client, hooked, number)
    for _ in range(4):
        advance(client, 10)
    words = [w.lower() for w in statuses_of(receiver, hooked, number)]
    assert words[:2] == ["delivered", "delivered"] and len(words) == 4 and words[2] == words[3] != "delivered"


def bulk_outcomes(client, vendor) -> dict[str, str]:
    [msg] = messages(client, vendor)
    detail = client.get(f"/_mock/messages/{msg['id']}", params={"recipients_limit": 100}).json()
    return {r["msisdn"]: r["outcome"] for r in detail["recipients"]["items"]}


def test_times_and_after_count_recipients_in_order(client):
    vendor = VENDORS["mesms"]
    numbers = [f"6681234567{i}" for i in range(6)]
    rule = add_fault(client, provider="mesms", dlr_status="expired", after=1, times=2)
    sent_ok(client, vendor, numbers)
    got = bulk_outcomes(client, vendor)
    assert [got[n] for n in numbers] == ["delivered", "expired", "expired", "delivered", "delivered", "delivered"]
    view = fault(client, rule["id"])
    assert (view["hits"], view["exhausted"]) == (2, True)


def test_probability_per_recipient_replays_with_the_seed(client_factory):
    vendor = VENDORS["mesms"]
    numbers = [f"668123456{i:02d}" for i in range(40)]

    def run() -> list[str]:
        client = client_factory()
        add_fault(client, provider="mesms", dlr_status="blocked", probability=0.3)
        sent_ok(client, vendor, numbers)
        got = bulk_outcomes(client, vendor)
        client.post("/_mock/reset")
        return [got[n] for n in numbers]

    first, second = run(), run()
    assert first == second
    assert 0 < first.count("blocked") < len(numbers)

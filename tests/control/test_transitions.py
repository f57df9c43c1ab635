"""POST /_mock/messages/{id}/status: forced statuses update counters, credits, events, webhooks."""

from __future__ import annotations

from tests.conftest import advance
from tests.core.kit import balance, install, send


def force(client, message_id: int, **body):
    return client.post(f"/_mock/messages/{message_id}/status", json=body)


def test_forcing_a_final_status_fires_the_implied_webhooks(client, receiver):
    install(client, dlr_url=receiver.url("/dlr"))
    client.app.state.runtime.clock.freeze()
    msg = send(client, "+639170999007")  # would stay queued forever
    resp = force(client, msg.id, status="undelivered", to="639170999007")
    assert resp.status_code == 200
    body = resp.json()
    assert body["changed"][0] | {"recipient_id": 0} == {"recipient_id": 0, "msisdn": "+639170999007", "from": "queued",
                                                        "to": "undelivered", "steps": ["sent", "undelivered"]}
    assert body["webhooks"] == 2
    assert (body["message"]["status"], body["message"]["counts"]) == ("completed", {"undelivered": 1})
    assert [b["status"] for b in receiver.bodies("/dlr")] == ["sent", "undelivered"]
    events = client.get(f"/_mock/messages/{msg.id}/events").json()
    assert [(e["status"], e["detail"]) for e in events] == [("queued", ""), ("sent", "forced"), ("undelivered", "forced")]
    advance(client, 3600)  # a forced recipient leaves automatic progression
    assert client.get(f"/_mock/messages/{msg.id}").json()["counts"] == {"undelivered": 1}


def test_forcing_a_refunded_status_gives_credits_back(client):
    install(client, credits=10)
    msg = send(client, ["+639170000001", "+639170000002"])
    assert balance(client) == 8
    body = force(client, msg.id, status="failed").json()  # every open recipient
    assert len(body["changed"]) == 2 and body["webhooks"] == 0  # no DLR URL on the account
    assert balance(client) == 10
    assert body["message"]["credits"] == 0


def test_leaving_a_refunded_status_charges_again_so_credits_never_double_refund(client):
    install(client, credits=10)
    msg = send(client, ["+639170000001", "+639170000002"])
    force(client, msg.id, status="failed", to="+639170000001")
    assert balance(client) == 9
    back = force(client, msg.id, status="sent", to="+639170000001").json()
    assert balance(client) == 8 and back["message"]["credits"] == 2
    force(client, msg.id, status="failed", to="+639170000001")
    assert balance(client) == 9  # refunded once, not twice


def test_forcing_back_to_queued_reopens_the_message(client):
    install(client)
    msg = send(client, "+639170000001")
    advance(client, 10)
    rid = client.get(f"/_mock/messages/{msg.id}").json()["recipients"]["items"][0]["id"]
    body = force(client, msg.id, status="queued", recipient_id=rid).json()
    assert (body["message"]["status"], body["message"]["completed_at"], body["message"]["counts"]) == ("queued", None, {"queued": 1})
    assert force(client, msg.id, status="queued", recipient_id=rid).json()["changed"] == []


def test_force_refusals(client):
    install(client)
    msg = send(client, "+639170000001")
    assert force(client, msg.id, status="scheduled").status_code == 422
    assert force(client, msg.id, status="bogus").status_code == 422
    assert force(client, 999, status="delivered").status_code == 404
    assert force(client, msg.id, status="delivered", recipient_id=999).status_code == 404
    assert force(client, msg.id, status="delivered", recipient_id=2**40).status_code == 404  # past int4: no 500
    assert force(client, msg.id, status="delivered", to="+1000").status_code == 404

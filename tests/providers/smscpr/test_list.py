"""GET /v1/messages/sms: newest first, filters, limit, opaque keyset cursor stable under new traffic."""

from __future__ import annotations

import pytest

from tests.conftest import advance
from tests.providers.smscpr.kit import AUTH, OTHER_AUTH, OTHER_PLAN, send

LIST = "/smscpr/v1/messages/sms"


def _list(client, headers=AUTH, **params):
    resp = client.get(LIST, params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _bodies(page: dict) -> list[str]:
    return [r["body"] for r in page["results"]]


def test_newest_first_with_full_receipts(client):
    ids = [send(client, body=f"m{i}").json()["msgId"] for i in range(3)]
    page = _list(client)
    assert _bodies(page) == ["m2", "m1", "m0"]
    assert [r["msgId"] for r in page["results"]] == ids[::-1]
    assert page["nextCursor"] is None
    one = client.get(f"{LIST}/{ids[0]}", headers=AUTH).json()
    assert page["results"][2] == one


def test_cursor_pages_are_stable_while_new_messages_arrive(client):
    for i in range(5):
        send(client, body=f"m{i}")
    first = _list(client, limit=2)
    assert _bodies(first) == ["m4", "m3"]
    cursor = first["nextCursor"]
    assert cursor and not cursor.isdigit()  # opaque
    send(client, body="new1")
    send(client, body="new2")
    second = _list(client, limit=2, cursor=cursor)
    assert _bodies(second) == ["m2", "m1"]
    third = _list(client, limit=2, cursor=second["nextCursor"])
    assert _bodies(third) == ["m0"] and third["nextCursor"] is None
    assert _bodies(_list(client, limit=2)) == ["new2", "new1"]


def test_exact_page_has_no_next_cursor(client):
    for i in range(2):
        send(client, body=f"m{i}")
    assert _list(client, limit=2)["nextCursor"] is None


def test_status_filter_uses_vendor_words(client):
    send(client, body="ok")
    send(client, to="+15550999001", body="fails")
    send(client, to="+15550999002", body="undelivered")
    assert _bodies(_list(client, status="QUEUED")) == ["undelivered", "fails", "ok"]
    advance(client, 5)
    assert _bodies(_list(client, status="DELIVERED")) == ["ok"]
    assert _bodies(_list(client, status="FAILED,UNDELIVERED")) == ["undelivered", "fails"]
    assert _list(client, status="QUEUED")["results"] == []


def test_from_and_to_filters(client):
    send(client, body="a", from_="MyBrand")
    send(client, body="b", to="+15550004444")
    send(client, body="c")
    assert _bodies(_list(client, **{"from": "MyBrand"})) == ["a"]
    assert _bodies(_list(client, to="+15550004444")) == ["b"]
    assert _bodies(_list(client, to="+15550002222", **{"from": "+15550001111"})) == ["c"]


def test_time_range_filters_bound_created_at(client):
    early = send(client, body="early").json()["createdAt"]
    advance(client, 60)
    late = send(client, body="late").json()["createdAt"]
    assert _bodies(_list(client, sentSince=late)) == ["late"]
    assert _bodies(_list(client, sentUntil=early)) == ["early"]
    assert _bodies(_list(client, sentSince=early, sentUntil=late)) == ["late", "early"]
    assert _bodies(_list(client, sentSince="2000-01-01T00:00:00+07:00")) == ["late", "early"]


def test_filters_combine_with_the_cursor(client):
    for i in range(4):
        send(client, body=f"x{i}", from_="Alpha" if i % 2 else "Beta")
    first = _list(client, limit=1, **{"from": "Alpha"})
    assert _bodies(first) == ["x3"]
    assert _bodies(_list(client, limit=1, cursor=first["nextCursor"], **{"from": "Alpha"})) == ["x1"]


def test_only_own_messages_are_listed(client):
    send(client, body="mine")
    send(client, headers=OTHER_AUTH, servicePlanId=OTHER_PLAN, body="theirs")
    assert _bodies(_list(client)) == ["mine"]
    assert _bodies(_list(client, headers=OTHER_AUTH)) == ["theirs"]


@pytest.mark.parametrize("params, field, message", [
    ({"status": "SENT"}, "status", "unknown status 'SENT'; one of QUEUED, DISPATCHED, DELIVERED, UNDELIVERED, "
                                   "FAILED, EXPIRED, REJECTED, BLOCKED, UNKNOWN, CANCELLED"),
    ({"cursor": "bm9wZQ"}, "cursor", "is not a cursor this API returned"),
    ({"cursor": "%%%"}, "cursor", "is not a cursor this API returned"),
    ({"cursor": "djE6OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"}, "cursor", "is not a cursor this API returned"),
    ({"sentSince": "yesterday"}, "sentSince", "must be an ISO-8601 date-time such as 2026-06-22T05:10:03.120Z"),
    ({"sentUntil": "2026-13-01"}, "sentUntil", "must be an ISO-8601 date-time such as 2026-06-22T05:10:03.120Z"),
    ({"limit": "0"}, "limit", "Input should be greater than or equal to 1"),
    ({"limit": "1001"}, "limit", "Input should be less than or equal to 1000"),
    ({"limit": "ten"}, "limit", "must be an integer"),
])
def test_bad_query_parameters_are_400(client, params, field, message):
    resp = client.get(LIST, params=params, headers=AUTH)
    assert resp.status_code == 400
    assert resp.json() == {"errorCode": "INVALID_PARAMETER", "errorMessage": f"{field}: {message}",
                           "details": [{"field": field, "message": message}]}


def test_limit_defaults_to_50_and_allows_1000(client):
    for i in range(51):
        send(client, body=f"m{i}")
    assert len(_list(client)["results"]) == 50
    assert len(_list(client, limit=1000)["results"]) == 51

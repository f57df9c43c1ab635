"""The control API documents itself: Swagger at /_mock/docs, a summary line on every route."""


def test_docs_and_every_route_described(client):
    assert client.get("/_mock/docs").status_code == 200
    spec = client.get("/_mock/openapi.json").json()
    ops = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    assert len(ops) >= 25
    missing = [f"{m.upper()} {p}" for p, m, op in ops if not op.get("description")]
    assert missing == []
    for path in ("/messages/wait", "/messages/{message_id}/status", "/inbound", "/webhooks/{webhook_id}/redeliver",
                 "/accounts/{account_id}"):
        assert path in spec["paths"]

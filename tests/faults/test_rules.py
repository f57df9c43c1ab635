"""The /_mock/faults resource: creating (201 with id and counters), validation against the vendor's
catalogue, reading hits, deleting, reset, fixtures/faults.toml, the X-Mock-Fault header, after / times /
probability with the sandbox seed."""

from __future__ import annotations


import pytest

from tests.faults.kit import BOOT_RULE, VENDORS, add_fault, fault, fixtures_with_faults, messages

CAST = VENDORS["cast"]


def cast_send(client, **headers):
    return CAST.send(client, VENDORS["cast"].pair[0], **headers)


def test_post_answers_201_with_the_rule_its_id_and_counters(client):
    resp = client.post("/_mock/faults", json={"name": "cast-down", "provider": "cast", "method": "post",
                                              "path": "/api/*/sms/send", "error": "SERVICE_UNAVAILABLE", "times": 2})
    assert resp.status_code == 201
    rule = resp.json()
    assert rule["id"] and rule["name"] == "cast-down" and rule["method"] == "POST"
    assert (rule["hits"], rule["seen"], rule["exhausted"]) == (0, 0, False)
    assert client.get("/_mock/faults").json()["items"] == [rule]
    assert client.get(f"/_mock/faults/{rule['id']}").json() == rule


def test_bad_rules_are_refused_with_the_reason(client):
    cases = [
        ({"provider": "cast", "error": "NO_SUCH_ERROR"}, "cast has no error 'NO_SUCH_ERROR'"),
        ({"error": "SERVICE_UNAVAILABLE"}, "set provider"),
        ({"provider": "nope", "status": 503}, "unknown provider"),
        ({"provider": "cast"}, "a rule needs an effect"),
        ({"provider": "cast", "status": 503, "dlr_drop": True}, "not both"),
        ({"provider": "cast", "dlr_status": "lost"}, None),
        ({"provider": "cast", "status": 503, "colour": "red"}, None),
    ]
    for body, reason in cases:
        resp = client.post("/_mock/faults", json=body)
        assert resp.status_code == 422, (body, resp.text)
        if reason:
            assert reason in resp.json()["detail"], resp.text
    assert client.get("/_mock/faults").json()["items"] == []


def test_delete_one_and_unknown_ids(client):
    rule = add_fault(client, provider="cast", status=503)
    assert client.delete(f"/_mock/faults/{rule['id']}").status_code == 204
    assert client.get(f"/_mock/faults/{rule['id']}").status_code == 404
    assert client.delete(f"/_mock/faults/{rule['id']}").status_code == 404
    assert cast_send(client).status_code == 200


def test_reset_clears_rules(client):
    add_fault(client, provider="cast", status=503)
    add_fault(client, provider="mesms", status=503)
    assert client.post("/_mock/reset", json={"provider": "cast"}).status_code == 200
    assert [r["provider"] for r in client.get("/_mock/faults").json()["items"]] == ["mesms"]
    assert client.post("/_mock/reset").status_code == 200
    assert client.get("/_mock/faults").json()["items"] == []
    assert cast_send(client).status_code == 200


def test_after_lets_successes_through_first(client):
    rule = add_fault(client, provider="cast", path=CAST.path, status=503, after=2, times=1)
    assert [cast_send(client).status_code for _ in range(4)] == [200, 200, 503, 200]
    view = fault(client, rule["id"])
    assert (view["seen"], view["hits"], view["exhausted"]) == (3, 1, True)  # an exhausted rule stops matching


def test_probability_is_seeded_so_a_run_replays(client_factory, tmp_path):
    def run() -> list[int]:
        client = client_factory()
        add_fault(client, provider="cast", path=CAST.path, status=503, probability=0.5)
        codes = [cast_send(client).status_code for _ in range(12)]
        client.post("/_mock/reset")
        return codes

    first, second = run(), run()
    assert first == second and 200 in first and 503 in first


def test_header_names_an_on_demand_rule(client):
    rule = add_fault(client, name="cast-broke", provider="cast", error="INTERNAL_ERROR", on_demand=True)
    assert cast_send(client).status_code == 200  # on_demand: never by matching alone
    resp = cast_send(client, **{"X-Mock-Fault": "cast-broke"})
    assert resp.status_code == 500 and resp.json()["error_code"] == "INTERNAL_ERROR"
    assert cast_send(client, **{"X-Mock-Fault": "no-such-rule"}).status_code == 200
    assert fault(client, rule["id"])["hits"] == 1
    assert len(messages(client, CAST)) == 2


def test_header_forces_a_rule_past_its_matchers(client):
    add_fault(client, name="only-smscpr-path", provider="cast", path="/elsewhere", status=503)
    assert cast_send(client, **{"X-Mock-Fault": "only-smscpr-path"}).status_code == 503


def test_faults_toml_is_loaded_at_start_and_after_reset(client_factory, tmp_path):
    fixtures = fixtures_with_faults(tmp_path, BOOT_RULE)
    client = client_factory(fixtures_dir=fixtures)
    [rule] = client.get("/_mock/faults").json()["items"]
    assert rule["name"] == "boot"
    assert [cast_send(client).status_code for _ in range(2)] == [503, 200]
    client.post("/_mock/reset")
    [again] = client.get("/_mock/faults").json()["items"]
    assert again["hits"] == 0 and cast_send(client).status_code == 503


def test_faults_toml_naming_an_unknown_error_stops_the_start(client_factory, tmp_path):
    fixtures = fixtures_with_faults(tmp_path, '[[rule]]\nprovider = "cast"\nerror = "TEAPOT"\n')
    with pytest.raises(ValueError, match="cast has no error 'TEAPOT'"):
        client_factory(fixtures_dir=fixtures)

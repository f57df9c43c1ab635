"""Fault rules live in the store: two apps on one database (as the processes of `serve --workers N`, or
replicas) apply the same rules and count the same hits; the rules outlive a restart, fixtures/faults.toml
is not loaded twice, and a reset clears what the API added."""

from __future__ import annotations


from tests.faults.kit import BOOT_RULE, VENDORS, add_fault, fault, fixtures_with_faults, messages

CAST = VENDORS["cast"]


def cast_send(client, **headers):
    return CAST.send(client, CAST.pair[0], **headers)


def test_a_rule_added_on_one_app_applies_on_the_other_and_times_counts_across_both(client_factory):
    a, b = client_factory(), client_factory()
    assert cast_send(b).status_code == 200  # b has read the (empty) rule set: it must notice the new rule
    rule = add_fault(a, provider="cast", path=CAST.path, status=503, after=1, times=1)
    assert [cast_send(c).status_code for c in (b, a, b, a)] == [200, 503, 200, 200]
    seen = fault(b, rule["id"])
    assert (seen["seen"], seen["hits"], seen["exhausted"]) == (2, 1, True)
    assert b.delete(f"/_mock/faults/{rule['id']}").status_code == 204
    assert a.get("/_mock/faults").json()["items"] == []


def test_probability_draws_are_the_same_whichever_app_counts(client_factory):
    def codes(clients) -> list[int]:
        add_fault(clients[0], provider="cast", path=CAST.path, status=503, probability=0.5)
        got = [cast_send(clients[i % len(clients)]).status_code for i in range(12)]
        clients[0].post("/_mock/reset")
        return got

    one = client_factory()
    alone = codes([one])
    both = codes([one, client_factory()])
    assert alone == both and 200 in alone and 503 in alone


def test_the_message_names_the_rule_on_either_app(client_factory):
    a, b = client_factory(), client_factory()
    add_fault(a, name="slow-dlr", provider="cast", dlr_delay_s=30)
    assert cast_send(b).status_code == 200
    assert [m["faults"] for m in messages(a, CAST)] == [["slow-dlr"]]
    assert "fault_marks" not in messages(a, CAST)[0]["meta"]  # bookkeeping, shown as `faults` only


def test_rules_outlive_a_restart_fixture_rules_load_once_and_reset_clears_the_api_ones(client_factory, tmp_path):
    fixtures = fixtures_with_faults(tmp_path, BOOT_RULE)
    first = client_factory(fixtures_dir=fixtures)
    assert cast_send(first).status_code == 503
    add_fault(first, name="mine", provider="cast", status=500, on_demand=True)
    restarted = client_factory(fixtures_dir=fixtures)  # a new process on the same database
    items = restarted.get("/_mock/faults").json()["items"]
    assert [(r["name"], r["hits"], r["exhausted"]) for r in items] == [("boot", 1, True), ("mine", 0, False)]
    assert cast_send(restarted).status_code == 200  # boot's one hit was spent before the restart
    assert restarted.post("/_mock/reset").status_code == 200
    items = first.get("/_mock/faults").json()["items"]
    assert [(r["name"], r["hits"]) for r in items] == [("boot", 0)]

"""Swagger Try-it: the SIM examples work as shown with the README's SIM-enabled key, on both path families."""

import pytest

from tests.providers.cast.kit import SIM, h

SIM_KEY = h(SIM)


@pytest.mark.parametrize("path", ["/api/sim/send", "/api/v1/sim/send", "/api/sim/bulk", "/api/v1/sim/bulk"])
def test_sim_try_it_example_sends(client, path):
    spec = client.get("/cast/openapi.json").json()
    example = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["examples"]["sim"]["value"]
    resp = client.post(f"/cast{path}", json=example, headers=SIM_KEY)
    assert resp.status_code == 200, resp.text
    assert resp.json()["success"] is True

"""Each Swagger UI works offline in a real browser, as a new user tries it: Debian chromium with every
request off 127.0.0.1 aborted, Authorize with the README's fixture credential, Execute the prefilled
send example unchanged (200 on the page), then the lookup endpoint with the id it returned.
Screenshots go to <tmp>/mockserver-screenshots/swagger (path printed)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from tests.browser import launch_browser, new_offline_page, screenshot_dir
from tests.e2e.server import clean_env, free_port, running_server
from tests.vendors import VENDORS


def page_of(provider: str) -> tuple[list[str], str, str | None, str | None, str]:
    """(credential values, send, lookup, param, id field) from the vendor record's `swagger`; a vendor
    without one fails here, not silently."""
    vendor = VENDORS[provider]
    assert vendor.swagger, f"tests/providers/{provider}/kit.py: VENDOR has no swagger walk-through"
    fields, *rest = vendor.swagger
    return [vendor.credentials[f] for f in fields], *rest


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("swagger")
    # A frozen clock: no DLR is due while the test runs, so no example callback URL is ever called.
    env = clean_env({"MOCKSERVER_PORT": str(free_port()), "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp}/s.db",
                     "MOCKSERVER_CLOCK_FROZEN": "true"})
    with running_server(env, tmp) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launch_browser() as b:
        yield b


def authorize(page: Any, secrets: list[str]) -> None:
    """The Authorize dialog, filled as a user would: one value per input (Basic: user, then password)."""
    page.click("button.authorize")
    inputs = page.locator(".modal-ux input")
    assert inputs.count() == len(secrets)
    for i, secret in enumerate(secrets):
        inputs.nth(i).fill(secret)
    page.click(".auth-btn-wrapper button.authorize")
    page.click(".auth-btn-wrapper button.btn-done")


def execute(page: Any, method: str, path: str, params: dict[str, str] | None = None,
            shot: str | None = None) -> tuple[str, str]:
    """Open an operation, fill its path parameters, press Execute; the live response's status and body
    (and a screenshot of the response area when `shot` names one)."""
    # Filtered by path and method text, not by the opblock-<method> class: deprecated operations lack it.
    block = (page.locator(".opblock", has=page.locator(f'[data-path="{path}"]'))
             .filter(has=page.locator(".opblock-summary-method", has_text=re.compile(f"^{method}$", re.I))).first)
    block.locator(".opblock-summary").first.click()
    for name, value in (params or {}).items():
        block.locator(f'tr[data-param-name="{name}"] input').fill(value)
    block.locator("button.execute").click()
    status = block.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for(timeout=15000)
    body = block.locator(".live-responses-table .response-col_description pre").first.inner_text()
    if shot:
        block.locator(".live-responses-table").first.screenshot(path=str(screenshot_dir("swagger") / shot))
    return status.inner_text().strip(), body


def open_docs(browser: Any, url: str) -> Any:
    page = new_offline_page(browser)
    page.set_default_timeout(15000)
    page.goto(url)
    page.wait_for_selector(".opblock", timeout=15000)
    return page


@pytest.mark.parametrize("provider", list(VENDORS))
def test_provider_swagger_try_it_offline(server: str, browser: Any, provider: str):
    secrets, send, lookup, param, id_field = page_of(provider)
    page = open_docs(browser, f"{server}/{provider}/docs")
    authorize(page, secrets)
    status, body = execute(page, "post", send, shot=f"{provider}-send.png")
    assert status == "200", body
    returned = json.loads(body)[id_field]
    if lookup:
        status, body = execute(page, "get", lookup, {param: returned}, shot=f"{provider}-lookup.png")
        assert status == "200", body
        assert returned in body
    assert page.blocked_requests == []


def test_control_swagger_try_it_offline(server: str, browser: Any):
    secrets = page_of("engagelab")[0]
    sent = httpx.post(f"{server}/engagelab/v1/messages", auth=tuple(secrets), timeout=10, json={
        "to": ["923700056581"], "template": {"id": 1233, "params": {"content": "control docs"}}})
    plan_id = sent.json()["plan_id"]
    page = open_docs(browser, f"{server}/_mock/docs")
    # Try-it is on by default here too: Execute is there without pressing "Try it out".
    status, body = execute(page, "get", "/messages")
    assert status == "200", body
    assert plan_id in [m["public_id"] for m in json.loads(body)["items"]]
    # The id EngageLab returned (it has no lookup endpoint of its own) finds the message here.
    status, body = execute(page, "get", "/messages/{message_id}", {"message_id": plan_id}, shot="control-lookup.png")
    assert status == "200", body
    assert json.loads(body)["public_id"] == plan_id and "control docs" in json.loads(body)["body"]
    assert page.blocked_requests == []


def test_index_page_copies_exactly_one_credential(server: str, browser: Any):
    page = new_offline_page(browser, permissions=["clipboard-read", "clipboard-write"])
    page.goto(server + "/credentials")
    page.wait_for_load_state("networkidle")
    assert page.locator("code.credential").count() > 10
    button = page.locator("button[data-target='engagelab-secret-0']")
    button.click()
    assert page.evaluate("navigator.clipboard.readText()") == VENDORS["engagelab"].credentials["dev_secret"]
    assert button.inner_text() == "copied"
    assert page.blocked_requests == []

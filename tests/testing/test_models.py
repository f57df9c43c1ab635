"""The kit reads answers with the control API's own response models (one contract, no second copy), and
importing it stays cheap: the pytest plugin imports it in every run of a user's suite."""

from __future__ import annotations

import inspect
import subprocess
import sys

from pydantic import BaseModel

import mockserver.testing as kit
from mockserver.app import create_app
from mockserver.control import schemas
from mockserver.settings import Settings


def test_the_kit_models_are_the_routes_models(tmp_path):
    control = next(r.app for r in create_app(Settings(database_url=f"sqlite:///{tmp_path}/x.db")).routes
                   if getattr(r, "path", None) == "/_mock")
    answered = set(control.openapi()["components"]["schemas"])  # what /_mock/docs shows, nested models too
    kit_models = [obj for name in kit.__all__ if inspect.isclass(obj := getattr(kit, name)) and issubclass(obj, BaseModel)]
    assert {m.__name__ for m in kit_models} >= {"Message", "Webhook", "Account", "Inbound", "Fault", "ClockState"}
    for model in kit_models:
        assert model is getattr(schemas, model.__name__), model
        assert model.__name__ in answered, f"{model.__name__} is in no route's documented answer"


def test_a_full_message_reads_as_before():
    """Nested parts are models now, and still read by their wire names as the kit's dicts were."""
    msg = schemas.Message.model_validate({
        "id": 7, "provider": "cast", "account_id": "a", "from": "BRAND", "body": "x", "status": "queued",
        "recipients": {"items": [{"id": 1, "msisdn": "639170000001", "status": "queued"}], "next_cursor": None},
        "events": [{"id": 3, "status": "queued", "at": "2026-01-01T00:00:00.000Z"}], "webhooks": [],
        "from_a_newer_server": 1})
    assert msg.from_ == "BRAND" and msg["from"] == "BRAND" and msg.get("nope", 5) == 5
    assert msg.recipients["items"][0]["msisdn"] == msg.recipients.items[0].msisdn == "639170000001"
    assert [e["status"] for e in msg.events] == ["queued"] and msg["from_a_newer_server"] == 1
    assert "recipients" not in msg.model_dump(by_alias=True)  # list items never carry the detail's parts


def test_importing_the_kit_pulls_in_no_server_code():
    code = ("import sys, mockserver.testing; "
            "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'mockserver.core.runtime', 'mockserver.app') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"

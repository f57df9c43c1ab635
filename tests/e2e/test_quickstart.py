"""The README's quick start, run as written against a real server (only its port moved to a free one):
every call succeeds, the SMSCPR receipts land in the request bin, and no URL leaves the machine."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.server import clean_env, free_port, running_server

ROOT = Path(__file__).resolve().parents[2]


def quickstart_block() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start per provider", 1)[1]
    return section.split("```bash", 1)[1].split("```", 1)[0]


def json_documents(text: str) -> list:
    """curl -s prints each answer with no newline after it: split the concatenated JSON documents."""
    decoder, out, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        doc, i = decoder.raw_decode(text, i)
        out.append(doc)
    return out


def test_quickstart_names_no_host_but_this_machine():
    urls = re.findall(r"https?://[^\s'\"]+", quickstart_block())
    assert urls, "the quick start names its base URL"
    assert {urlsplit(u).hostname for u in urls} == {"127.0.0.1"}
    assert "/_mock/bins/" in quickstart_block()


def test_quickstart_runs_verbatim_and_receipts_reach_the_bin(tmp_path: Path):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    port = free_port()
    script = quickstart_block().replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    env = clean_env({"MOCKSERVER_PORT": str(port), "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/q.db"})
    with running_server(env, tmp_path) as base:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        answers = json_documents(done.stdout)
        cast, smscpr, mesms, engagelab, listed, advanced, caught = answers
        assert cast["success"] is True and smscpr["status"] == "QUEUED" and mesms["status"] == "pending"
        assert engagelab["plan_id"] and len(listed["items"]) == 4 and "now" in json.dumps(advanced)
        receipts = [r["json"] for r in caught["items"]]
        assert receipts and all(r["msgId"] == smscpr["msgId"] for r in receipts)
        assert [r["status"] for r in receipts] == ["DELIVERED", "DISPATCHED"]  # newest first
        for vendor_id in (cast["message_id"], smscpr["msgId"], mesms["uuid"], engagelab["plan_id"]):
            assert httpx.get(f"{base}/_mock/messages/{vendor_id}", timeout=5).status_code == 200
        hooks = httpx.get(f"{base}/_mock/webhooks", params={"limit": 500}, timeout=5).json()["items"]
        assert hooks and {urlsplit(h["url"]).hostname for h in hooks} == {"127.0.0.1"}

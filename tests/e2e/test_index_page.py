"""The landing page shows each fixture credential in its own copyable element, apart from its description."""

from __future__ import annotations

import tomllib
from html.parser import HTMLParser
from pathlib import Path

from fastapi.testclient import TestClient

from tests.vendors import VENDORS

ROOT = Path(__file__).resolve().parents[2]


class Credentials(HTMLParser):
    """Text of every <code class='credential'>, by kind (key / secret)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._kind: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "code" and "credential" in (a.get("class") or "").split():
            self._kind = a.get("data-kind")
            self.found.append((self._kind, ""))

    def handle_data(self, data):
        if self._kind:
            kind, text = self.found[-1]
            self.found[-1] = (kind, text + data)

    def handle_endtag(self, tag):
        if tag == "code":
            self._kind = None


def test_each_credential_is_its_own_element(e2e_client: TestClient):
    parser = Credentials()
    parser.feed(e2e_client.get("/credentials").text)
    keys = {text for kind, text in parser.found if kind == "key"}
    bases = {text for kind, text in parser.found if kind == "base-url"}
    assert bases == {f"http://testserver/{p}" for p in VENDORS}
    secrets = {text for kind, text in parser.found if kind == "secret"}
    expected_keys, expected_secrets = set(), set()
    for path in (ROOT / "fixtures").glob("*.toml"):
        for account in tomllib.loads(path.read_text()).get("accounts", []):
            for key in account.get("keys", []):
                expected_keys.add(key["key"])
                if key.get("secret"):
                    expected_secrets.add(key["secret"])
    assert expected_keys and keys == expected_keys  # exact text: nothing of the description inside
    assert secrets == expected_secrets
    assert VENDORS["engagelab"].credentials["dev_secret"] in secrets


def test_every_credential_has_a_copy_button_pointing_at_it(e2e_client: TestClient):
    page = e2e_client.get("/credentials").text
    assert page.count('class="btn small copy"') == page.count('class="credential"') > 10
    assert 'data-target="cast-key-0"' in page and 'id="cast-key-0"' in page

"""Deployment defaults a user relies on: compose publishes on loopback unless told otherwise, and every
hardening knob is documented in the README's Security section."""

from __future__ import annotations

import re

from tests.hardening.kit import ROOT


def test_compose_publishes_on_loopback_by_default():
    compose = (ROOT / "docker-compose.yml").read_text()
    ports = re.findall(r'^\s+- "(.+:8000)"$', compose, flags=re.M)
    # The single service, and the team profile's proxy (docs/deploy.md): both loopback unless widened.
    assert ports == ["${MOCKSERVER_PUBLISH_ADDRESS:-127.0.0.1}:${MOCKSERVER_PUBLISHED_PORT:-8000}:8000",
                     "${MOCKSERVER_PUBLISH_ADDRESS:-127.0.0.1}:${MOCKSERVER_TEAM_PORT:-8001}:8000"]
    assert 'MOCKSERVER_CONTROL_TOKEN: "${MOCKSERVER_CONTROL_TOKEN:-}"' in compose


def test_the_readme_documents_every_hardening_setting():
    readme = (ROOT / "README.md").read_text()
    security = readme[readme.index("## Security"):readme.index("## Upgrades")]
    for name in ("MOCKSERVER_CONTROL_TOKEN", "MOCKSERVER_PUBLISH_ADDRESS", "MOCKSERVER_WEBHOOK_ALLOW_HOSTS",
                 "_DENY_HOSTS", "MOCKSERVER_MAX_BODY_BYTES", "MOCKSERVER_CONTROL_MAX_BODY_BYTES",
                 "MOCKSERVER_MAX_JSON_DEPTH", "MOCKSERVER_MAX_HEADER_BYTES", "MOCKSERVER_MAX_HEADER_COUNT", "/_login"):
        assert name in security, name
    upgrades = readme[readme.index("## Upgrades"):readme.index("## Development")]
    assert "Fixtures are re-applied on every start" in upgrades and "newer" in upgrades

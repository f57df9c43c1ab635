"""docker-compose.yml's `team` profile (PostgreSQL, two replicas, a proxy), checked statically with
Debian's docker-compose, and the replicas' exact environment booted as plain processes (no Docker
engine here): with the database URL swapped for MOCKSERVER_TEST_DATABASE_URL or a SQLite file, two
of them answer as one sandbox. The default `docker compose up` stays the single SQLite service."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import yaml

from tests.e2e.test_compose_env import resolve_unset
from tests.e2e.test_docker_files import _tool
from tests.replicas.cluster import cluster, database_url

ROOT = Path(__file__).resolve().parents[2]
TEAM = {"postgres", "replica-1", "replica-2", "proxy"}


def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def team_config() -> dict:
    result = subprocess.run([_tool("docker-compose"), "-f", "docker-compose.yml", "--profile", "team", "config"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def replica_env(name: str) -> dict[str, str]:
    return {k: resolve_unset(str(v)) for k, v in services()[name]["environment"].items()}


def test_default_up_is_still_the_one_sqlite_service():
    found = services()
    assert set(found) == {"mockserver"} | TEAM
    assert "profiles" not in found["mockserver"]  # the only service a plain `up` starts
    assert all(found[name]["profiles"] == ["team"] for name in TEAM)
    assert found["mockserver"]["environment"]["MOCKSERVER_DATABASE_URL"] == "sqlite:////data/mockserver.db"


def test_team_profile_is_valid_and_wires_postgres_replicas_and_proxy():
    config = team_config()["services"]
    pg = config["postgres"]
    assert pg["image"] == "postgres:16" and "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert pg["volumes"] == ["team-db:/var/lib/postgresql/data:rw"] and "team-db" in team_config()["volumes"]
    for name in ("replica-1", "replica-2"):
        replica = config[name]
        env = replica["environment"]
        assert env["MOCKSERVER_DATABASE_URL"] == "postgresql://sandbox:sandbox@postgres:5432/sandbox"
        assert env["MOCKSERVER_SHARED_STATE"] == "on" and env["MOCKSERVER_SEED"] == ""
        first = "postgres" if name == "replica-1" else "replica-1"  # one creates the schema, then the next
        assert replica["depends_on"][first]["condition"] == "service_healthy"
        assert replica["healthcheck"]["test"] == ["CMD", "mockserver", "healthcheck"]
        assert "ports" not in replica  # reached through the proxy only
    proxy = config["proxy"]
    assert {"replica-1:8000", "replica-2:8000"} <= set(proxy["command"])
    assert proxy["ports"] == ["127.0.0.1:8001:8000/tcp"]  # loopback unless MOCKSERVER_PUBLISH_ADDRESS widens it
    assert pg["environment"]["POSTGRES_PASSWORD"] == "sandbox" and pg["environment"]["POSTGRES_DB"] == "sandbox"


def test_the_replicas_environment_boots_two_processes_that_share_one_sandbox(tmp_path: Path):
    env = replica_env("replica-1")
    assert env == replica_env("replica-2")
    env["MOCKSERVER_DATABASE_URL"] = database_url(tmp_path)  # no PostgreSQL service here: same env otherwise
    with cluster(env["MOCKSERVER_DATABASE_URL"], 2, extra=env) as (a, b):
        moved = httpx.post(f"{a.base}/_mock/clock/advance", json={"seconds": 86400}).json()["now"]
        seen = httpx.get(f"{b.base}/_mock/clock").json()["now"]
        assert moved <= seen < moved + 5
        assert httpx.get(f"{b.base}/_mock/health").json()["version"]

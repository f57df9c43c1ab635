"""The README's promises stay true: CI runs its test command verbatim; it prints every fixture credential."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ci_runs_the_readme_test_command_verbatim():
    readme = (ROOT / "README.md").read_text()
    ci_lines = [l for l in (ROOT / ".ci" / "run").read_text().splitlines() if l and not l.startswith(("#", " "))]
    command = ci_lines[-1]
    assert "pytest" in command
    assert command in readme


def test_readme_first_screen_has_exactly_two_commands():
    first_block = (ROOT / "README.md").read_text().split("```bash", 1)[1].split("```", 1)[0]
    commands = [l for l in first_block.splitlines() if l.strip() and not l.lstrip().startswith("#")]
    assert len(commands) == 2
    assert commands[0].endswith("mockserver serve")
    assert commands[1].endswith("pytest")
    # Command 2 installs into a venv of its own: re-installing into command 1's venv broke a running server.
    venv_1, venv_2 = (c.split("python3 -m venv ", 1)[1].split()[0] for c in commands)
    assert venv_1 != venv_2


def test_readme_prints_every_fixture_credential():
    readme = (ROOT / "README.md").read_text()
    missing = []
    for path in sorted((ROOT / "fixtures").glob("*.toml")):
        for account in tomllib.loads(path.read_text()).get("accounts", []):
            for key in account.get("keys", []):
                if key.get("note") and key["key"] not in readme:
                    missing.append(f"{path.stem}: {key['key']}")
    assert missing == []

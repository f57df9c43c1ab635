"""The inbox's assets: vendored files match VERSIONS.md, the wheel ships every template and static
file, pages reference nothing off this machine, and the UI keeps to the import rules."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

from tests.test_architecture import imports_of

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "mockserver" / "ui"


def test_vendored_files_match_their_recorded_sha256():
    table = (UI / "static" / "vendor" / "VERSIONS.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| ([\d.]+) \| (\w+) \| `[^`]+` \| `([0-9a-f]{64})` \|$", table, re.M)
    files = sorted(p.name for p in (UI / "static" / "vendor").glob("*.js"))
    assert sorted(r[0] for r in rows) == files
    for name, package, version, license_, sha in rows:
        assert hashlib.sha256((UI / "static" / "vendor" / name).read_bytes()).hexdigest() == sha, name
        assert license_ == "0BSD" and version


def test_templates_and_scripts_load_nothing_from_the_internet():
    for path in [*UI.glob("templates/*.html"), UI / "static" / "inbox.js", UI / "static" / "inbox.css"]:
        text = path.read_text()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path
        assert "@import" not in text and "cdn" not in text.lower(), path


def test_ui_sees_providers_only_through_the_registry():
    internals = [f"mockserver.providers.{p.name}" for p in (ROOT / "mockserver" / "providers").iterdir() if p.is_dir()]
    for path in UI.rglob("*.py"):
        hits = [n for n in imports_of(path) if any(n == i or n.startswith(i + ".") for i in internals)]
        assert hits == [], path


def test_wheel_ships_every_template_and_static_file(built_wheel):
    assert built_wheel.returncode == 0, built_wheel.stderr
    names = set(zipfile.ZipFile(built_wheel.wheel).namelist())
    expected = {str(p.relative_to(ROOT)) for p in UI.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert sorted(expected - names) == []

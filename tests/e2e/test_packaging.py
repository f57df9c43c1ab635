"""What `pip install .` ships: every module and every fixture (an editable install would hide a gap)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_every_module_and_fixture(tmp_path: Path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(tmp_path.glob("mockserver-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(p.relative_to(ROOT)) for p in (ROOT / "mockserver").rglob("*.py")}
    expected |= {f"mockserver/fixtures/{p.name}" for p in (ROOT / "fixtures").glob("*.toml")}
    assert sorted(expected - names) == []


def test_the_kit_extra_is_slim():
    """A user's project installs `mockserver[kit]`: the plugin's needs only, none of this repository's dev tools
    (the [test] extra pulled 442 MB: a browser driver, linters, vendor SDKs)."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    names = [req.split(">")[0].split("=")[0].split("[")[0].strip().lower() for req in extras["kit"]]
    assert names == ["pytest"]
    assert "playwright" not in names and "pytest-asyncio" not in names

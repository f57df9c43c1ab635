"""The wheel of this checkout, built once per test run and read by every test that checks what ships
(tests/e2e/test_packaging.py, tests/ui/test_assets.py): `pip wheel .` costs seconds each time, and two
in-tree builds at once (xdist workers) would trip over each other's build/ folder."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Build:
    """What `pip wheel --no-deps .` left: its exit code, the tail of its stderr, and the wheel (None if none)."""

    returncode: int
    stderr: str
    wheel: Path | None


def _run_folder(factory: pytest.TempPathFactory) -> Path:
    """The folder this run owns: under xdist the workers' common parent, else this session's own."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(factory: pytest.TempPathFactory) -> Build:
    """Build the wheel unless this run already has one; a failed build is retried by the next caller
    (so each test that needs the wheel reports the failure itself)."""
    folder = _run_folder(factory) / "wheel"
    folder.mkdir(exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = sorted(folder.glob("mockserver-*.whl"))
        if built:
            return Build(0, "", built[0])
        run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(ROOT)],
                             check=False, capture_output=True, text=True, timeout=300)
        built = sorted(folder.glob("mockserver-*.whl"))
        return Build(run.returncode, run.stderr[-2000:], built[0] if built else None)

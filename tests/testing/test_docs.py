"""docs/testing.md (and the README's kit section) stay true: every `# test_*.py` example runs as a user's test files would (pytester,
the plugin's in-process sandbox), and the curl walk-through runs against a live one."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.vendors import VENDORS

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "testing.md"


def blocks(language: str, text: str | None = None) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text or DOC.read_text(), flags=re.S | re.M)


def readme_example() -> str:
    """The python block of the README's "Testing with the kit" section."""
    section = (ROOT / "README.md").read_text().split("\n## Testing with the kit\n", 1)[1].split("\n## ", 1)[0]
    return blocks("python", section)[0]


def example_files() -> dict[str, str]:
    """{"test_cast_signup": source, ...}: the python blocks that open with `# test_<name>.py`."""
    files = {}
    for block in blocks("python"):
        first, _, rest = block.partition("\n")
        if re.fullmatch(r"# (test_\w+)\.py", first):
            files[first[2:-3]] = rest
    return files


def test_the_doc_has_an_example_per_provider():
    files = example_files()
    for vendor in VENDORS.values():
        source = next((s for name, s in files.items() if name.startswith(f"test_{vendor.name}_")), "")
        assert any(path in source for path in (vendor.path, *vendor.also)), vendor.name
        assert "sms.otp(" in source and "sms.wait_for(" in source, vendor.name


def test_every_python_example_passes(pytester, monkeypatch):
    monkeypatch.delenv("MOCKSERVER_URL", raising=False)
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n"
                     "filterwarnings = ignore::pytest.PytestAssertRewriteWarning\n")
    files = {**example_files(), "test_readme_kit": readme_example()}
    pytester.makepyfile(**files)
    # Inline and on the plugin's own in-process sandbox, as a user's default run (xdist is covered by
    # test_plugin.py; a subprocess per worker would cost ~10 s on a loaded machine for nothing new).
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    expected = sum(len(re.findall(r"^def test_", s, flags=re.M)) for s in files.values()) + 1  # +1: parametrised
    result.assert_outcomes(passed=expected)


def test_the_curl_walkthrough_runs(sms_sandbox):
    if not (shutil.which("curl") and shutil.which("jq")):
        pytest.skip("curl and jq are needed")
    script = next(b for b in blocks("bash") if "/_mock/messages/wait" in b)
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env={"BASE": sms_sandbox.base_url,
                         "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    # otp, the count of webhooks (none: the account has no callback URL), frozen, the DELETE status
    assert run.stdout.split() == ["482913", "0", "false", "204"]

"""The registry fails loudly: a provider that cannot be imported stops `mockserver serve` with one line naming
the module and exit 2, and stops any import of the registry (so the suite fails instead of skipping)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mockserver.providers import PROVIDER_NAMES, PROVIDERS

#: Makes one module of a provider unimportable, as a deleted file or a bad import would, then runs argv.
BREAK_AND_RUN = """
import sys
sys.modules[{module!r}] = None  # the import system raises ModuleNotFoundError for it
sys.argv = ["mockserver", *{argv!r}]
{run}
"""


def _run_broken(module: str, argv: list[str], run: str, tmp_path) -> subprocess.CompletedProcess:
    code = BREAK_AND_RUN.format(module=module, argv=argv, run=run)
    env = {"PATH": "/usr/bin:/bin", "MOCKSERVER_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                          cwd=tmp_path)


def test_every_registered_provider_is_loaded():
    assert sorted(PROVIDERS) == sorted(PROVIDER_NAMES)


@pytest.mark.parametrize("module", ["mockserver.providers.mesms.numbers", "mockserver.providers.cast.auth"])
def test_serve_stops_with_one_line_and_exit_2_when_a_provider_cannot_import(module, tmp_path):
    done = _run_broken(module, ["serve", "--port", "0"],
                       "from mockserver.__main__ import main\nsys.exit(main())", tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert module in lines[0] and "cannot be imported" in lines[0]
    assert "Traceback" not in done.stderr and "listening" not in done.stdout


def test_importing_the_registry_raises_instead_of_dropping_the_provider(tmp_path):
    done = _run_broken("mockserver.providers.smscpr.schemas", [],
                       "import mockserver.providers", tmp_path)
    assert done.returncode != 0
    assert "ProviderImportError" in done.stderr and "mockserver.providers.smscpr.schemas" in done.stderr

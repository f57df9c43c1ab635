"""The `mockserver` CLI (also `python -m mockserver`): `serve`, `healthcheck` and `db` (upgrade | current |
history: the schema's Alembic revisions); alone it prints help.
Bad settings and a taken port end the process with one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import socket
import sys
from typing import Any, Iterator

from mockserver import __version__
from mockserver.errors import StartupError
from mockserver.startup import freeze_startup_heap, uvicorn_config  # noqa: F401  (bench/bare_app.py uses it here)

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")  # uvicorn's own names
ENV_PREFIX = "MOCKSERVER_"


class CliError(Exception):
    """A one-line reason to stop with exit 2 (bad setting, port in use)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockserver", description="SMS provider sandbox: emulates the Cast, "
                                     "SMSCPR, me-sms and EngageLab SMS APIs on one port.")
    parser.add_argument("--version", action="version", version=f"mockserver {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from mockserver.startup import settings_epilog

    serve = sub.add_parser("serve", help="run the sandbox HTTP server", epilog=settings_epilog(),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_address(serve, "bind address")
    serve.add_argument("--log-level", default="info", choices=LOG_LEVELS, help="default: %(default)s")
    serve.add_argument("--workers", type=worker_count, default=None, metavar="N", help=WORKERS_HELP)
    check = sub.add_parser("healthcheck", help="exit 0 when the server answers /_mock/health (Docker HEALTHCHECK)")
    _add_address(check, "address of the server")
    check.add_argument("--url", default=None, help="full health URL; overrides --host/--port")
    db = sub.add_parser("db", help="the database schema: upgrade it, show its revision or the revisions")
    db.add_argument("action", choices=("upgrade", "current", "history"),
                    help="upgrade: to this release's head; current: the database's revision; history: all revisions")
    db.add_argument("--database-url", default=None, help="default MOCKSERVER_DATABASE_URL (as serve reads it)")
    return parser


WORKERS_HELP = (
    "processes (default MOCKSERVER_WORKERS, else 2 on a machine with 2 or more cores, 1 on one core). 1: one "
    "process runs the API, the scheduler and webhook delivery. N >= 2: N-1 API processes on the port plus one engine process (scheduler, webhook delivery, "
    "feed relay), sharing the database; the engine is restarted if it dies. 2 helps a 2-core box under "
    "sustained load (bench/mixed_load.py, 32 clients, two runs: 1.37x and 2.38x the accepted sends of "
    "--workers 1, 455 and 0 refused with 429 against 14,376 and 7,824; 3 did worse, 0.66x). Fault rules are "
    "in the database, so every process applies the same ones")


def default_workers() -> int:
    """Serve's process count when neither --workers nor MOCKSERVER_WORKERS says: the engine gets a core of its
    own where there is a second one (README, Processes); one core gains nothing from a second process."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


def _bounded_int(text: str, low: int, high: int, what: str) -> int:
    """An argparse type's check: an integer in [low, high], else one line saying what was expected."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {what} ({low}-{high})") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{value} is not {what} ({low}-{high})")
    return value


def worker_count(text: str) -> int:
    """argparse type: 1..64 worker processes."""
    return _bounded_int(text, 1, 64, "a number of workers")


def port_number(text: str) -> int:
    """argparse type: a TCP port 0-65535 (0: any free port). Out of range, the OS would wrap it."""
    return _bounded_int(text, 0, 65535, "a port number")


def _add_address(cmd: argparse.ArgumentParser, what: str) -> None:
    cmd.add_argument("--host", default=None, help=f"{what} (default MOCKSERVER_HOST or 127.0.0.1)")
    cmd.add_argument("--port", type=port_number, default=None, help="port (default MOCKSERVER_PORT or 8000)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()  # asking for nothing is asking for help: exit 0
        return 0
    _drop_empty_env()
    try:
        if args.command == "healthcheck":
            return _healthcheck(args)
        if args.command == "db":
            return _db(args)
        return _serve(args)
    except KeyboardInterrupt:
        # Ctrl-C: uvicorn has already shut down cleanly, then re-raises the signal it caught.
        return 0
    except (CliError, StartupError) as exc:  # StartupError: e.g. a provider that cannot be imported
        print(f"mockserver: {exc}", file=sys.stderr)
        # Docker reserves a HEALTHCHECK's exit 2: an unusable setting there just means unhealthy.
        return 1 if args.command == "healthcheck" else 2


def _drop_empty_env() -> None:
    """Compose's `${VAR:-}` hands over an empty string for an unset variable: treat it as unset, for the
    core settings and for every provider's MOCKSERVER_<P>_* settings alike."""
    for key in [k for k, v in os.environ.items() if k.startswith(ENV_PREFIX) and v.strip() == ""]:
        del os.environ[key]


def _load(factory: Any) -> Any:
    """Call a settings-reading factory; a bad value becomes a CliError naming the variable."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from mockserver.settings import explain_settings_error

    try:
        return factory()
    except (ValidationError, SettingsError) as exc:
        raise CliError(explain_settings_error(exc)) from None


def _serve(args: argparse.Namespace) -> int:
    from mockserver.settings import Settings

    settings = _load(Settings)
    from mockserver.startup import provider_problem, unknown_variable_warnings

    for warning in unknown_variable_warnings(dict(os.environ)):
        print(warning, file=sys.stderr, flush=True)
    problem = provider_problem(settings)
    if problem:
        raise CliError(problem)
    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    # Bind first: with the port taken, nothing (database, fixtures, scheduler) should have started.
    sock = bind_socket(host, port)
    workers = args.workers or settings.workers or default_workers()
    if workers > 1 and settings.database_url.startswith("sqlite:") and settings.sqlite_path() is None:
        print("mockserver: warning: an in-memory database cannot be shared by processes; serving with --workers 1",
              file=sys.stderr, flush=True)
        workers = 1
    if workers > 1:
        return _serve_workers(settings, sock, host, workers, args.log_level)
    import uvicorn

    app = _build_app(settings)
    config = uvicorn_config(app, settings, host, port, args.log_level)
    freeze_startup_heap()
    from mockserver.startup import other_server_warning, start_lines

    lock, warning = other_server_warning(settings)  # `lock` is held until the server returns
    print("\n".join(start_lines(settings, host, sock.getsockname()[1])), flush=True)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    # uvicorn shuts down on SIGTERM, then raises it again: end with 0 (as for Ctrl-C), not killed by a signal.
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.Server(config).run(sockets=[sock])
    del lock
    return 0


def _stopped(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def _serve_workers(settings: Any, sock: socket.socket, host: str, workers: int, log_level: str) -> int:
    """`serve --workers N`: check the database here (a bad one stops the start with one line, as with
    one process), then let the supervisor run the children. The serving lock is this parent's, so the
    children, which share the file on purpose, never warn about each other."""
    from mockserver.core import fixtures
    from mockserver.core.db.connect import open_database
    from mockserver.startup import check_provider_settings, other_server_warning, start_lines
    from mockserver.supervisor import Supervisor

    _load(lambda: check_provider_settings(settings))
    with _startup_errors(settings):
        fixtures.check_dir(settings.fixtures_dir or fixtures.bundled_dir())
        open_database(settings).close()  # migrates the schema once, before any child opens it
    lock, warning = other_server_warning(settings)
    print("\n".join(start_lines(settings, host, sock.getsockname()[1])), flush=True)
    print(f"  workers   {workers - 1} API + 1 engine process", flush=True)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    code = Supervisor(settings, sock, workers, log_level).run()
    del lock
    return code


def _db(args: argparse.Namespace) -> int:
    """`mockserver db upgrade | current | history` for operators: what ran, where the database is, what exists."""
    from mockserver.core.db import migrate
    from mockserver.settings import Settings

    if args.action == "history":
        print("\n".join(migrate.history()))
        return 0
    overrides = {} if args.database_url is None else {"database_url": args.database_url}
    settings = _load(lambda: Settings(**overrides))
    try:
        target = migrate.target_of(settings)
        if args.action == "current":
            print(migrate.current(target))
            return 0
        ran = migrate.upgrade(target)
    except (migrate.SchemaTooNew, ValueError) as exc:
        raise CliError(str(exc)) from None
    print("\n".join(ran) if ran else f"already at {migrate.head()} (head)")
    return 0


def _build_app(settings: Any) -> Any:
    """create_app, with what stops a start (a newer schema, an unusable fixtures folder, a database that
    cannot be opened) turned into a one-line CliError."""
    from mockserver.app import create_app

    with _startup_errors(settings):
        return _load(lambda: create_app(settings))  # provider settings are read here


@contextlib.contextmanager
def _startup_errors(settings: Any) -> Iterator[None]:
    """What stops a start (a newer schema, an unusable fixtures folder, a database that cannot be
    opened) turned into a one-line CliError."""
    from mockserver.core.db.migrate import SchemaTooNew
    from mockserver.core.fixtures import FixturesError

    try:
        yield
    except (SchemaTooNew, FixturesError) as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"cannot open the database: {exc}") from None
    except Exception as exc:  # psycopg's and sqlite3's own errors (they are not OSError)
        if type(exc).__module__.split(".")[0] not in ("psycopg", "sqlite3"):
            raise
        from mockserver.startup import database_label

        reason = " ".join(str(exc).split())
        raise CliError(f"cannot open the database {database_label(settings)}: {reason}") from None


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port, or a CliError saying why not (port in use, bad address)."""
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                          flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, OverflowError) as exc:
        raise CliError(f"cannot bind {host}:{port}: {exc}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CliError(f"port {port} is in use on {host} (choose another with --port or MOCKSERVER_PORT)") from None
        raise CliError(f"cannot bind {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def _display(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def health_url(host: str, port: int) -> str:
    """Where a server bound to host:port answers health; a wildcard bind is reached over loopback."""
    target = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://{_display(target)}:{port}/_mock/health"


def _healthcheck(args: argparse.Namespace) -> int:
    import urllib.request

    from mockserver.settings import Settings

    if args.url:
        url = args.url
    else:
        settings = _load(Settings)
        url = health_url(args.host or settings.host, settings.port if args.port is None else args.port)
    try:
        with urllib.request.urlopen(url, timeout=4) as resp:
            return 0 if resp.status == 200 else 1
    except OSError as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

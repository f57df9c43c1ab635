"""Errors that stop the server before it serves anything: `mockserver serve` prints them as one line and
exits 2. They live outside the packages that raise them, so the CLI can catch them without importing those."""

from __future__ import annotations


class StartupError(Exception):
    """A reason the sandbox cannot start, worded for a person in one line."""


class ProviderImportError(StartupError, ImportError):
    """A registered provider whose package cannot be imported. Starting without it would hide the vendor
    from users and skip its tests, so the registry raises instead of dropping it."""

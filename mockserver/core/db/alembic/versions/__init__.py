"""Alembic revisions, oldest first by number; 0001-0005 are the five versions of the runner they replaced."""

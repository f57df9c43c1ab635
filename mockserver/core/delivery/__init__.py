"""Webhook delivery internals: the HTTP client that posts one attempt, and per-host lanes."""

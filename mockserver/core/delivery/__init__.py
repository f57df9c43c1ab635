"""Webhook delivery: the dispatcher (outbox pump), its retry rule, per-host lanes, callback URL checks and the HTTP client."""

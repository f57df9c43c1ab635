"""Secrets out of a journaled request (core/journal.py): headers, query and form/JSON fields whose names
say key, token, secret, password, signature or auth are shown as a prefix and their last 4 characters,
and every such value is masked wherever else it appears (the body, the answer). Names, not vendors."""

from __future__ import annotations

import base64
import binascii
import json
import re
import urllib.parse
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.core.journal import Entry

BODY_KEEP = 64 * 1024  # bytes of a request body stored (its full size is recorded)
#: The words that make a name a secret's; `_may_name_secret` tests them before any regex runs.
SECRET_WORDS = ("auth", "key", "token", "secret", "passw", "signature", "cookie", "session", "credential")
SECRET_NAME = re.compile("|".join(SECRET_WORDS), re.I)
#: Header names that carry a credential without saying so.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
#: Named like a secret, but not one: shown as sent.
NOT_SECRET = frozenset({"idempotency-key", "keep-alive"})
SHORTEST_SECRET = 6  # shorter values are masked where named, not searched for elsewhere


def mask(value: str) -> str:
    """`sk_l…1a2b`: enough to tell keys apart, never enough to use one."""
    if len(value) >= 16:
        return f"{value[:4]}…{value[-4:]}"
    if len(value) >= 9:
        return f"…{value[-4:]}"
    return "…" if value else ""


def _credential(value: str, found: set[str]) -> str:
    """An Authorization-style value: the scheme stays, the credential is masked (Basic's parts too)."""
    scheme, sep, cred = value.partition(" ")
    if not sep:
        found.add(value)
        return mask(value)
    found.add(cred.strip())
    if scheme.lower() == "basic":
        try:
            found.update(p for p in base64.b64decode(cred.strip(), validate=True).decode("utf-8").split(":", 1) if p)
        except (binascii.Error, UnicodeDecodeError):
            pass
    return f"{scheme} {mask(cred.strip())}"


def headers(raw: list, found: set[str]) -> dict[str, str]:
    """ASGI headers as a JSON-ready dict (lower-case names, repeats joined by ", "), secrets masked."""
    out: dict[str, str] = {}
    for name_b, value_b in raw:
        name, value = name_b.decode("latin-1").lower(), value_b.decode("latin-1")
        if name in ("cookie", "set-cookie"):
            value = "; ".join(_pair(part.strip(), found, force=True) for part in value.split(";"))
        elif _secret_header(name):
            value = _credential(value, found) if name.endswith("authorization") else _secret(value, found)
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


@lru_cache(maxsize=1024)
def _secret_header(name: str) -> bool:
    """Header names repeat from request to request: decide each once."""
    return name not in NOT_SECRET and (name in SECRET_HEADERS or SECRET_NAME.search(name) is not None)


def _secret(value: str, found: set[str]) -> str:
    found.add(value)
    return mask(value)


def _pair(part: str, found: set[str], force: bool = False) -> str:
    name, sep, value = part.partition("=")
    if sep and value and (force or SECRET_NAME.search(urllib.parse.unquote_plus(name))):
        found.add(urllib.parse.unquote_plus(value))
        shown = urllib.parse.quote(mask(urllib.parse.unquote_plus(value)), safe="").replace("%E2%80%A6", "…")
        return f"{name}={shown}"
    return part


def query(raw: str, found: set[str]) -> str:
    """A query string (or form body) with secret-named parameters masked."""
    return "&".join(_pair(part, found) for part in raw.split("&")) if raw else ""


def json_fields(value: Any, found: set[str]) -> Any:
    """A parsed JSON body with secret-named string fields masked (any depth)."""
    if isinstance(value, dict):
        return {k: (_secret(v, found) if isinstance(v, str) and SECRET_NAME.search(str(k)) else json_fields(v, found))
                for k, v in value.items()}
    if isinstance(value, list):
        return [json_fields(v, found) for v in value]
    return value


def body(raw: bytes, content_type: str, found: set[str]) -> tuple[str, str]:
    """(text, encoding): UTF-8 text with secret fields masked, or base64 for bytes that are not text."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), "base64"
    if "json" in content_type and text.lstrip()[:1] in ("{", "[") and _may_name_secret(text):
        # Parsed only when some text could name a secret field: most sends hold none.
        try:
            parsed = json.loads(text)
            masked = json_fields(parsed, found)
            return (text if masked == parsed else json.dumps(masked, ensure_ascii=False)), "utf-8"
        except ValueError:
            return text, "utf-8"  # cut at the limit, or not JSON: kept as sent, masked below
    if "x-www-form-urlencoded" in content_type:
        return query(text, found), "utf-8"
    return text, "utf-8"


def _may_name_secret(text: str) -> bool:
    """SECRET_NAME.search(text), as substring scans of the case-folded text (casefold, not lower: re.I
    also matches "ſ" for "s"): a case-insensitive
    alternation steps through every position of a body (~30 us for a 100-byte send, most of the
    journal's CPU per request); nine `in` scans cost ~1 us and say no for most sends."""
    folded = text.casefold()
    return any(word in folded for word in SECRET_WORDS)


def scrub(text: str, secrets: list[str]) -> str:
    """Every found secret masked wherever it still appears (an echo in the answer, a body cut mid-JSON)."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, mask(secret))
    return text


def _searchable(found: set[str]) -> list[str]:
    """The secrets worth looking for elsewhere, longest first (a secret containing another goes first)."""
    return sorted((s for s in found if len(s) >= SHORTEST_SECRET), key=len, reverse=True)


def row(entry: Entry) -> dict[str, Any]:
    """The stored row of one entry (core/store/journal.py columns), every secret masked."""
    found: set[str] = set()
    req_headers = headers(entry.headers, found)
    q = query(entry.query.decode("latin-1"), found)
    text, encoding = body(b"".join(entry.body)[:BODY_KEEP], req_headers.get("content-type", ""), found)
    answer_headers = headers(entry.response_headers, found)
    answer = b"".join(entry.response).decode("utf-8", "replace")
    secrets = _searchable(found)
    return {
        "at": entry.at, "received_at": entry.received_at, "provider": entry.provider, "account_id": entry.account_id,
        "method": entry.method, "path": scrub(entry.path, secrets), "query": scrub(q, secrets),
        "headers": json.dumps(req_headers, ensure_ascii=False), "body": scrub(text, secrets) if encoding == "utf-8"
        else text, "body_encoding": encoding, "body_size": entry.body_size, "status": entry.status,
        "response_headers": json.dumps(answer_headers, ensure_ascii=False), "response_body": scrub(answer, secrets),
        "response_size": entry.response_size, "latency_ms": round(entry.latency_ms, 3),
        "message_ids": f",{','.join(str(i) for i in entry.message_ids)}," if entry.message_ids else "",
        "remote": entry.remote,
    }

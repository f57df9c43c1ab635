"""The shared provider layer's pure pieces: CIDR allow-lists, constant-time secrets, Retry-After bounds."""

from __future__ import annotations

from mockserver.core.ratelimit import RateLimiter
from mockserver.providers.auth import ip_allowed, same_secret
from mockserver.providers.http import MAX_RETRY_AFTER, refill_seconds, retry_after


def test_allowlist_matches_single_addresses_and_cidr_networks() -> None:
    assert ip_allowed("10.1.2.3", ["10.0.0.0/8"])
    assert ip_allowed("127.0.0.1", ["127.0.0.1"])
    assert ip_allowed("2001:db8::5", ["2001:db8::/32"])
    assert not ip_allowed("192.168.1.1", ["10.0.0.0/8", "127.0.0.1"])


def test_allowlist_ignores_bad_entries_and_bad_client_addresses() -> None:
    assert not ip_allowed("10.1.2.3", ["not-an-ip", ""])
    assert ip_allowed("10.1.2.3", ["garbage", "10.1.2.3/32"])
    assert not ip_allowed("testclient", ["0.0.0.0/0"])


def test_same_secret_compares_whole_values() -> None:
    assert same_secret("abc", "abc")
    assert not same_secret("abc", "abcd")
    assert not same_secret(None, "x")
    assert same_secret(None, "")


def test_retry_after_is_whole_seconds_between_one_and_an_hour() -> None:
    assert retry_after(0.01) == 1
    assert retry_after(1.2) == 2
    assert retry_after(86_400) == MAX_RETRY_AFTER == 3600


def test_refill_seconds_of_a_slow_bucket() -> None:
    assert refill_seconds(RateLimiter(0.5, 1, lambda: 0.0)) == 2.0

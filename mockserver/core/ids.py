"""The only source of randomness: one seeded generator for ids, tokens and Faker data."""

from __future__ import annotations

import random
import threading
from typing import Callable

from faker import Faker


class Ids:
    """Deterministic ids when seeded, so a test run replays identically."""

    def __init__(self, seed: int | None, now: Callable[[], float]) -> None:
        self._seed = seed
        self._salt = 0
        self._now = now
        self._lock = threading.Lock()
        self.reset()

    def reseed(self, salt: int) -> None:
        """Derive a different (still deterministic) sequence from the same seed."""
        self._salt = salt
        self.reset()

    def reset(self) -> None:
        with self._lock:
            seed = self._seed if self._seed is None or not self._salt else f"{self._seed}:{self._salt}"
            self._rng = random.Random(seed)
            self._faker = Faker()
            self._faker.seed_instance(self._rng.getrandbits(32))
            self._snowflake_seq = 0

    def bits(self, n: int) -> int:
        with self._lock:
            return self._rng.getrandbits(n)

    def hex(self, chars: int) -> str:
        return f"{self.bits(chars * 4):0{chars}x}"

    def digits(self, count: int) -> str:
        with self._lock:
            return "".join(self._rng.choice("0123456789") for _ in range(count))

    def uuid7(self) -> str:
        """RFC 9562 UUIDv7: 48-bit unix ms from the clock, version 7, variant 10, random rest."""
        ms = int(self._now() * 1000) & ((1 << 48) - 1)
        rand_a = self.bits(12)
        rand_b = self.bits(62)
        value = (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def snowflake(self) -> int:
        """A 19-digit, time-ordered numeric id like EngageLab's plan and message ids."""
        with self._lock:
            self._snowflake_seq = (self._snowflake_seq + 1) & 0xFFF
            seq = self._snowflake_seq
        ms = int(self._now() * 1000) - 1_288_834_974_657
        return (ms << 22) | (self.bits(10) << 12) | seq

    @property
    def faker(self) -> Faker:
        return self._faker

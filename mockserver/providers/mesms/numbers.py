"""Thai mobile numbers at scale: validate, normalise to 66XXXXXXXXX and de-duplicate up to 2M numbers.

Rule (DESIGNED from the vendor's `66XXXXXXXXX or 0XXXXXXXXX`): an optional '+', then 66 or 0, then a
mobile prefix 6, 8 or 9 and eight more ASCII digits. Anything else is counted invalid per recipient.
Work is done with C-speed regexes over joined slices (not phonenumbers per number), and in slices
so a worker thread gives the event loop the GIL back between them.
"""

from __future__ import annotations

import re
from itertools import repeat
from dataclasses import dataclass, field

_VALID = re.compile(r"^\+?(?:66|0)([689][0-9]{8})$", re.M)
_INVALID = re.compile(r"^(?!\+?(?:66|0)[689][0-9]{8}$).*$", re.M)
_ONE = re.compile(r"\+?(?:66|0)([689][0-9]{8})")
#: Items per C call (regex, join, set update). 100,000 held the GIL up to ~60 ms at a time during a
#: 2M-number send; 10,000 keep each call to a few ms, at no measurable cost in total time.
SLICE = 10_000


@dataclass
class Numbers:
    """Valid national parts (without 66), in first-seen order, and the invalid inputs."""

    national: list[str] = field(default_factory=list)  # unique
    invalid: list[str] = field(default_factory=list)  # unique
    received: int = 0

    @property
    def accepted(self) -> int:
        return len(self.national)

    @property
    def duplicates(self) -> int:
        return self.received - len(self.national) - len(self.invalid)

    def extend(self, other: "Numbers") -> "Numbers":
        """This set followed by `other`'s numbers, duplicates removed."""
        return Numbers(_ordered_unique(self.national + other.national),
                       _ordered_unique(self.invalid + other.invalid), self.received + other.received)

    def json_array(self) -> str:
        """The accepted numbers as a JSON array of 66XXXXXXXXX strings (digits need no escaping), joined
        slice by slice (one join of 2M strings held the GIL ~45-70 ms)."""
        if not self.national:
            return "[]"
        nat = self.national
        return '["66' + '","66'.join('","66'.join(nat[i:i + SLICE]) for i in range(0, len(nat), SLICE)) + '"]'

    def release(self) -> None:
        """Drop the accepted numbers (once json_array has them) slice by slice: freeing a 2M-string
        list in one go held the GIL ~20 ms. `accepted` reads 0 afterwards."""
        while self.national:
            del self.national[-SLICE:]

    def msisdns(self) -> list[str]:
        return ["66" + n for n in self.national]


def normalise(number: str) -> str | None:
    """66XXXXXXXXX for a Thai mobile in either accepted form, else None."""
    m = _ONE.fullmatch(number) if isinstance(number, str) else None
    return "66" + m.group(1) if m else None


def classify(items: list, consume: bool = False) -> Numbers:
    """Split `items` (strings) into valid Thai mobiles and invalid entries; raises TypeError on a non-string.

    With `consume`, each slice of `items` is set to None once classified: for a 2M-number send the input
    strings (~130 MB) are freed while the normalised ones and the duplicate set grow, which lowers the
    request's peak memory by about that much (bench/mesms_scale.py)."""
    good: list[str] = []
    bad: list[str] = []
    seen: list[set[str]] = [set()]
    repeated = False
    for start in range(0, len(items), SLICE):
        chunk = items[start:start + SLICE]
        joined = "\n".join(chunk)  # TypeError for a non-string item
        found = _VALID.findall(joined)
        if len(found) != len(chunk):  # some invalid (rare): the second pass finds them
            wrong = _INVALID.findall(joined)
            if len(found) + len(wrong) != len(chunk):  # an item holding a newline: one by one
                found, wrong = [], []
                for item in chunk:
                    m = _ONE.fullmatch(item)
                    (found.append(m.group(1)) if m else wrong.append(item))
            bad.extend(wrong)
        # A set answers "any duplicate?" ~2.5x faster than an ordered dict, slice by slice so the
        # GIL is never held long; most lists have no duplicate and skip the ordered pass.
        if not repeated:
            repeated = _seen_before(seen, found)
        good.extend(found)
        if consume:
            items[start:start + SLICE] = repeat(None, len(chunk))
    del seen
    return Numbers(_ordered_unique(good) if repeated else good, _ordered_unique(bad), len(items))


#: Numbers per duplicate-check set. One set of 2M grew its table in single C calls of ~50 ms (the GIL
#: held throughout); capped sets stop before their last big growth, and a new slice is checked
#: against the full ones with isdisjoint (C speed, ~1M lookups for 2M numbers).
SEEN_CAP = 1_200_000


def _seen_before(seen: list[set[str]], found: list[str]) -> bool:
    """Whether `found` repeats a number of its own or one already in `seen`; adds it to the last set."""
    if any(not full.isdisjoint(found) for full in seen[:-1]):
        return True
    current = seen[-1]
    before = len(current)
    current.update(found)
    if len(current) >= SEEN_CAP:
        seen.append(set())
    return len(current) - before != len(found)


def _ordered_unique(items: list[str]) -> list[str]:
    out: dict[str, None] = {}
    for start in range(0, len(items), SLICE):
        out.update(dict.fromkeys(items[start:start + SLICE]))
    return list(out)

import pytest

from mockserver.core.segments import Encoding, Segmentation, is_gsm7, segment

THAI = "ก"  # one BMP char, UCS-2
EMOJI = "😀"  # astral char, a UTF-16 surrogate pair

CASES = [
    # id, text, encoding, units, parts, per_part
    ("empty", "", Encoding.GSM7, 0, 1, 160),
    ("hello", "hello", Encoding.GSM7, 5, 1, 160),
    ("gsm-160", "a" * 160, Encoding.GSM7, 160, 1, 160),
    ("gsm-161", "a" * 161, Encoding.GSM7, 161, 2, 153),
    ("gsm-306", "a" * 306, Encoding.GSM7, 306, 2, 153),
    ("gsm-307", "a" * 307, Encoding.GSM7, 307, 3, 153),
    ("gsm-basic-non-ascii", "Ça coûte 5£ @ Ørsted ¿¡ΔΩ", Encoding.UCS2, 25, 1, 70),
    ("gsm-basic-accents", "Ç é ü à Ø Δ Ω ¿ ¡ § ¤", Encoding.GSM7, 21, 1, 160),
    ("ext-80-euro", "€" * 80, Encoding.GSM7, 160, 1, 160),
    ("ext-81-euro", "€" * 81, Encoding.GSM7, 162, 2, 153),
    ("ext-brackets", "[a]{b}", Encoding.GSM7, 10, 1, 160),
    ("ext-formfeed", "a\x0cb", Encoding.GSM7, 4, 1, 160),
    ("ext-152+euro", "a" * 152 + "€", Encoding.GSM7, 154, 1, 160),  # 154 <= 160: still 1 part
    ("ext-159+euro", "a" * 159 + "€", Encoding.GSM7, 161, 2, 153),
    # 306 septets would be ceil(306/153) = 2 parts, but the € cannot straddle parts 1 and 2.
    ("ext-straddle", "a" * 152 + "€" + "a" * 152, Encoding.GSM7, 306, 3, 153),
    ("ext-no-straddle", "a" * 151 + "€" + "a" * 153, Encoding.GSM7, 306, 2, 153),
    ("thai-greeting", "สวัสดีครับ", Encoding.UCS2, 10, 1, 70),
    ("thai-70", THAI * 70, Encoding.UCS2, 70, 1, 70),
    ("thai-71", THAI * 71, Encoding.UCS2, 71, 2, 67),
    ("thai-134", THAI * 134, Encoding.UCS2, 134, 2, 67),
    ("thai-135", THAI * 135, Encoding.UCS2, 135, 3, 67),
    ("emoji-1", EMOJI, Encoding.UCS2, 2, 1, 70),
    ("emoji-35", EMOJI * 35, Encoding.UCS2, 70, 1, 70),
    ("emoji-36", EMOJI * 36, Encoding.UCS2, 72, 2, 67),
    ("mixed-emoji", "Hello 😀", Encoding.UCS2, 8, 1, 70),
    # 134 units would be 2 parts, but the surrogate pair cannot straddle parts 1 and 2.
    ("surrogate-straddle", THAI * 66 + EMOJI + THAI * 66, Encoding.UCS2, 134, 3, 67),
    ("lower-c-cedilla", "ç", Encoding.UCS2, 1, 1, 70),
    ("upper-c-cedilla", "Ç", Encoding.GSM7, 1, 1, 160),
    ("escape-char", "a\x1bb", Encoding.UCS2, 3, 1, 70),
    ("backtick", "`", Encoding.UCS2, 1, 1, 70),
]


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts", "per_part"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_segment(text: str, encoding: Encoding, units: int, parts: int, per_part: int) -> None:
    assert segment(text) == Segmentation(encoding, units, parts, per_part)


@pytest.mark.parametrize(
    ("text", "kwargs", "parts", "per_part"),
    [
        (THAI * 140, {"ucs2_multi": 70}, 2, 70),  # flat-70 rule
        (THAI * 141, {"ucs2_multi": 70}, 3, 70),
        ("a" * 200, {"gsm_single": 200}, 1, 200),
        ("a" * 201, {"gsm_single": 200, "gsm_multi": 100}, 3, 100),
        ("a" * 71, {"ucs2_single": 70}, 1, 160),  # UCS-2 limits do not affect GSM-7 text
    ],
    ids=["flat70-140", "flat70-141", "gsm-single-200", "gsm-multi-100", "ucs2-args-ignored"],
)
def test_custom_per_part(text: str, kwargs: dict[str, int], parts: int, per_part: int) -> None:
    result = segment(text, **kwargs)
    assert (result.parts, result.per_part) == (parts, per_part)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", True), ("Hello, world!", True), ("€[]{}", True), ("ç", False), ("สวัสดี", False),
     ("😀", False), ("\x1b", False), ("`", False)],
)
def test_is_gsm7(text: str, expected: bool) -> None:
    assert is_gsm7(text) is expected


def test_encoding_is_str() -> None:
    assert Encoding.GSM7 == "GSM-7" and Encoding.UCS2 == "UCS-2"

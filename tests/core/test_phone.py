import pytest

from mockserver.core.phone import ParsedNumber, carrier_mccmnc, digits_only, is_e164, parse


@pytest.mark.parametrize(
    ("number", "region"),
    [
        ("09171234567", "PH"),
        ("639171234567", "PH"),
        ("+639171234567", None),
        ("+63 917 123 4567", None),
        ("639171234567", None),  # international digits without '+'
    ],
)
def test_parse_ph(number: str, region: str | None) -> None:
    assert parse(number, region) == ParsedNumber(
        e164="+639171234567",
        region="PH",
        country_code=63,
        national="9171234567",
        is_valid=True,
        is_mobile=True,
    )


def test_parse_thai_mobile() -> None:
    p = parse("0812345678", "TH")
    assert p is not None
    assert (p.e164, p.region, p.country_code, p.national) == ("+66812345678", "TH", 66, "812345678")
    assert p.is_valid and p.is_mobile


def test_parse_invalid_but_parseable() -> None:
    p = parse("+63123")
    assert p is not None
    assert p.e164 == "+63123" and not p.is_valid and not p.is_mobile


@pytest.mark.parametrize(("number", "region"), [("garbage", "PH"), ("garbage", None), ("", "PH"), ("", None)])
def test_parse_unparseable(number: str, region: str | None) -> None:
    assert parse(number, region) is None


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+639171234567", True),
        ("+12025550123", True),
        ("+12345678", True),  # 8 digits, the minimum
        ("+123456789012345", True),  # 15 digits, the maximum
        ("+1234567", False),
        ("+1234567890123456", False),
        ("639171234567", False),
        ("+039171234567", False),
        ("+63 917 123 4567", False),
        ("+63917123456a", False),
        ("+६३९१७१२३४५६७", False),  # non-ASCII digits
        ("", False),
    ],
)
def test_is_e164(number: str, expected: bool) -> None:
    assert is_e164(number) is expected


def test_digits_only() -> None:
    assert digits_only("+63 (917) 123-4567") == "639171234567"
    assert digits_only("abc") == ""


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+639171234567", "51502"),  # Globe
        ("+639181234567", "51503"),  # Smart
        ("+66861234567", "52003"),  # AIS
        ("+66812345678", "52004"),  # True Move
        ("+12015550123", "310260"),  # US, carrier unknown
        ("+4915123456789", "26200"),  # DE, carrier not in the table: region MCC + "00"
        ("nonsense", None),
        ("", None),
        ("+999123456789", None),  # unassigned country code
    ],
)
def test_carrier_mccmnc(number: str, expected: str | None) -> None:
    assert carrier_mccmnc(number) == expected

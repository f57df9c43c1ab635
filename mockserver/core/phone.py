"""Phone number parsing, validation and a best-effort MCC/MNC lookup, independent of any provider."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType, carrier


@dataclass(frozen=True)
class ParsedNumber:
    e164: str  # "+639171234567"
    region: str | None  # "PH"
    country_code: int  # 63
    national: str  # national significant number, "9171234567"
    is_valid: bool  # phonenumbers.is_valid_number
    is_mobile: bool  # number type MOBILE or FIXED_LINE_OR_MOBILE


_E164_RE = re.compile(r"\+[1-9][0-9]{7,14}")
_NON_DIGITS_RE = re.compile(r"[^0-9]")
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})

# Documented fallback table (see README): phonenumbers knows carrier names but not MCC/MNC,
# so well-known carriers are mapped by region and a case-insensitive substring of the name.
CARRIER_MCCMNC: dict[str, list[tuple[str, str]]] = {
    "PH": [("globe", "51502"), ("smart", "51503"), ("sun", "51505"), ("dito", "51566")],
    "TH": [("ais", "52003"), ("dtac", "52005"), ("true", "52004")],
}
# Documented fallback table (see README): US numbers with an unknown carrier get this MCCMNC.
US_DEFAULT_MCCMNC = "310260"
# Documented fallback table (see README): MCC per region, reported with MNC "00" when the
# carrier is unknown or unmapped.
REGION_MCC: dict[str, str] = {
    "PH": "515", "TH": "520", "US": "310", "GB": "234", "CN": "460",
    "SG": "525", "MY": "502", "ID": "510", "VN": "452", "IN": "404",
    "PK": "410", "AU": "505", "DE": "262", "FR": "208", "JP": "440",
}


def is_e164(number: str) -> bool:
    """Syntactic check only: '+' then 8..15 digits, the first 1-9."""
    return _E164_RE.fullmatch(number) is not None


def digits_only(number: str) -> str:
    return _NON_DIGITS_RE.sub("", number)


def _parse_raw(number: str, default_region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException:
        pass
    # SMS APIs commonly take international numbers without the '+' ("639171234567").
    stripped = number.strip()
    if default_region is None and stripped and not stripped.startswith("+"):
        try:
            return phonenumbers.parse("+" + stripped, None)
        except phonenumbers.NumberParseException:
            return None
    return None


def parse(number: str, default_region: str | None = None) -> ParsedNumber | None:
    """Parse `number`; None if it cannot be parsed at all (validity is reported, not enforced)."""
    p = _parse_raw(number, default_region)
    if p is None:
        return None
    region = phonenumbers.region_code_for_number(p)
    return ParsedNumber(
        e164=phonenumbers.format_number(p, phonenumbers.PhoneNumberFormat.E164),
        region=region if region and region != "ZZ" else None,
        country_code=p.country_code,
        national=phonenumbers.national_significant_number(p),
        is_valid=phonenumbers.is_valid_number(p),
        is_mobile=phonenumbers.number_type(p) in _MOBILE_TYPES,
    )


def carrier_mccmnc(number: str) -> str | None:
    """Best-effort MCCMNC for an E.164 number, from the fallback tables above; None if region unknown."""
    p = _parse_raw(number, None)
    if p is None:
        return None
    # Invalid numbers in shared country codes (+1) have no region; use the code's main region.
    region = phonenumbers.region_code_for_number(p) or phonenumbers.region_code_for_country_code(
        p.country_code
    )
    if not region or region == "ZZ":
        return None
    name = carrier.name_for_number(p, "en").lower()
    if name:
        for needle, mccmnc in CARRIER_MCCMNC.get(region, ()):
            if needle in name:
                return mccmnc
    if region == "US":
        return US_DEFAULT_MCCMNC
    mcc = REGION_MCC.get(region)
    return mcc + "00" if mcc else None


def written_forms(number: str) -> list[str]:
    """See _written_forms; cached because a local form parses against every country code (~8 ms) and
    tests poll the same number."""
    return list(_written_forms(number))


@lru_cache(maxsize=1024)
def _written_forms(number: str) -> tuple[str, ...]:
    """Every way a stored number may spell `number`: digits with and without '+', and for a local form
    (`09171234567`) each valid mobile one in any country (`639171234567`, `+639171234567`), and the
    reverse (`0` + national number). Lets a search match whatever form a provider stored."""
    digits = digits_only(number)
    if not digits:
        return ()
    local = number.strip().startswith("0") and not digits.startswith("00") and len(digits) > 1
    forms = {digits} if local else {digits, "+" + digits}
    if local:  # every country where it is a valid mobile number (SMS goes to mobiles)
        for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            parsed = parse(f"+{code}{digits[1:]}")
            if parsed is not None and parsed.is_valid and parsed.is_mobile:
                forms |= {parsed.e164, parsed.e164[1:]}
    else:
        parsed = parse("+" + digits)
        if parsed is not None and parsed.is_valid:
            forms.add("0" + parsed.national)
    return tuple(sorted(forms))

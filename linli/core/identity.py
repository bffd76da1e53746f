"""Resident identity numbers (居民身份证号码, GB 11643-1999): pure rules, no Django.

Validation, the old 15-digit conversion, the facts a number carries (birth
date, sex) and masking. Other documents (Hong Kong, Macao and Taiwan
residence permits starting 81/82/83, foreigners' permanent residence cards
starting 9, passports) are separate document types and are rejected here
with their own reason, so a clerk picks the right type instead of forcing
them through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# GB/T 2260 province-level prefixes of mainland counties.
PROVINCE_PREFIXES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
        "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
        "63", "64", "65",
    }
)  # fmt: skip
PERMIT_PREFIXES = frozenset({"81", "82", "83"})

# Stable reason codes; the UI translates them, the CLI prints them.
REASONS = {
    "empty": "no number given",
    "length": "an identity number has 18 characters (or 15 for the old cards)",
    "characters": "only digits, with X allowed as the last character",
    "address": "the first two digits are not a mainland province code",
    "residence_permit": "a Hong Kong, Macao or Taiwan residence permit, not an identity card",
    "foreigner_card": "a foreigner's permanent residence card, not an identity card",
    "birth_date": "characters 7-14 are not a real date",
    "future_birth_date": "the birth date is in the future",
    "checksum": "the check character does not match",
}


@dataclass(frozen=True)
class IdCheck:
    """The outcome of checking one number; ``number`` is the normalised 18-character form."""

    valid: bool
    reason: str | None
    number: str | None = None
    birth_date: date | None = None
    sex: str | None = None  # "male" | "female"

    def as_json(self) -> dict[str, object]:
        return {
            "valid": self.valid,
            "reason": self.reason,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
        }


def check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _birth_date(text: str) -> date | None:
    try:
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def upgrade_15(number: str) -> str:
    """Convert an old 15-digit number: insert "19" before the year, add the check character."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_character(first17)


# Full-width digits and x/X (what a Chinese input method types) map to ASCII; nothing else
# does. Python's str.isdigit() also accepts Arabic-Indic, Devanagari and other digits, which
# once let one person be registered twice (two spellings, two hashes).
_NORMALISE = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "ｘ": "X", "Ｘ": "X", "x": "X"}
)


def normalise_id_number(raw: str) -> str:
    """The canonical spelling of a typed number: surrounding spaces (full-width ones too)
    dropped, full-width digits and x/X made ASCII, x upper-cased (no other case change).
    Every other character is left as it is, for ``check_id_number`` to refuse as
    ``characters``. Idempotent."""
    return (raw or "").strip().translate(_NORMALISE)


def _ascii_digits(text: str) -> bool:
    return all("0" <= ch <= "9" for ch in text)


def check_id_number(raw: str, today: date | None = None) -> IdCheck:
    """Validate an identity number; accepts a lower-case x, surrounding spaces and full-width
    digits (normalised to ASCII by ``normalise_id_number``); any other non-ASCII character is
    refused with reason ``characters``."""
    today = today or datetime.now(SHANGHAI).date()  # the street's date, not the server's
    number = normalise_id_number(raw)
    if not number:
        return IdCheck(False, "empty")
    if not number.isascii():
        return IdCheck(False, "characters")
    if len(number) == 15:
        if not _ascii_digits(number):
            return IdCheck(False, "characters")
        if _birth_date("19" + number[6:12]) is None:
            return IdCheck(False, "birth_date")
        number = upgrade_15(number)
    if len(number) != 18:
        return IdCheck(False, "length")
    if not (_ascii_digits(number[:17]) and (_ascii_digits(number[17]) or number[17] == "X")):
        return IdCheck(False, "characters")
    prefix = number[:2]
    if prefix in PERMIT_PREFIXES:
        return IdCheck(False, "residence_permit")
    if prefix.startswith("9"):
        return IdCheck(False, "foreigner_card")
    if prefix not in PROVINCE_PREFIXES:
        return IdCheck(False, "address")
    born = _birth_date(number[6:14])
    if born is None or born.year < 1850:
        return IdCheck(False, "birth_date")
    if born > today:
        return IdCheck(False, "future_birth_date")
    if check_character(number[:17]) != number[17]:
        return IdCheck(False, "checksum")
    sex = "male" if int(number[16]) % 2 == 1 else "female"
    return IdCheck(True, None, number=number, birth_date=born, sex=sex)


def mask_id_number(number: str) -> str:
    """First 6 + ******** + last 4: how staff screens show a number by default."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "********" + number[-4:]


def mask_phone(phone: str) -> str:
    """138****5678: keep the operator prefix and the last four digits of a mobile number.

    At least half of a number stays hidden: a landline (8 digits) shows its last four only,
    and anything shorter shows nothing.
    """
    digits = phone.strip()
    if len(digits) < 8:
        return "*" * len(digits)
    if len(digits) < 11:
        return "*" * (len(digits) - 4) + digits[-4:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name_public(name: str) -> str:
    """Surname + *: how public screens show a name (two-character surnames kept whole)."""
    name = name.strip()
    if not name:
        return ""
    double_surnames = (
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
    )
    surname = name[:2] if name[:2] in double_surnames else name[:1]
    return surname + "*" * max(1, len(name) - len(surname))


def age_on(birth: date, on: date) -> int:
    """Whole years of age on a date (for the 60+ green lane and age bands)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_band(birth: date, on: date) -> str:
    """Ten-year band such as "60-69": kept instead of the birth date where that is enough."""
    age = age_on(birth, on)
    low = (age // 10) * 10
    return f"{low}-{low + 9}"

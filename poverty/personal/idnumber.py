"""Resident identity card numbers (公民身份号码, GB 11643-1999).

18 characters: a 6-digit region code, an 8-digit birth date, a 3-digit sequence (odd for men,
even for women) and an ISO 7064 MOD 11-2 check character (0-9 or X).
"""

from __future__ import annotations

import datetime
import operator
import re
from typing import NamedTuple

from django.core.exceptions import ValidationError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# ASCII digits only: str's \d also takes full-width and other scripts' digits, whose keyed hash
# would differ from the same number typed in ASCII.
SHAPE = re.compile(r"^\d{17}[\dX]$", re.ASCII)
LEGACY = re.compile(r"^\d{15}$", re.ASCII)
# Full-width digits and X (a Chinese input method's) as the ASCII ones.
HALF_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
EARLIEST_BIRTH = datetime.date(1890, 1, 1)


# Digits weighed by their character codes, less what the codes add over the digits' values:
# no int() per digit (a roster import checks 300,000 numbers).
ZERO_WEIGHT = ord("0") * sum(WEIGHTS)


def check_char(first17: str) -> str:
    if len(first17) != len(WEIGHTS) or not (first17.isascii() and first17.isdigit()):
        raise ValueError("check_char needs the first 17 digits")
    return CHECK_CHARS[(sum(map(operator.mul, first17.encode(), WEIGHTS)) - ZERO_WEIGHT) % 11]


def normalize(value: str) -> str:
    return (value or "").translate(HALF_WIDTH).strip().upper().replace(" ", "")


def searched_for(value: str) -> str | None:
    """The ID number a search box's text is (normalised: 18 characters or the old 15 digits),
    None for a name or a code. Such a search matches by the number's keyed hash, and is sent
    by POST, never in an address."""
    number = normalize(value)
    return number if SHAPE.match(number) or LEGACY.match(number) else None


class IdInfo(NamedTuple):
    number: str
    birth_date: datetime.date
    gender: str  # "male" / "female", the codes of households.choices.Gender


def birth_date_of(number: str) -> datetime.date | None:
    digits = number[6:14]
    if len(digits) != 8 or not (digits.isascii() and digits.isdigit()):
        return None
    try:
        return datetime.date.fromisoformat(digits)  # YYYYMMDD, checked as a date
    except ValueError:
        return None


def parse(value: str, *, today: datetime.date | None = None) -> IdInfo:
    """The number's birth date and gender, or ValidationError with a Chinese reason."""
    number = normalize(value)
    if LEGACY.match(number):
        raise ValidationError("这是15位旧身份证号码，请换成18位号码。", code="legacy")
    if not SHAPE.match(number):
        raise ValidationError("身份证号码应为18位：17位数字加1位数字或X。", code="shape")
    birth = birth_date_of(number)
    today = today or datetime.date.today()
    if birth is None or not (EARLIEST_BIRTH <= birth <= today):
        raise ValidationError("身份证号码中的出生日期无效。", code="birth_date")
    if check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号码校验位错误，请核对。", code="check_digit")
    gender = "male" if int(number[16]) % 2 else "female"
    return IdInfo(number=number, birth_date=birth, gender=gender)


def is_valid(value: str) -> bool:
    try:
        parse(value)
    except ValidationError:
        return False
    return True


def make(region: str, birth: datetime.date, sequence: int) -> str:
    """A valid number from its parts (demo data and tests)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)

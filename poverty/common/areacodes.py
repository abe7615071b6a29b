"""The structure of the 12-digit 统计用区划代码: which level a code is, its prefix, its ancestors.

Province 2 digits, city 4, county 6, township 9, village 12; the rest is zero-padded. "Everything
under an area" is then a prefix match on the code, which an ordinary index answers at any level.
"""

import re

CODE_LENGTH = 12
# (level, significant digits), top down.
LEVEL_DIGITS: tuple[tuple[str, int], ...] = (
    ("province", 2),
    ("city", 4),
    ("county", 6),
    ("township", 9),
    ("village", 12),
)
_DIGITS = dict(LEVEL_DIGITS)
_CODE_RE = re.compile(r"^\d{12}$")


def is_valid_code(code: str) -> bool:
    return bool(_CODE_RE.match(code or "")) and code[:2] != "00"


def level_of(code: str) -> str:
    """The level a well-formed code stands for, read from its trailing zeros."""
    for level, digits in LEVEL_DIGITS:
        if code[digits:] == "0" * (CODE_LENGTH - digits):
            return level
    raise ValueError(code)  # unreachable for a 12-digit code


def prefix_of(code: str) -> str:
    """The significant digits: every area under this one has a code starting with them."""
    return code[: _DIGITS[level_of(code)]]


def digits_of(level: str) -> int:
    return _DIGITS[level]


def ancestor_codes(code: str) -> list[str]:
    """Codes of the areas above this one, top down (not including itself)."""
    own = _DIGITS[level_of(code)]
    return [code[:digits].ljust(CODE_LENGTH, "0") for _, digits in LEVEL_DIGITS if digits < own]


def parent_code(code: str) -> str | None:
    ancestors = ancestor_codes(code)
    return ancestors[-1] if ancestors else None

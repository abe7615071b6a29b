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


# The statistics bureau names villages and townships by their committee or office; rosters
# and people use the short form (东关村村民委员会 -> 东关村, 南街社区居民委员会 -> 南街社区).
_LONG_SUFFIXES = (
    ("村民委员会", "村"),
    ("村委会", "村"),
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("街道办事处", "街道"),
    ("人民政府", ""),
)


def short_name(name: str) -> str:
    """The name rosters use for an area the bureau lists by its long name."""
    name = name.strip()
    for suffix, kind in _LONG_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            return base if not kind or base.endswith(kind) else base + kind
    return name


def padded_code(text: str) -> str | None:
    """A code as lists write it (110101, 110101001, 110101001001) as its 12 digits; None when it
    is no code at all."""
    text = text.strip()
    if not text.isdigit() or len(text) not in (2, 4, 6, 9, 12):
        return None
    code = text.ljust(CODE_LENGTH, "0")
    return code if is_valid_code(code) else None

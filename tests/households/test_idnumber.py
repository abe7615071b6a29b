"""Our GB 11643 validator against an independent implementation (python-stdnum's cn.ric)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from poverty.personal import idnumber

# Real region codes, so stdnum (which also checks the birth place) can judge the numbers.
REGIONS = ["110105", "110108", "310104"]


@given(
    region=st.sampled_from(REGIONS),
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
)
@settings(max_examples=300, deadline=None)
def test_generated_numbers_agree_with_stdnum(region, birth, seq):
    number = idnumber.make(region, birth, seq)
    assert number[-1] == ric.calc_check_digit(number)
    assert ric.is_valid(number)
    info = idnumber.parse(number)
    assert info.birth_date == ric.get_birth_date(number) == birth
    assert info.gender == ("male" if seq % 2 else "female")


@given(
    region=st.sampled_from(REGIONS),
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
    position=st.integers(min_value=6, max_value=17),
    digit=st.sampled_from("0123456789X"),
)
@settings(max_examples=300, deadline=None)
def test_a_changed_character_is_judged_like_stdnum_judges_it(region, birth, seq, position, digit):
    number = idnumber.make(region, birth, seq)
    changed = number[:position] + digit + number[position + 1 :]
    # Only the check character may be X.
    expected = False if position < 17 and digit == "X" else ric.is_valid(changed)
    assert idnumber.is_valid(changed) == expected, changed


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the standard's own example, check character X
        "310104198512120015",
        "110108198003070011",
        "110105200002290021",  # 29 February of a leap year
    ],
)
def test_hand_made_valid_numbers(number):
    assert ric.is_valid(number)
    assert idnumber.is_valid(number)
    assert idnumber.is_valid(number.lower())  # a lower-case x is accepted and normalised


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "校验位错误"),
        ("110105800307001", "15位"),
        ("11010519800307001", "18位"),
        ("11010519800307001A", "18位"),
        ("110105200102290028", "出生日期无效"),  # 2001 is no leap year
        ("110105209901010011", "出生日期无效"),  # born in the future
    ],
)
def test_hand_made_invalid_numbers_say_why(number, reason):
    assert not ric.is_valid(number) or reason == "出生日期无效"
    with pytest.raises(ValidationError) as exc:
        idnumber.parse(number)
    assert reason in exc.value.messages[0]


def test_full_width_digits_are_read_as_ascii_and_other_scripts_digits_refused():
    number = idnumber.make("110105", datetime.date(1949, 12, 31), 2)
    full_width = number[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "Ｘ"
    assert number.endswith("X")
    assert idnumber.parse(full_width).number == number  # one person, one keyed hash
    arabic_indic = number.replace("1", "\u0661")
    with pytest.raises(ValidationError, match="18位"):
        idnumber.parse(arabic_indic)
    with pytest.raises(ValueError):
        idnumber.check_char("\u0661" * 17)

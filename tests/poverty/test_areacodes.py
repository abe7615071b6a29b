import pytest

from poverty.common.areacodes import ancestor_codes, is_valid_code, level_of, parent_code, prefix_of


@pytest.mark.parametrize(
    ("code", "level", "prefix"),
    [
        ("140000000000", "province", "14"),
        ("141000000000", "city", "1410"),
        ("141028000000", "county", "141028"),
        ("141028100000", "township", "141028100"),
        ("141028100201", "village", "141028100201"),
    ],
)
def test_level_and_prefix_follow_the_trailing_zeros(code, level, prefix):
    assert level_of(code) == level
    assert prefix_of(code) == prefix


def test_ancestors_of_a_village_run_top_down():
    assert ancestor_codes("141028100201") == [
        "140000000000",
        "141000000000",
        "141028000000",
        "141028100000",
    ]
    assert parent_code("141028100201") == "141028100000"
    assert parent_code("140000000000") is None


@pytest.mark.parametrize(
    "code", ["", "14102810020", "1410281002011", "14102810020a", "000000000000"]
)
def test_malformed_codes_are_invalid(code):
    assert not is_valid_code(code)


@pytest.mark.parametrize(
    ("long", "short"),
    [
        ("东关村村民委员会", "东关村"),
        ("东关村民委员会", "东关村"),
        ("南街社区居民委员会", "南街社区"),
        ("南街居民委员会", "南街社区"),
        ("城关街道办事处", "城关街道"),
        ("城关镇人民政府", "城关镇"),
        ("东关村", "东关村"),
        ("村民委员会", "村民委员会"),
    ],
)
def test_the_bureaus_long_names_keep_their_short_form(long, short):
    from poverty.common.areacodes import short_name

    assert short_name(long) == short


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("110101", "110101000000"),
        ("110101001", "110101001000"),
        ("110101001001", "110101001001"),
        ("11010", None),
        ("00", None),
        ("abc", None),
    ],
)
def test_codes_as_lists_write_them_are_padded(text, code):
    from poverty.common.areacodes import padded_code

    assert padded_code(text) == code

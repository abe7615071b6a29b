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

"""Links to objects' own pages (poverty.common.links.object_url) are what reverse() gives, for
every detail page, at any id, under a script prefix too (a site served below /fupin/)."""

import pytest
from django.urls import NoReverseMatch, get_resolver, reverse, set_script_prefix

from poverty.common.links import object_url


def detail_pages() -> list[str]:
    """Every app's pages named *_detail, *_edit or *_card (each takes the id)."""
    return [
        f"{namespace}:{name}"
        for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items()
        for name in resolver.reverse_dict
        if isinstance(name, str) and name.endswith(("_detail", "_edit", "_card"))
    ]


def test_every_detail_page_link_is_the_reversed_url():
    pages = detail_pages()
    assert len(pages) > 40
    for name in pages:
        for pk in (1, 42, 10**12):
            assert object_url(name, pk) == reverse(name, args=[pk]), name


def test_a_script_prefix_is_kept():
    try:
        set_script_prefix("/fupin/")
        assert object_url("households:household_detail", 7) == reverse(
            "households:household_detail", args=[7]
        )
        assert object_url("households:household_detail", 7).startswith("/fupin/registry/")
    finally:
        set_script_prefix("/")
    assert object_url("households:household_detail", 7) == "/registry/households/7/"


def test_a_page_without_an_id_is_refused():
    with pytest.raises(NoReverseMatch):
        object_url("households:household_list", 7)

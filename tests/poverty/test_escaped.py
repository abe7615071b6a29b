"""poverty.common.text.escaped: the one escaping the pages written in Python use (filter-bar
options, the dashboard's battle map and tiles) writes what Django's conditional_escape writes."""

import datetime
from decimal import Decimal

import pytest
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from poverty.common.text import escaped


class Html:
    def __html__(self):
        return "<b>已转义</b>"


@pytest.mark.parametrize(
    "value",
    [
        "张三 <script>alert(1)</script> & '引号' \"双\"",
        mark_safe("<i>安全</i>"),
        format_html("<a href='{}'>{}</a>", "/x?a=1&b=2", "<李四>"),
        gettext_lazy("<未填>"),
        Html(),
        3,
        Decimal("1.50"),
        None,
        datetime.date(2026, 12, 3),
        "",
    ],
)
def test_writes_what_conditional_escape_writes(value):
    assert escaped(value) == str(conditional_escape(value))
    assert type(escaped(value)) in (str, type(mark_safe("")))


def test_a_name_typed_with_markup_is_shown_not_run_on_the_dashboard_and_in_filter_options():
    from poverty.common.widgets import FastSelect

    html = FastSelect(choices=[("1", "<img src=x onerror=alert(1)>王五")]).render("cadre", "1")
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;王五" in html

"""Table columns shared by every list page."""

from __future__ import annotations

import django_tables2 as tables
from django.template import defaultfilters
from django.utils.timezone import template_localtime
from django_tables2 import utils as tables_utils
from django_tables2.columns import library

from poverty.personal.masking import shown


class SensitiveColumn(tables.Column):
    """A phone or ID number: masked for users without the sensitive-data permission."""

    def __init__(self, *args, kind: str, **kwargs) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)

    def render(self, value, table):
        request = getattr(table, "request", None)
        return shown(value, self.kind, getattr(request, "user", None))


class DetailLinkColumn(tables.Column):
    """A "查看" link to the row's own page (for rows whose other columns link elsewhere)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("verbose_name", "")
        super().__init__(
            *args,
            empty_values=(),
            linkify=lambda record: record.get_absolute_url(),
            orderable=False,
            **kwargs,
        )

    def render(self) -> str:
        return "查看"


@library.register
class DateColumn(tables.DateColumn):
    """django-tables2's, without compiling its one-filter template (`{{ value|date:…|default:…
    }}`) anew for every cell: the findings list's dates cost 13 % of its CPU that way. Registered,
    so tables' automatic columns for date fields are these too."""

    def __init__(self, format=None, short=True, *args, **kwargs) -> None:
        super().__init__(format, short, *args, **kwargs)
        self.format = format or ("SHORT_DATE_FORMAT" if short else "DATE_FORMAT")

    def render(self, value, bound_column):
        return defaultfilters.date(value, self.format) or bound_column.default


@library.register
class DateTimeColumn(tables.DateTimeColumn):
    """The same for date-times, in local time as the template's `date` filter shows them."""

    def __init__(self, format=None, short=True, *args, **kwargs) -> None:
        super().__init__(format, short, *args, **kwargs)
        self.format = format or ("SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT")

    def render(self, value, bound_column):
        return defaultfilters.date(template_localtime(value), self.format) or bound_column.default


class DatedTable(tables.Table):
    """Postings and pairings: dates, and a link to the relation's own page."""

    start_date = DateColumn(format="Y-m-d")
    end_date = DateColumn(format="Y-m-d", default="在任")
    detail = DetailLinkColumn()


class ShortTextColumn(tables.Column):
    """Long free text cut to its first `length` characters in a list."""

    def __init__(self, *args, length: int = 40, **kwargs) -> None:
        self.length = length
        super().__init__(*args, **kwargs)

    def render(self, value):
        return value if len(value) <= self.length else value[: self.length] + "…"


def _memoize_signatures() -> None:
    """django-tables2 reads a render method's signature with `inspect.signature` for every cell
    (`utils.call_with_appropriate`); a signature does not change, so read each function's once.
    Keyed by the underlying function and whether it is bound, since binding drops `self`."""
    original = tables_utils.signature
    known: dict = {}

    def signature(fn):
        key = (getattr(fn, "__func__", fn), hasattr(fn, "__self__"))
        try:
            return known[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable callable
            return original(fn)
        if len(known) > 4096:  # partials made per call would otherwise pile up
            known.clear()
        known[key] = original(fn)
        return known[key]

    tables_utils.signature = signature


_memoize_signatures()

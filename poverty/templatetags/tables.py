"""The rows of a list table written in Python rather than by django-tables2's template loop.

The stock template renders each cell through several template nodes and recomputes the
column's <td> attributes for every cell: a page of 50 households cost ~1.7 ms a row, most of a
list page's time. `table_rows` writes exactly what that template writes (the equivalence is
tested on every list page), computing a column's <td> attributes once unless they depend on the
record, a plain column's cell straight from the row, and each cell as `{{ cell }}` would.
"""

from __future__ import annotations

import html
import inspect

import django_tables2 as tables
from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.base import render_value_in_context
from django.utils import formats
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django_tables2.columns.base import LinkTransform

register = template.Library()


def _record_dependent(table, column) -> bool:
    """Whether the column's <td> attributes are computed from each row (callables)."""
    attrs = {**table.attrs, **column.column.attrs}
    td = attrs.get("td", attrs.get("cell", {}))
    return any(callable(value) for value in td.values())


def _plain(column) -> tuple[str, bool] | None:
    """The name of the model attribute a column shows as it is, and whether it links to its
    own page (`linkify=True`); None where django-tables2 must compute the cell (another link, a
    render method, a path through relations, a column type of its own)."""
    accessor = str(column.accessor)
    if (
        type(column.column) is not tables.Column
        or getattr(column.render, "__func__", None) is not tables.Column.render
        or "__" in accessor
        or "." in accessor
    ):
        return None
    link = column.link
    if link is None:
        return accessor, False
    own_page = (
        type(link) is LinkTransform
        and link.url is None
        and not link.reverse_args
        and not link.attrs
        and str(link.accessor or column.name) == column.name == accessor
    )
    return (accessor, True) if own_page else None


def _cell_reader(model: type[models.Model], name: str):
    """What `BoundRow.get_cell` reads for a plain column of a model row, as a function of the
    row: a choice's label, else the attribute (called if callable). A field's labels are read
    once for the table, not once a row as Django's `get_FOO_display` does."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is not None and getattr(field, "choices", None):
        display = f"get_{name}_display"
        own = getattr(getattr(model, display, None), "_partialmethod", None)
        if own is not None and own.func is models.Model._get_FIELD_display:  # not overridden
            labels = dict(make_hashable(field.flatchoices))
            attname = field.attname

            def label(record):
                value = getattr(record, attname)
                return force_str(labels.get(make_hashable(value), value), strings_only=True)

            return label
        if hasattr(model, display):
            return lambda record: getattr(record, display)()

    def attribute(record):
        try:
            value = getattr(record, name)
            if callable(value):
                if getattr(value, "alters_data", False):
                    raise ValueError(name)
                if not inspect.isabstract(value):
                    value = value()
        except Exception:  # as django-tables2's Accessor: a missing value shows the default
            value = None
        return value

    return attribute


def _own_page_link(record: models.Model, name: str, content) -> str:
    """What django-tables2's LinkTransform writes for linkify=True: the value's own page if it
    has one (a related object's), else the row's."""
    value = getattr(record, name)
    if callable(value) and not isinstance(value, models.Model):
        value = value()  # as its accessor resolves it
    target = value if hasattr(value, "get_absolute_url") else record
    return format_html('<a href="{}">{}</a>', target.get_absolute_url(), content)


@register.simple_tag(takes_context=True)
def table_rows(context, table) -> str:
    columns = list(table.columns)
    fixed = {
        column.name: None if _record_dependent(table, column) else column.attrs["td"].as_html()
        for column in columns
    }
    plain = {column.name: _plain(column) for column in columns}
    readers: dict = {}  # (model, attribute): its cell reader
    parts = []
    autoescape = context.autoescape
    for row in table.paginated_rows:
        parts.append(f"<tr {row.attrs.as_html()}>")  # as_html escapes
        record = row.record if isinstance(row.record, models.Model) else None
        for column in columns:
            found = plain[column.name]
            if record is not None and found is not None:
                name, linked = found
                key = (type(record), name)
                if key not in readers:
                    readers[key] = _cell_reader(type(record), name)
                cell = readers[key](record)
                if cell in column.column.empty_values:
                    cell = column.default
                if linked and cell is not column.default:
                    cell = _own_page_link(record, name, cell)
            else:
                cell = row.get_cell(column.name)
            td = fixed[column.name]
            if td is None:
                column.current_value = cell
                column.current_record = row.record
                td = column.attrs["td"].as_html()
            if column.localize is not None:
                cell = str(formats.localize(cell, use_l10n=column.localize))
            # As {{ cell }} writes it (render_value_in_context), text the most common case: a
            # safe string as it is, a plain one escaped. td is escaped by as_html.
            kind = type(cell)
            if kind is SafeString:
                shown = cell
            elif kind is str and autoescape:
                shown = html.escape(cell)
            else:
                shown = render_value_in_context(cell, context)
            parts.append(f"<td {td}>{shown}</td>")
        parts.append("</tr>")
    if not parts and table.empty_text:
        parts.append(
            format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text)
        )
    return mark_safe("".join(parts))  # noqa: S308 -- every piece above is escaped

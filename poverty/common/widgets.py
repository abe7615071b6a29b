"""A choice among too many objects to list: a search box instead of a <select>.

A county's households run to tens of thousands, and a <select> of them made every form that
names a household (a finding, a pledge, a pairing, an income record...) a page of megabytes
that cost a query over the whole registry. `SearchSelect` renders a search box whose matches
come from a search page (htmx, `static/poverty/picker.js` puts a clicked match in place) and a
hidden input with the chosen id. What is typed is POSTed: an ID number stays out of the address
(access logs, proxies, the browser's history). Only the chosen object is read, to show its
label; the form field still validates the id against its own (area-scoped) queryset.

A model opts in with a `picker` attribute naming its search URL; ScopedModelForm then gives
every single-choice field over that model this widget. A form whose choices depend on another
field (a beneficiary's household on the project) points the widget at a narrower search page
and `forward`s that field: its current value goes along with every search.
"""

from __future__ import annotations

import html

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from poverty.common.text import escaped


class SearchSelect(forms.Widget):
    PLACEHOLDER = "输入户编号、姓名或身份证号搜索"
    # The box's own name: the field's and this. Never "q": a form may hold several boxes, and a
    # list's filter bar its own search named q, which a box's text must not replace.
    SUFFIX = "__search"

    def __init__(
        self, url_name: str, attrs=None, placeholder: str = PLACEHOLDER, forward=()
    ) -> None:
        super().__init__(attrs)
        self.url_name = url_name
        self.placeholder = placeholder
        self.forward = tuple(forward)  # names of the form's fields sent along with the query
        self.choices = ()  # a ModelChoiceField sets its ModelChoiceIterator here

    @classmethod
    def of(cls, model) -> SearchSelect:
        """The search box for a model that names its search page (`picker`), with its words."""
        return cls(model.picker, placeholder=getattr(model, "picker_placeholder", cls.PLACEHOLDER))

    def label_of(self, value) -> str:
        """The chosen object's label, as the field labels its choices ("" if none or unseen)."""
        field = getattr(self.choices, "field", None)
        if field is None or value in (None, ""):
            return ""
        try:
            chosen = field.queryset.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            return ""
        return field.label_from_instance(chosen) if chosen is not None else ""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        attrs = self.build_attrs(self.attrs, attrs)
        box = attrs.pop("id", None) or f"id_{name}"
        # The form's own classes (crispy's "is-invalid" on an error) and aria attributes go on
        # the box; the wrapper is marked too, so Bootstrap shows the error after it.
        classes = " ".join(dict.fromkeys(["form-control", *attrs.pop("class", "").split()]))
        invalid = " is-invalid" if "is-invalid" in classes.split() else ""
        for taken in ("name", "type", "value", "placeholder", "required"):
            attrs.pop(taken, None)
        if self.is_required:
            attrs["aria-required"] = "true"
        if self.forward:
            attrs["hx-include"] = ", ".join(f"[name='{field}']" for field in self.forward)
        value = self.format_value(value) or ""
        return format_html(
            '<div class="search-select{invalid}" data-search-select>'
            '<input type="hidden" name="{name}" value="{value}" data-search-value>'
            '<input type="search" id="{box}" class="{classes}" value="{label}" '
            'placeholder="{placeholder}" autocomplete="off" name="{name}{suffix}" '
            'hx-post="{url}" hx-trigger="input changed delay:300ms, search" '
            'hx-target="next [data-search-results]" hx-sync="this:replace"{extra}>'
            '<div class="list-group search-select-results" data-search-results></div>'
            "</div>",
            invalid=invalid,
            name=name,
            suffix=self.SUFFIX,
            value=value,
            box=box,
            classes=classes,
            label=self.label_of(value),
            placeholder=self.placeholder,
            url=reverse(self.url_name),
            extra=flatatt(attrs),
        )


class FastSelect(forms.Select):
    """A <select> written in Python: what Django's Select writes through the project's
    select.html, without building a dict and rendering template nodes per option. A filter bar
    lists every village and cadre of the user's area (a few hundred in a county, thousands in a
    province), and those options were most of a list page's time. Single choice only."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        attrs = self.build_attrs(self.attrs, attrs)
        values = self.format_value(value)
        parts = [format_html('<select name="{}"{}>', name, template_attrs(attrs))]
        chosen = False
        for group_value, group_label in self.choices:
            if isinstance(group_label, (list, tuple)):
                group, options = group_value, group_label
            else:
                group = None
                options = (("" if group_value is None else group_value, group_label),)
            if group:
                parts.append(format_html('\n  <optgroup label="{}">', group))
            for option_value, option_label in options:
                selected = not chosen and str(option_value) in values
                chosen = chosen or selected
                parts.append(
                    f'\n  <option value="{html.escape(str(option_value))}"'
                    f"{' selected' if selected else ''}>{escaped(option_label)}</option>"
                )
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 -- every piece above is escaped


def template_attrs(attrs: dict) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them: in order, True as a bare name,
    False left out (flatatt moves the bare names last and drops None)."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False
        ),
    )

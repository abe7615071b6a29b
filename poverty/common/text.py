"""Characters text may not hold: the C0 control characters other than tab and newline (and DEL).
Typed or pasted into a form (a bell, an escape sequence copied from a terminal) they cannot be
seen, and an .xlsx cannot hold them: one stored address would break every roster export of its
county. Forms, the API and imports refuse them (ScopedModel.clean_fields, the roster reader);
the Excel writer drops them from what was stored before."""

from __future__ import annotations

import html
import re

from django.utils.functional import Promise

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_problem(value: str) -> str | None:
    """Why the text is refused (the first control character and where), or None."""
    if value.isprintable():  # the common case, in C: no control character at all
        return None
    found = CONTROL.search(value)
    if found is None:
        return None  # only tabs, newlines or carriage returns
    return (
        f"第{found.start() + 1}个字符是看不见的控制字符（\\x{ord(found.group()):02x}），"
        "可能是从其他程序复制带入的，请删除后重新输入。"
    )


def without_control(value: str) -> str:
    return value if value.isprintable() else CONTROL.sub("", value)


def escaped(value) -> str:
    """What Django's conditional_escape() writes (a safe string as it is, anything else
    html.escape()d after str()), without wrapping the result in lazy text: pages that write
    hundreds of cells or options in Python (filter bars, the dashboard's battle map) call it per value,
    and the wrapper cost more than the escaping."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))

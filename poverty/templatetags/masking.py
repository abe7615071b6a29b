"""{% sensitive value "phone" %}: the value as the requesting user may see it."""

from django import template

from poverty.personal.masking import shown

register = template.Library()


@register.simple_tag(takes_context=True)
def sensitive(context, value, kind):
    request = context.get("request")
    return shown(value, kind, getattr(request, "user", None))

"""Evidence files on pages: through the scoped view (poverty.evidence), images as thumbnails that
open the full picture, anything else as a link."""

from django import template
from django.db.models.fields.files import FieldFile
from django.utils.html import format_html

from poverty import evidence

register = template.Library()


@register.filter
def evidence_url(file) -> str:
    return evidence.url_of(file)


@register.filter
def evidence_link(file, label: str = "附件") -> str:
    """A thumbnail linking to the image, or a link to the file; "" for none."""
    return evidence_html(file, label)


@register.filter
def shown(value, label: str = "附件"):
    """A detail page's value: a stored file as its evidence link (its field's label on it)."""
    if isinstance(value, FieldFile):
        return evidence_html(value, str(label)) if value else ""
    return value


def evidence_html(file, label: str = "附件") -> str:
    if not file:
        return ""
    try:
        url = evidence.url_of(file)
    except ValueError:  # not served as evidence (an import's own file has its own page)
        return "已上传"
    if evidence.is_image(file):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener" class="evidence">'
            '<img src="{}?thumb=1" alt="{}" loading="lazy" class="img-thumbnail evidence-thumb"></a>',
            url,
            url,
            label,
        )
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, label)

"""Masking filters for templates (the rules themselves live in portal.identity), and what
the shared form template asks of a form."""

from django import forms, template
from django.utils.safestring import SafeString, mark_safe

from portal import identity, richtext

register = template.Library()

register.filter("mask_name", identity.mask_name)
register.filter("mask_phone", identity.mask_phone)
register.filter("mask_id_number", identity.mask_id_number)


@register.filter
def has_required(form: forms.BaseForm) -> bool:
    """Whether the form shows a required field, so that the page explains the asterisk."""
    return any(field.field.required for field in form.visible_fields())


@register.filter
def rich_text(value: str | None) -> SafeString:
    """Stored rich text made safe again as it is shown (portal.richtext)."""
    return mark_safe(richtext.sanitize(value or ""))  # noqa: S308 - nh3 output is safe markup  # nosec B308, B703

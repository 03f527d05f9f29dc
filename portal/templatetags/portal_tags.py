"""Masking filters for templates (the rules themselves live in portal.identity), and what
the shared form template asks of a form."""

from django import forms, template

from portal import identity

register = template.Library()

register.filter("mask_name", identity.mask_name)
register.filter("mask_phone", identity.mask_phone)
register.filter("mask_id_number", identity.mask_id_number)


@register.filter
def has_required(form: forms.BaseForm) -> bool:
    """Whether the form shows a required field, so that the page explains the asterisk."""
    return any(field.field.required for field in form.visible_fields())

"""Masking filters for templates; the rules themselves live in portal.identity."""

from django import template

from portal import identity

register = template.Library()

register.filter("mask_name", identity.mask_name)
register.filter("mask_phone", identity.mask_phone)
register.filter("mask_id_number", identity.mask_id_number)

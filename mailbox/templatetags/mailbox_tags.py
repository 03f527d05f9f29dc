from django import template

from mailbox.stats import home_counters

register = template.Library()


@register.inclusion_tag("mailbox/_counters.html")
def letter_counters(region):
    """Received, replied and on-time figures for a place (cached a minute per place)."""
    return {"region": region, "counters": home_counters(region.code, cache_seconds=60)}

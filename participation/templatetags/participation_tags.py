from django import template

from participation.stats import COUNTERS, METRICS, cached_counters

register = template.Library()


@register.inclusion_tag("participation/_counters.html")
def participation_counters(region):
    """The seed's live counters for a place and its subtree (cached per place)."""
    figures = cached_counters(region.code)
    labels = dict(METRICS)
    return {"region": region, "counters": [(labels[key], figures[key]) for key in COUNTERS]}

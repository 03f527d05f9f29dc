from django import template

from disclosure import selectors

register = template.Library()


@register.inclusion_tag("disclosure/_latest.html", takes_context=True)
def latest_records(context, region, limit: int = 10):
    """The newest records published anywhere inside `region`, for its place page."""
    user = context["request"].user
    return {"region": region, "records": selectors.latest_in_subtree(user, region.code, limit)}


@register.inclusion_tag("disclosure/_latest.html", takes_context=True)
def unit_records(context, unit, limit: int = 10):
    user = context["request"].user
    criteria = selectors.RecordFilter(unit=unit.pk)
    return {
        "unit": unit,
        "records": list(selectors.records_public(user, criteria)[:limit]),
    }

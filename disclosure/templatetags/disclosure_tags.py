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


@register.inclusion_tag("disclosure/_unit_catalog.html", takes_context=True)
def unit_catalog(context, unit):
    """The unit's standard catalog, each item with how many records it has published."""
    from django.db.models import Count

    from disclosure import catalogs
    from disclosure.permissions import visible_records

    template = catalogs.catalog_for_unit(unit)
    if template is None:
        return {"template": None}
    user = context["request"].user
    counts = dict(
        visible_records(user).filter(unit=unit).values_list("item_id").annotate(n=Count("id"))
    )
    groups: dict[str, list] = {}
    for item in template.items.order_by("seq"):
        item.published = counts.get(item.pk, 0)
        groups.setdefault(item.level1, []).append(item)
    return {"template": template, "groups": groups.items(), "unit": unit}

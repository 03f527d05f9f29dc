"""factory_boy factories for the core; places are real codes so hierarchy rules apply."""

import factory
from factory.django import DjangoModelFactory

from portal import hierarchy
from portal.models import Region, Unit, UnitKind, User


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"510118{n + 1:03d}000")
    name = factory.Sequence(lambda n: f"测试镇{n}")
    tier = factory.LazyAttribute(lambda o: hierarchy.tier_of(o.code))
    parent = factory.LazyAttribute(
        lambda o: Region.objects.filter(code=hierarchy.parent_code(o.code)).first()
    )


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = UnitKind.GOVERNMENT
    sector = ""
    region = factory.SubFactory(RegionFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"王{n}")
    password = factory.django.Password("Pw-for-tests-2026")

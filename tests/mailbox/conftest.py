"""Fixtures of the mailbox tests (the geography and personas come from tests/conftest.py)."""

from dataclasses import dataclass

import pytest

from portal.models import MembershipRole, User
from portal.services import people
from tests.factories import UserFactory
from tests.mailbox import OutboxNotifier


@dataclass
class ReminderPeople:
    """Who hears about a letter to 平岗社区居委会 (place 510118001001)."""

    unit_admin: User  # personas.village_official
    unit_editor: User
    unit_reviewer: User  # neither handler nor admin: never reminded
    township_supervisor: User  # 五津街道: tier 1
    county_supervisor: User  # 新津区: tier 2 (personas.county_supervisor)
    city_supervisor: User  # 成都市: tier 3, the top
    other_county_supervisor: User  # 锦江区: never


@pytest.fixture
def reminder_people(geo, personas) -> ReminderPeople:
    admin = personas.platform_admin

    def person(username, phone, email=True):
        return UserFactory(
            username=username, email=f"{username}@gov.example" if email else "", phone=phone
        )

    editor = person("pinggang_editor", "13900000001")
    people.membership_grant(
        user=editor, unit=geo.village_committee, role=MembershipRole.EDITOR, actor=admin
    )
    reviewer = person("pinggang_reviewer", "13900000002")
    people.membership_grant(
        user=reviewer, unit=geo.village_committee, role=MembershipRole.REVIEWER, actor=admin
    )
    township = person("wujin_supervisor", "13900000003")
    people.supervisor_grant(user=township, region=geo.township, actor=admin)
    city = person("chengdu_supervisor", "13900000004")
    people.supervisor_grant(user=city, region=geo.city, actor=admin)
    other = person("jinjiang_supervisor", "13900000005")
    people.supervisor_grant(user=other, region=geo.other_county, actor=admin)
    User.objects.filter(pk=personas.village_official.pk).update(
        email="li@pinggang.example", phone="13900000006"
    )
    User.objects.filter(pk=personas.county_supervisor.pk).update(email="liu@xinjin.example")
    return ReminderPeople(
        unit_admin=User.objects.get(pk=personas.village_official.pk),
        unit_editor=editor,
        unit_reviewer=reviewer,
        township_supervisor=township,
        county_supervisor=User.objects.get(pk=personas.county_supervisor.pk),
        city_supervisor=city,
        other_county_supervisor=other,
    )


@pytest.fixture
def outbox(settings):
    """Notifications go to OutboxNotifier.outbox (through MAILBOX_NOTIFIERS)."""
    settings.MAILBOX_NOTIFIERS = ["tests.mailbox.OutboxNotifier"]
    OutboxNotifier.outbox = []
    OutboxNotifier.fail = False
    yield OutboxNotifier.outbox
    OutboxNotifier.outbox = []
    OutboxNotifier.fail = False

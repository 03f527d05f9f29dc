"""Who may take part: the one rule for votes and evaluations (participation.eligibility)."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from participation import eligibility
from participation.models import BodyMember, Eligibility, Vote
from portal.models import Residency, ResidencyStatus

pytestmark = pytest.mark.django_db


def electorate(geo, personas, **fields):
    now = timezone.now()
    return Vote(
        unit=geo.village_committee,
        region=geo.village,
        created_by=personas.village_official,
        title="是否同意修建平岗社区文化广场",
        opens_at=now,
        closes_at=now + dt.timedelta(days=3),
        **fields,
    )


def test_residents_of_the_place_and_nobody_else(geo, personas, village):
    vote = electorate(
        geo, personas, eligibility=Eligibility.RESIDENTS, electorate_region=geo.village
    )
    assert eligibility.eligible_count(vote) == 6
    assert eligibility.may_take_part(personas.resident, vote)
    assert "平岗社区" in eligibility.refusal(personas.citizen, vote)
    assert eligibility.refusal(None, vote) == "请先登录。"
    # A township-wide vote counts the village's residents too: a subtree.
    wider = electorate(
        geo, personas, eligibility=Eligibility.RESIDENTS, electorate_region=geo.township
    )
    assert eligibility.eligible_count(wider) == 6


def test_pending_residents_are_told_so(geo, personas, village):
    vote = electorate(
        geo, personas, eligibility=Eligibility.RESIDENTS, electorate_region=geo.village
    )
    Residency.objects.create(
        user=personas.citizen,
        region=geo.village,
        real_name="赵磊",
        id_number_hash="1" * 64,
        id_number_masked="510118********0011",
        status=ResidencyStatus.PENDING,
    )
    assert "核实中" in eligibility.refusal(personas.citizen, vote)
    assert eligibility.eligible_count(vote) == 6


def test_households_and_bodies(geo, personas, village):
    households = electorate(
        geo, personas, eligibility=Eligibility.HOUSEHOLDS, electorate_region=geo.village
    )
    assert eligibility.eligible_count(households) == 2
    assert eligibility.may_take_part(village.households[0], households)
    assert "户代表" in eligibility.refusal(personas.resident, households)

    body = electorate(geo, personas, eligibility=Eligibility.BODY, body=village.body)
    assert eligibility.eligible_count(body) == 3
    assert eligibility.may_take_part(village.representatives[0], body)
    # A member who has left no longer votes, and is not counted.
    BodyMember.objects.filter(user=village.representatives[0]).update(
        ended_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert eligibility.eligible_count(body) == 2
    assert "成员名单" in eligibility.refusal(village.representatives[0], body)


def test_any_registered_citizen(geo, personas):
    vote = electorate(geo, personas, eligibility=Eligibility.CITIZENS)
    assert eligibility.eligible_count(vote) is None
    assert eligibility.may_take_part(personas.citizen, vote)
    assert not eligibility.may_take_part(None, vote)


def test_electorate_must_be_the_units_own(geo, personas, village):
    outside = electorate(
        geo, personas, eligibility=Eligibility.RESIDENTS, electorate_region=geo.other_village
    )
    assert "electorate_region" in eligibility.electorate_errors(outside, geo.village_committee)
    inside = electorate(geo, personas, eligibility=Eligibility.BODY, body=village.body)
    assert eligibility.electorate_errors(inside, geo.village_committee) == {}
    assert "body" in eligibility.electorate_errors(inside, geo.township_office)


def test_participant_keys_differ_by_vote_and_person(personas):
    a = eligibility.participant_key("vote", 1, personas.resident)
    assert a == eligibility.participant_key("vote", 1, personas.resident)
    assert a != eligibility.participant_key("vote", 2, personas.resident)
    assert a != eligibility.participant_key("vote", 1, personas.citizen)
    # Keyed: knowing the vote and the person is not enough to compute it without the key.
    plain = f"vote:1:{personas.resident.pk}".encode()
    assert len(a) == 64 and a != hashlib.sha256(plain).hexdigest()

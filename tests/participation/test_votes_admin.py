"""The votes back office: an official drafts and publishes with the options inline,
refusals become form errors, cancel needs a reason, paper batches are entered per option
and voided, voting bodies keep their members; supervisors read, outsiders see nothing.

Each POST starts from the form the page rendered (every input with its value), so the
tests send what a browser would."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from participation.models import BodyMember, PaperBatch, Vote, VoteStatus, VotingBody
from participation.services import votes as services
from portal.models import AuditEntry
from tests.participation.test_votes_helpers import after_close, cast, make_vote, option_ids

pytestmark = pytest.mark.django_db

VOTES = "/admin/participation/vote/"
BATCHES = "/admin/participation/paperbatch/"
BODIES = "/admin/participation/votingbody/"


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data[name] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select" and name and "disabled" not in a:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name and "disabled" not in a:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_of(client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    reader = _FormReader()
    reader.feed(response.content.decode())
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader.data


def moment(value: dt.datetime) -> dict[str, str]:
    local = timezone.localtime(value)
    return {"0": local.strftime("%Y-%m-%d"), "1": local.strftime("%H:%M:%S")}


def vote_fields(geo, **over) -> dict[str, str]:
    now = timezone.now()
    opens, closes = moment(now - dt.timedelta(hours=1)), moment(now + dt.timedelta(days=3))
    fields = {
        "unit": str(geo.village_committee.pk),
        "title": "是否同意平岗社区停车场收费方案",
        "max_choices": "1",
        "secret": "on",
        "quorum": "half",
        "eligibility": "residents",
        "electorate_region": geo.village.code,
        "opens_at_0": opens["0"],
        "opens_at_1": opens["1"],
        "closes_at_0": closes["0"],
        "closes_at_1": closes["1"],
        "options-0-seq": "1",
        "options-0-text": "同意",
        "options-1-seq": "2",
        "options-1-text": "不同意",
        "workflow": "publish",
    }
    fields.update(over)
    return fields


def errors_in(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# ---------------------------------------------------------------------------
# Votes


def test_an_official_drafts_and_publishes_in_one_save(client, geo, personas):
    client.force_login(personas.village_official)
    data = form_of(client, VOTES + "add/")
    data.update(vote_fields(geo))
    response = client.post(VOTES + "add/", data)
    assert response.status_code == 302, errors_in(response)
    vote = Vote.objects.get()
    assert vote.status == VoteStatus.PUBLISHED and vote.created_by == personas.village_official
    assert list(vote.options.values_list("seq", "text")) == [(1, "同意"), (2, "不同意")]
    actions = AuditEntry.objects.filter(object_id=str(vote.pk)).values_list("action", flat=True)
    assert list(actions.order_by("pk")) == ["create", "publish"]


def test_a_refusal_is_a_form_error_and_nothing_is_saved(client, geo, personas):
    client.force_login(personas.village_official)
    data = form_of(client, VOTES + "add/")
    data.update(vote_fields(geo, electorate_region=geo.other_village.code))
    data.update({"options-1-seq": "", "options-1-text": ""})  # one option only
    page = errors_in(client.post(VOTES + "add/", data))
    assert "参与地区应在本单位所在地区范围内。" in page
    assert "是否同意平岗社区停车场收费方案" in page  # what was typed is still there
    data["electorate_region"] = geo.village.code
    assert "至少需要两个选项。" in errors_in(client.post(VOTES + "add/", data))
    assert not Vote.objects.exists()


def test_a_draft_is_edited_with_its_options(client, geo, personas):
    vote = make_vote(geo, personas, publish=False, options=["甲", "乙"])
    client.force_login(personas.village_official)
    url = f"{VOTES}{vote.pk}/change/"
    data = form_of(client, url)
    data.update({"options-0-DELETE": "on", "options-2-seq": "3", "options-2-text": "丙"})
    data["workflow"] = "publish"
    response = client.post(url, data)
    assert response.status_code == 302, errors_in(response)
    vote.refresh_from_db()
    assert vote.status == VoteStatus.PUBLISHED
    assert list(vote.options.values_list("seq", "text")) == [(1, "乙"), (2, "丙")]


def test_cancel_needs_a_reason(client, geo, personas):
    vote = make_vote(geo, personas)
    client.force_login(personas.village_official)
    url = f"{VOTES}{vote.pk}/change/"
    data = form_of(client, url)
    assert "title" not in data  # published: the question and rules are fixed
    data["workflow"] = "cancel"
    assert "取消投票须公开说明原因。" in errors_in(client.post(url, data))
    data["workflow_note"] = "选项表述有误，将重新发起。"
    assert client.post(url, data).status_code == 302
    vote.refresh_from_db()
    assert (
        vote.status == VoteStatus.CANCELLED and vote.cancel_reason == "选项表述有误，将重新发起。"
    )


def test_the_tally_shows_only_when_visible(client, geo, personas, village):
    vote = make_vote(geo, personas)
    cast(vote, personas.resident, 1)
    client.force_login(personas.village_official)
    url = f"{VOTES}{vote.pk}/change/"
    assert "结果将在投票截止后公布" in client.get(url).content.decode()
    services.vote_close(vote=vote, now=after_close(vote))
    page = client.get(url).content.decode()
    assert "最终结果" in page and "参与 1 人" in page


def test_supervisors_read_and_outsiders_see_nothing(client, geo, personas):
    vote = make_vote(geo, personas)
    url = f"{VOTES}{vote.pk}/change/"
    client.force_login(personas.county_supervisor)
    assert vote.title in client.get(VOTES).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and 'name="workflow"' not in page.content.decode()
    assert client.post(url, {"workflow": "cancel", "workflow_note": "x"}).status_code == 403
    client.force_login(personas.other_county_official)
    assert vote.title not in client.get(VOTES).content.decode()
    assert client.get(url).status_code == 404  # as if missing
    assert Vote.objects.get(pk=vote.pk).status == VoteStatus.PUBLISHED


# ---------------------------------------------------------------------------
# Paper ballots


def test_paper_ballots_entered_per_option_and_voided(client, geo, personas, village):
    vote = make_vote(geo, personas, registered_count=100)
    client.force_login(personas.village_official)
    add = f"{BATCHES}add/?vote={vote.pk}"
    data = form_of(client, add)
    first, second = option_ids(vote)
    assert f"count_{first}" in data
    data.update(
        {
            "vote": str(vote.pk),
            "ballots": "30",
            "invalid": "2",
            "note": "居民代表会议现场计票",
            f"count_{first}": "20",
            f"count_{second}": "9",
        }
    )
    page = errors_in(client.post(add, data))
    assert "应等于收回选票数（30）" in page and not PaperBatch.objects.exists()
    data[f"count_{second}"] = "8"
    assert client.post(add, data).status_code == 302
    batch = PaperBatch.objects.get()
    assert batch.entered_by == personas.village_official
    assert dict(batch.counts.values_list("option_id", "count")) == {first: 20, second: 8}

    url = f"{BATCHES}{batch.pk}/change/"
    void = form_of(client, url)
    void["void"] = "on"
    assert "作废须说明原因。" in errors_in(client.post(url, void))
    void["void_reason"] = "同一场会议重复录入"
    assert client.post(url, void).status_code == 302
    batch.refresh_from_db()
    assert batch.voided_at is not None and batch.voided_by == personas.village_official


def test_paper_entry_is_for_the_units_officials(client, geo, personas):
    vote = make_vote(geo, personas)
    client.force_login(personas.other_county_official)  # an official, of another unit
    data = form_of(client, f"{BATCHES}add/?vote={vote.pk}")
    assert not any(name.startswith("count_") for name in data)
    assert f'value="{vote.pk}"' not in client.get(f"{BATCHES}add/").content.decode()
    client.force_login(personas.county_supervisor)
    assert client.get(f"{BATCHES}add/").status_code == 403


# ---------------------------------------------------------------------------
# Voting bodies


def test_a_body_with_its_members(client, geo, personas, village):
    client.force_login(personas.village_official)
    data = form_of(client, BODIES + "add/")
    data.update(
        {
            "unit": str(geo.village_committee.pk),
            "name": "平岗社区议事会",
            "kind": "council",
            "members-0-user": str(personas.resident.pk),
            "members-0-name": "杨桂芳",
            "members-0-role": "议事会成员",
        }
    )
    response = client.post(BODIES + "add/", data)
    assert response.status_code == 302, errors_in(response)
    body = VotingBody.objects.get(name="平岗社区议事会")
    member = BodyMember.objects.get(body=body)
    assert (member.user, member.role, member.ended_on) == (personas.resident, "议事会成员", None)

    url = f"{BODIES}{body.pk}/change/"
    data = form_of(client, url)
    data["members-1-user"] = str(personas.resident.pk)
    data["members-1-name"] = "杨桂芳"
    assert "该用户已是本组织的现任成员。" in errors_in(client.post(url, data))
    data = form_of(client, url)
    data["members-0-ended_on"] = timezone.localdate().isoformat()
    assert client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.ended_on == timezone.localdate()


def test_bodies_are_scoped_to_their_unit(client, geo, personas, village):
    client.force_login(personas.other_county_official)
    assert village.body.name not in client.get(BODIES).content.decode()
    client.force_login(personas.county_supervisor)
    assert village.body.name in client.get(BODIES).content.decode()
    response = client.get(f"{BODIES}{village.body.pk}/change/")
    assert response.status_code == 200 and 'name="members-0-ended_on"' not in (
        response.content.decode()
    )

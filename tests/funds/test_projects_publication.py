"""Each reached stage is published by the village as a record of its standard catalog
(立项公示 under 项目议决, the later stages under 实施、验收和群众评议), with the facts of
that stage; and stage documents are stored privately, typed by their content."""

import pytest
from django.core.exceptions import ValidationError

from disclosure.models import PublishingSetting, Record, RecordStatus
from funds.models import Stage, StageDocument
from funds.services import projects as services
from portal.services.errors import Conflict, NotAllowed
from tests.funds.test_projects_helpers import approved, implementing, make_project, pay

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_approval_is_published_under_the_proposal_item(geo, personas, money, catalog):
    project = approved(geo, personas, money)
    row = services.stage_publish(
        project=project, stage=Stage.APPROVED, actor=personas.village_official
    )
    record = Record.objects.get(pk=row.record_id)
    assert record.item.level2 == "村级公共服务和社会管理专项资金项目议决"
    assert record.unit == geo.village_committee
    assert record.title == "关于平岗社区文化广场改造的立项公示"
    # The unit has no setting: a second person reviews before it goes out.
    assert record.status == RecordStatus.IN_REVIEW
    assert "180,000.00元" in record.body and "市级专项资金" in record.body
    assert "300,000.00元" in record.body  # the village's allocation for the year
    with pytest.raises(Conflict, match="已经公开"):
        services.stage_publish(
            project=project, stage=Stage.APPROVED, actor=personas.village_official
        )


def test_the_later_stages_go_under_the_delivery_item_with_masked_payees(
    geo, personas, money, catalog
):
    PublishingSetting.objects.create(unit=geo.village_committee, requires_review=False)
    project = implementing(geo, personas, money)
    pay(project, money, 8_000, payee="王建国", person=True)
    row = services.stage_publish(
        project=project, stage=Stage.IMPLEMENTING, actor=personas.village_official
    )
    record = Record.objects.get(pk=row.record_id)
    assert record.item.level2 == "专项资金项目实施、验收和群众评议"
    assert record.status == RecordStatus.PUBLISHED
    assert "王**" in record.body and "王建国" not in record.body
    assert "58,000.00元" in record.body  # disbursed so far
    assert "新津建工有限公司" in record.body  # a company keeps its name


def test_a_stage_not_reached_cannot_be_published(geo, personas, money, catalog):
    project = make_project(geo, personas, money)
    with pytest.raises(Conflict, match="尚未进入“验收”阶段"):
        services.stage_publish(
            project=project, stage=Stage.ACCEPTED, actor=personas.village_official
        )
    assert not Record.objects.exists()


@pytest.mark.parametrize("who", ["township_official", "other_county_official", "resident"])
def test_only_the_village_publishes(geo, personas, money, catalog, who):
    project = make_project(geo, personas, money)
    with pytest.raises(NotAllowed):
        services.stage_publish(project=project, stage=Stage.PROPOSED, actor=getattr(personas, who))
    assert not Record.objects.exists()


def test_a_cancellation_is_published_with_its_reason(geo, personas, money, catalog):
    project = make_project(geo, personas, money)
    services.project_cancel(
        project=project, reason="群众意见较大，重新议决。", actor=personas.village_official
    )
    row = services.stage_publish(
        project=project, stage=Stage.CANCELLED, actor=personas.village_official
    )
    record = row.record
    assert record.item.level2 == "村级公共服务和社会管理专项资金项目议决"
    assert record.title == "关于撤销平岗社区文化广场改造的公示"
    assert record.body.count("群众意见较大，重新议决。") == 1


def test_documents_are_typed_by_content_and_stored_privately(geo, personas, money):
    project = approved(geo, personas, money)
    stage = project.stages.get(stage=Stage.APPROVED)
    document = services.stage_document_add(
        stage=stage,
        title="立项批复",
        name="批复.pdf",
        data=PDF,
        actor=personas.township_official,
    )
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    assert document.file.name == f"private/fund-projects/{project.pk}/{document.token}"
    with pytest.raises(ValidationError) as caught:
        services.stage_document_add(
            stage=stage,
            title="脚本",
            name="run.pdf",
            data=b"<script>alert(1)</script>",
            actor=personas.village_official,
        )
    assert "file" in caught.value.message_dict
    with pytest.raises(NotAllowed):
        services.stage_document_add(
            stage=stage, title="x", name="x.pdf", data=PDF, actor=personas.other_county_official
        )
    assert StageDocument.objects.count() == 1

"""The reply letter (政府信息公开申请答复书) of a request for information: its content,
built once from the request and rendered by the HTML page and the PDF alike.

What it says, in the order of a letter:

- the unit's name and the letter number, 〔2026〕依申请第12号: the request's place among
  the unit's requests submitted in that year (by submission time, then id; requests are
  never deleted, so the number of a request does not change);
- the applicant as the letter is addressed: full name (the letter goes to the applicant),
  the ID number only masked (510118********1234), an organisation with its credit code;
- when the application was received (and, after a correction notice, when the corrected
  application was), the request as described (the corrected text if corrected);
- the decision in the standard wording of the OGI Regulations 2019 (国务院令第711号) for
  the outcome, with its legal basis: Art. 36 (1)–(6) for the seven reply types (the
  reply to "not ours", Art. 36 (5), names the competent body), the refusal grounds of
  Art. 14 (state secret; prohibited by law; the "three securities and one stability"),
  Art. 15 (third parties' rights), Art. 16 (internal affairs; process information;
  enforcement files), Art. 37 (partial), Art. 38 (needs creating), Art. 30
  (correction), Art. 35 (unreasonable numbers), Art. 39 (petitions; publications);
  then the unit's reply text;
- the fee (amount and basis), or 不收取费用;
- the remedies: administrative reconsideration within 60 days of receipt, to the people's
  government named by reconsideration_body(), or a lawsuit within 6 months (Art. 51 of
  the Regulations; Administrative Reconsideration Law 2023, Art. 20 and 24; Administrative
  Procedure Law, Art. 46);
- the unit's seal line and the date of the reply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from disclosure.models.requests import ApplicantType, InfoRequest, Outcome
from portal import hierarchy
from portal.models import Region, Tier, Unit, UnitKind
from portal.workdays import end_of_day, local_date

REGULATIONS = "《中华人民共和国政府信息公开条例》"
FEE_MEASURES = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"

# The decision for each outcome: (what was found, the legal basis and what follows).
# Each ends with a colon: the unit's reply text follows it.
DECISIONS: dict[str, str] = {
    Outcome.PUBLIC: (
        "经审查，您申请获取的政府信息属于公开范围。根据{law}第三十六条第（二）项的规定，"
        "本机关向您提供该政府信息，具体如下："
    ),
    Outcome.ALREADY_PUBLIC: (
        "经审查，您申请获取的政府信息本机关已经主动公开。根据{law}第三十六条第（一）项的"
        "规定，现告知您获取该政府信息的方式和途径："
    ),
    Outcome.PARTIAL: (
        "经审查，您申请获取的政府信息中含有不应当公开的内容，但是能够作区分处理。根据{law}"
        "第三十六条第（二）项、第（三）项和第三十七条的规定，本机关向您提供可以公开的内容，"
        "并对不予公开的内容说明理由，具体如下："
    ),
    Outcome.REFUSED_STATE_SECRET: (
        "经审查，您申请获取的政府信息属于依法确定为国家秘密的政府信息。根据{law}第十四条"
        "和第三十六条第（三）项的规定，本机关决定不予公开，理由如下："
    ),
    Outcome.REFUSED_LAW: (
        "经审查，您申请获取的政府信息属于法律、行政法规禁止公开的政府信息。根据{law}"
        "第十四条和第三十六条第（三）项的规定，本机关决定不予公开，理由如下："
    ),
    Outcome.REFUSED_SAFETY: (
        "经审查，您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定。"
        "根据{law}第十四条和第三十六条第（三）项的规定，本机关决定不予公开，理由如下："
    ),
    Outcome.REFUSED_THIRD_PARTY: (
        "经审查，您申请获取的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成"
        "损害。根据{law}第十五条和第三十六条第（三）项的规定，本机关决定不予公开，理由如下："
    ),
    Outcome.REFUSED_INTERNAL: (
        "经审查，您申请获取的信息属于行政机关的内部事务信息（人事管理、后勤管理、内部工作"
        "流程等方面的信息）。根据{law}第十六条第一款和第三十六条第（三）项的规定，本机关"
        "决定不予公开，理由如下："
    ),
    Outcome.REFUSED_PROCESS: (
        "经审查，您申请获取的信息属于行政机关在履行行政管理职能过程中形成的讨论记录、"
        "过程稿、磋商信函、请示报告等过程性信息。根据{law}第十六条第二款和第三十六条"
        "第（三）项的规定，本机关决定不予公开，理由如下："
    ),
    Outcome.REFUSED_ENFORCEMENT: (
        "经审查，您申请获取的信息属于行政执法案卷信息。根据{law}第十六条第二款和第三十六条"
        "第（三）项的规定，本机关决定不予公开，理由如下："
    ),
    Outcome.REFUSED_QUERY: (
        "经审查，您申请的事项属于行政查询事项，应当通过相应的查询渠道办理，本机关不作为"
        "政府信息公开申请提供，说明如下："
    ),
    Outcome.UNABLE_NOT_HELD: (
        "经检索，本机关没有您申请公开的政府信息。根据{law}第三十六条第（四）项的规定，"
        "现告知您该政府信息不存在，说明如下："
    ),
    Outcome.UNABLE_NEEDS_CREATION: (
        "经审查，本机关没有您申请获取的现成信息，需要对现有政府信息进行加工、分析才能形成。"
        "根据{law}第三十八条的规定，本机关不予提供，说明如下："
    ),
    Outcome.UNABLE_UNCLEAR: (
        "本机关已一次性告知您对申请内容作出补正，补正后申请内容仍不明确，无法确定您所需要的"
        "政府信息。根据{law}第三十条的规定，本机关无法提供，说明如下："
    ),
    Outcome.NOT_PROCESSED_COMPLAINT: (
        "经审查，您以政府信息公开申请的形式提出的是信访、投诉、举报等事项。根据{law}"
        "第三十九条第一款的规定，本机关不作为政府信息公开申请处理，您可以通过相应渠道提出，"
        "说明如下："
    ),
    Outcome.NOT_PROCESSED_REPEAT: (
        "经审查，本机关已就您提出的相同政府信息公开申请作出答复，您重复申请公开相同的政府"
        "信息。根据{law}第三十六条第（六）项的规定，本机关不予重复处理，说明如下："
    ),
    Outcome.NOT_PROCESSED_PUBLICATION: (
        "经审查，您申请获取的是政府公报、报刊、书籍等公开出版物。根据{law}第三十九条"
        "第二款的规定，现告知您获取的途径："
    ),
    Outcome.NOT_PROCESSED_MASS: (
        "您申请公开政府信息的数量、频次明显超过合理范围，本机关已要求您说明理由，经审查"
        "认为申请理由不合理。根据{law}第三十五条的规定，本机关不予处理，说明如下："
    ),
    Outcome.NOT_PROCESSED_CONFIRM: (
        "经审查，您要求本机关确认或者重新出具您已经获取的信息，不属于政府信息公开申请的"
        "处理范围，本机关不予处理，说明如下："
    ),
    Outcome.OTHER_UNCORRECTED: (
        "本机关已一次性告知您对申请内容作出补正，您无正当理由逾期未补正。根据{law}第三十条"
        "的规定，视为放弃申请，本机关不再处理该政府信息公开申请，说明如下："
    ),
    Outcome.OTHER_UNPAID: (
        "本机关已向您发出信息处理费收费通知，您逾期未缴纳。根据{fees}的规定，视为放弃申请，"
        "本机关不再处理该政府信息公开申请，说明如下："
    ),
    Outcome.OTHER: "经审查，本机关对您的申请作如下处理：",
}
NOT_OURS_DECISION = (
    "经审查，您申请公开的政府信息不属于本机关负责公开。根据{law}第三十六条第（五）项的"
    "规定，现告知您：该政府信息由{body}负责公开，您可以向该机关提出申请。说明如下："
)
REMEDIES = (
    "如对本答复不服，可以在收到本答复之日起60日内向{body}申请行政复议，"
    "或者在6个月内向人民法院提起行政诉讼。"
)
# A unit that sits in no place with a people's government above it in the database.
UPPER_GOVERNMENT = "上一级人民政府"


@dataclass(frozen=True)
class ReplyLetter:
    """Everything the letter prints, in order. `paragraphs` are the body, each indented;
    the seal line and the date close it on the right."""

    unit_name: str
    title: str
    number: str
    addressee: str
    paragraphs: tuple[str, ...]
    seal: str
    date: str
    tracking_code: str


def date_text(day: dt.date | dt.datetime) -> str:
    day = local_date(day)
    return f"{day.year}年{day.month}月{day.day}日"


def letter_number(info_request: InfoRequest) -> str:
    """〔2026〕依申请第12号: the request's place among its unit's requests submitted in the
    same year (Asia/Shanghai), by submission time then id."""
    year = local_date(info_request.submitted_at).year
    new_year = end_of_day(dt.date(year - 1, 12, 31))  # in the portal's time zone
    earlier = InfoRequest.objects.filter(
        Q(submitted_at__lt=info_request.submitted_at)
        | Q(submitted_at=info_request.submitted_at, pk__lte=info_request.pk),
        unit_id=info_request.unit_id,
        submitted_at__gt=new_year,
    ).count()
    return f"〔{year}〕依申请第{earlier}号"


def _has_government(place: Region) -> bool:
    """Provinces, cities, counties (districts), towns and townships have a people's
    government; a street (街道) has an office of the district's government instead, and a
    village or community a self-governing committee."""
    if place.tier in (Tier.PROVINCE, Tier.CITY, Tier.COUNTY):
        return True
    return place.tier == Tier.TOWNSHIP and not place.name.endswith("街道")


def reconsideration_body(unit: Unit) -> str:
    """The people's government that hears an administrative reconsideration against the
    unit (Administrative Reconsideration Law 2023, Art. 24): for a government department,
    the government of its own place (新津区教育局 → 新津区人民政府); for a people's
    government, a township or a street office, the government one tier up (五津街道办事处
    → 新津区人民政府); for any other unit, the nearest enclosing people's government."""
    code = unit.region_id
    if unit.kind == UnitKind.DEPARTMENT:
        chain = [*hierarchy.ancestors(code), unit.region]
    elif unit.kind in (UnitKind.GOVERNMENT, UnitKind.TOWNSHIP_OFFICE):
        chain = list(hierarchy.ancestors(code))
    else:
        chain = [*hierarchy.ancestors(code), unit.region]
    for place in reversed(chain):  # nearest first
        if _has_government(place):
            return f"{place.name}人民政府"
    return UPPER_GOVERNMENT


def _applicant(info_request: InfoRequest) -> str:
    name = info_request.applicant_name
    if info_request.applicant_type == ApplicantType.NATURAL_PERSON:
        if info_request.id_number_masked:
            return f"{name}（身份证号码：{info_request.id_number_masked}）"
        return name
    if info_request.org_code:
        return f"{name}（统一社会信用代码：{info_request.org_code}）"
    return name


def _received(info_request: InfoRequest) -> str:
    code = info_request.tracking_code
    asked = (info_request.corrected_description or info_request.description).strip()
    received = info_request.received_on or local_date(info_request.submitted_at)
    if info_request.corrected_at:
        first = local_date(info_request.submitted_at)
        return (
            f"本机关于{date_text(first)}收到您提出的政府信息公开申请（申请编号：{code}），"
            f"经补正，于{date_text(received)}收到您补正后的申请。您申请获取：“{asked}”。"
        )
    return (
        f"本机关于{date_text(received)}收到您提出的政府信息公开申请（申请编号：{code}），"
        f"您申请获取：“{asked}”。"
    )


def decision_text(outcome: str, competent_body: str = "") -> str:
    """The standard wording of the decision for this outcome, with its legal basis."""
    if outcome == Outcome.UNABLE_NOT_HELD and competent_body:
        return NOT_OURS_DECISION.format(law=REGULATIONS, body=competent_body)
    template = DECISIONS.get(outcome, DECISIONS[Outcome.OTHER])
    return template.format(law=REGULATIONS, fees=FEE_MEASURES)


def fee_text(amount: Decimal, basis: str) -> str:
    if not amount:
        return "本申请不收取费用。"
    line = f"本申请收取信息处理费{amount:.2f}元"
    return line + (f"，收费依据：{basis.rstrip('。')}。" if basis else "。")


def reply_letter(info_request: InfoRequest) -> ReplyLetter:
    """The letter of a replied request (the caller checks that it is replied)."""
    unit = info_request.unit
    reply = [line.strip() for line in info_request.reply_text.splitlines() if line.strip()]
    contact = "；".join(
        part
        for part in (
            f"地址：{unit.address}" if unit.address else "",
            f"电话：{unit.phone}" if unit.phone else "",
        )
        if part
    )
    paragraphs = [
        _received(info_request),
        decision_text(info_request.outcome, info_request.competent_body),
        *reply,
        fee_text(info_request.fee_amount, info_request.fee_basis),
        REMEDIES.format(body=reconsideration_body(unit)),
    ]
    if contact:
        paragraphs.append(f"如有疑问，请与本机关联系（{contact}）。")
    paragraphs.append("特此告知。")
    return ReplyLetter(
        unit_name=unit.name,
        title=f"{unit.name}政府信息公开申请答复书",
        number=letter_number(info_request),
        addressee=f"{_applicant(info_request)}：",
        paragraphs=tuple(paragraphs),
        seal=f"{unit.name}（盖章）",
        date=date_text(info_request.replied_at),
        tracking_code=info_request.tracking_code,
    )

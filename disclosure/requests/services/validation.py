"""The applicant's fields as the form, the admin and the API take them: every wrong
field named in Chinese at once, nothing stored."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from disclosure.models import (
    ApplicantType,
    Delivery,
    RequestChannel,
)
from disclosure.requests.services.common import (
    max_description_chars,
)
from portal import identity
from portal.models import Unit

# GB 32100-2015 unified social credit code: 18 characters of this alphabet (no I O S V
# Z), the last a check character over the first 17 with these weights, modulo 31.
_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def validate_org_code(value: str) -> str:
    """A unified social credit code, normalised, or a ValidationError saying what is wrong."""
    code = (value or "").strip().replace(" ", "").upper()
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="org_length")
    if any(char not in _ORG_ALPHABET for char in code):
        raise ValidationError(
            _("统一社会信用代码只含数字和大写字母（不含I、O、S、V、Z）。"), code="org_characters"
        )
    total = sum(_ORG_ALPHABET.index(char) * w for char, w in zip(code, _ORG_WEIGHTS, strict=False))
    if _ORG_ALPHABET[(31 - total % 31) % 31] != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不正确，请核对后重新输入。"), code="org_check_character"
        )
    return code


def validate_request(
    *,
    unit: Unit | None,
    applicant_type: str,
    applicant_name: str,
    id_number: str = "",
    org_code: str = "",
    contact_person: str = "",
    phone: str,
    email: str = "",
    address: str = "",
    description: str,
    delivery: str,
    channel: str = RequestChannel.ONLINE,
) -> dict[str, Any]:
    """Normalised fields, or a ValidationError naming every field that is wrong."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if unit is None or not unit.is_active:
        errors["unit"] = [_("请选择受理申请的机关。")]
    if applicant_type not in ApplicantType.values:
        errors["applicant_type"] = [_("请选择申请人类型。")]
    person = applicant_type == ApplicantType.NATURAL_PERSON
    name = (applicant_name or "").strip()
    if not name:
        errors["applicant_name"] = [
            _("请填写申请人姓名。") if person else _("请填写申请单位的名称。")
        ]
    elif len(name) > 100:
        errors["applicant_name"] = [_("申请人姓名或名称不能超过100个字。")]
    if person:
        if not (id_number or "").strip():
            errors["id_number"] = [_("自然人申请须填写身份证号码。")]
        else:
            try:
                clean["id_number"] = identity.validate_id_number(id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages
    elif applicant_type in ApplicantType.values:
        if not (org_code or "").strip():
            errors["org_code"] = [_("法人或其他组织申请须填写统一社会信用代码。")]
        else:
            try:
                clean["org_code"] = validate_org_code(org_code)
            except ValidationError as exc:
                errors["org_code"] = exc.messages
    contact = (contact_person or "").strip()
    if not person and applicant_type in ApplicantType.values and not contact:
        errors["contact_person"] = [_("请填写联系人姓名。")]
    elif len(contact) > 40:
        errors["contact_person"] = [_("联系人姓名不能超过40个字。")]
    try:
        clean["phone"] = identity.validate_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("请输入有效的电子邮箱地址。")]
    address = (address or "").strip()
    if len(address) > 200:
        errors["address"] = [_("通信地址不能超过200个字。")]
    description = identity.mask_id_numbers((description or "").strip())
    limit = max_description_chars()
    if not description:
        errors["description"] = [_("请写明所需政府信息的名称、文号或者便于查询的其他特征。")]
    elif len(description) > limit:
        errors["description"] = [_("所需信息的描述不能超过%(n)d个字。") % {"n": limit}]
    if delivery not in Delivery.values:
        errors["delivery"] = [_("请选择获取信息的方式。")]
    elif delivery == Delivery.EMAIL and not email and "email" not in errors:
        errors["email"] = [_("选择电子邮件方式获取的，请填写电子邮箱。")]
    elif delivery == Delivery.PAPER and not address and "address" not in errors:
        errors["address"] = [_("选择邮寄纸质材料的，请填写通信地址。")]
    if channel not in RequestChannel.values:
        errors["channel"] = [_("请选择申请渠道。")]
    if errors:
        raise ValidationError(errors)
    clean.update(
        applicant_name=name,
        contact_person=contact,
        email=email,
        address=address,
        description=description,
    )
    return clean

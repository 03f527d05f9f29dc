"""Identity helpers: the one place for ID numbers, phone numbers, masking and keyed hashes.

ID numbers follow GB 11643: 6-digit area code, 8-digit birth date, 3-digit sequence and a
check character computed with ISO 7064 MOD 11-2. A full ID number is never stored or
shown: it is kept as a keyed hash (to match a person again) plus its masked form.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")

# Patterns used to scrub free text (log lines): an 18-character ID number and an
# 11-digit mainland mobile number standing on their own.
ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# What else a citizen may type into a text the public will read: e-mail addresses and
# landlines written with the area code (028-12345678).
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
LANDLINE_IN_TEXT = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
# An ID number already masked when it was stored (mask_id_numbers): not one to publish
# either, since it still carries the area code and the last four.
MASKED_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{6}\*{8}\d{3}[\dX](?![0-9A-Za-z*])")
REDACTED = "〔已隐去〕"


def check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_id_number(value: str) -> str:
    """Return the normalised ID number, or raise ValidationError saying what is wrong."""
    number = normalize_id_number(value)
    if len(number) != 18:
        raise ValidationError(_("身份证号码应为18位。"), code="id_length")
    if not _ID_SHAPE.match(number):
        raise ValidationError(
            _("身份证号码前17位应为数字，最后一位为数字或X。"), code="id_characters"
        )
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="id_birth_date") from None
    if birth.year < 1900 or birth > datetime.date.today():  # noqa: DTZ011 - a calendar date
        raise ValidationError(_("身份证号码中的出生日期无效。"), code="id_birth_date")
    if check_character(number[:17]) != number[17]:
        raise ValidationError(
            _("身份证号码校验位不正确，请核对后重新输入。"), code="id_check_character"
        )
    return number


def is_valid_id_number(value: str) -> bool:
    try:
        validate_id_number(value)
    except ValidationError:
        return False
    return True


def normalize_phone(value: str) -> str:
    number = re.sub(r"[\s-]", "", value or "")
    if number.startswith("+86"):
        number = number[3:]
    return number


def validate_phone(value: str) -> str:
    """A mainland mobile number (11 digits starting 13–19); returns it normalised."""
    number = normalize_phone(value)
    if not _MOBILE.match(number):
        raise ValidationError(_("请输入11位手机号码，例如 13812345678。"), code="phone")
    return number


def mask_id_number(value: str) -> str:
    """510118********1234: the area code and the last four stay, the birth date goes."""
    number = normalize_id_number(value)
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(value: str) -> str:
    number = normalize_phone(value)
    if len(number) != 11:
        return "*" * len(number)
    return number[:3] + "****" + number[-4:]


def mask_name(value: str) -> str:
    """张* / 张** : the family name stays, the given name goes."""
    name = (value or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a normalised identifier, separated by purpose so hashes of one
    kind cannot be replayed as another."""
    key = settings.IDENTITY_HASH_KEY.encode()
    message = f"{purpose}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def id_number_hash(value: str) -> str:
    return keyed_hash(normalize_id_number(value), purpose="id_number")


def phone_hash(value: str) -> str:
    return keyed_hash(normalize_phone(value), purpose="phone")


def scrub_text(text: str) -> str:
    """Mask every ID or mobile number found in free text (used on log records)."""
    text = ID_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


def mask_id_numbers(text: str) -> str:
    """Free text as it may be stored: an ID number a citizen typed into a letter or an
    opinion keeps its mask only (the database holds ID numbers as hash + mask, nowhere
    in clear). Phones stay: the official may need to call; pages hide them (public_text)."""
    return ID_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text or "")


def public_text(text: str) -> str:
    """Free text written by a citizen as the public sees it (letters, opinions, mutual-aid
    posts): ID, mobile and landline numbers and e-mail addresses are removed, not masked,
    so a published text carries no contact data at all."""
    text = text or ""
    patterns = (ID_NUMBER_IN_TEXT, MASKED_ID_IN_TEXT, EMAIL_IN_TEXT, MOBILE_IN_TEXT)
    for pattern in (*patterns, LANDLINE_IN_TEXT):
        text = pattern.sub(REDACTED, text)
    return text

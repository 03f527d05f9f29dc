"""Who asks: synthetic people (portal.demo.people) and organisations with well-formed
unified social credit codes (GB 32100), in the proportions annual reports show — mostly
natural persons, some companies and law firms, few others."""

from __future__ import annotations

import random
from dataclasses import dataclass

from disclosure.models.requests import ApplicantType, Delivery
from disclosure.requests.demo import texts
from portal import identity
from portal.demo.people import make_person

APPLICANT_WEIGHTS = {
    ApplicantType.NATURAL_PERSON: 840,
    ApplicantType.COMMERCIAL: 80,
    ApplicantType.LEGAL_SERVICE: 40,
    ApplicantType.PUBLIC_INTEREST: 15,
    ApplicantType.RESEARCH: 10,
    ApplicantType.OTHER: 15,
}
# Counties people come from: mostly 新津区 itself, some from the rest of the city.
HOME_AREAS = (("510118", 85), ("510104", 5), ("510107", 4), ("510116", 3), ("510132", 3))
DELIVERY_WEIGHTS = {
    Delivery.ONLINE: 40,
    Delivery.EMAIL: 22,
    Delivery.PAPER: 32,
    Delivery.READING: 6,
}

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_MAIL_LETTERS = "abcdefghjkmnpqrstuvwxyz"


def org_code_check(body: str) -> str:
    """The check character of an organisation code (GB 11714) for its 8-character body."""
    total = sum(int(char, 36) * weight for char, weight in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, prefix: str, area: str = "510118") -> str:
    """A unified social credit code: authority and kind, area code, organisation code,
    check character (GB 32100)."""
    body = "MA6" + "".join(rng.choice(_CREDIT_CHARS) for _ in range(5))
    first17 = prefix + area + body + org_code_check(body)
    total = sum(
        _CREDIT_CHARS.index(char) * weight
        for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return first17 + _CREDIT_CHARS[(31 - total % 31) % 31]


def company_name(rng: random.Random) -> str:
    return f"四川{rng.choice(texts.COMPANY_WORDS)}{rng.choice(texts.COMPANY_TRADES)}"


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    phone: str
    id_number_hash: str = ""
    id_number_masked: str = ""
    org_code: str = ""
    contact_person: str = ""
    email: str = ""
    address: str = ""


def applicant_make(
    rng: random.Random, kind: str, *, delivery: str, village: str, road: str
) -> Applicant:
    """A new applicant of `kind`, with what the chosen delivery needs (an e-mail address,
    a postal address)."""
    area = rng.choices(*zip(*HOME_AREAS, strict=True))[0]
    person = make_person(rng, area_code=area)
    email = ""
    if delivery == Delivery.EMAIL or rng.random() < 0.2:
        local = "".join(rng.choice(_MAIL_LETTERS) for _ in range(rng.randint(4, 7)))
        email = f"{local}{rng.randrange(100, 10000)}@example.com"
    if kind == ApplicantType.NATURAL_PERSON:
        address = ""
        if delivery == Delivery.PAPER or rng.random() < 0.3:
            address = (
                f"成都市新津区{village}{rng.randint(1, 12)}组{rng.randint(1, 88)}号"
                if area == "510118"
                else f"成都市{road}{rng.randint(1, 399)}号"
            )
        return Applicant(
            kind=kind,
            name=person.full_name,
            phone=person.mobile,
            id_number_hash=identity.id_number_hash(person.id_number),
            id_number_masked=person.id_number_masked,
            email=email,
            address=address,
        )
    pattern, prefix = rng.choice(texts.ORGANISATIONS[kind])
    name = pattern.format(
        word=rng.choice(texts.COMPANY_WORDS),
        trade=rng.choice(texts.COMPANY_TRADES),
        village=village,
        estate=rng.choice(texts.ESTATES),
    )
    return Applicant(
        kind=kind,
        name=name,
        phone=person.mobile,
        org_code=credit_code(rng, prefix, area) if prefix else "",
        contact_person=person.full_name,
        email=email,
        address=f"成都市新津区{road}{rng.randint(1, 399)}号",
    )

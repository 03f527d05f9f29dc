"""English through Django i18n: the switch, the API's errors, and the catalog itself."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|\{[A-Za-z_]\w*\}")
CATALOG = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def _back_to_chinese():
    # LocaleMiddleware activates the request's language on this thread; do not leak it.
    yield
    translation.deactivate()


# --- the site in English ----------------------------------------------------------------


@pytest.mark.django_db
def test_switching_to_english_translates_the_navigation(geo, client, settings):
    settings.PORTAL_ROOT_REGION = "510100000000"
    chinese = client.get("/").content.decode()
    assert "办理期限计算" in chinese and "大字版" in chinese

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"

    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    for text in ("Deadline calculator", "Large text", "High contrast", "Find a unit", "Home"):
        assert text in html, text
    assert "Find a publishing body" in html
    assert "Subdivisions: districts, cities and counties" in html
    assert "3 publishing bodies" in html  # 新津区: the plural form of the count block
    assert "办理期限计算" not in html and "大字版" not in html
    # The place names are data and stay as they are.
    assert "新津区" in html


@pytest.mark.django_db
def test_english_singular_count(geo, client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/regions/510118001000/").content.decode()
    assert "1 publishing body<" in html
    assert "Publishing bodies in 五津街道" in html


@pytest.mark.django_db
def test_english_choice_labels_and_back_to_chinese(geo, client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/units/{geo.county_bureau.pk}/").content.decode()
    assert "Government department · Education" in page  # choice labels
    assert "Contact details" in page and "联系方式" not in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "办理期限计算" in client.get("/").content.decode()


# --- the API in English -----------------------------------------------------------------


@pytest.mark.django_db
def test_api_region_code_error_in_english(geo, client):
    response = client.get("/api/v1/regions/", {"parent": "5101"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    message = response.json()["parent"][0]
    assert "12-digit administrative division code" in message
    assert not CJK.search(message), message

    unknown = client.get(
        "/api/v1/regions/", {"parent": "510118009000"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()["parent"][0]
    assert unknown == "There is no administrative division with code 510118009000."


@pytest.mark.django_db
def test_api_workday_errors_in_english(calendar_2026, client):
    response = client.get(
        "/api/v1/workdays/add/", {"date": "2026-13-01", "days": "5"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    message = response.json()["date"][0]
    assert "Invalid date" in message and "YYYY-MM-DD" in message
    assert not CJK.search(message), message

    too_many = client.get(
        "/api/v1/workdays/add/", {"date": "2026-09-28", "days": "100000"}, HTTP_ACCEPT_LANGUAGE="en"
    ).json()["days"][0]
    assert too_many.startswith("The number of days cannot be more than ")
    assert "{" not in too_many and not CJK.search(too_many)

    # Without the header the default language is still Chinese.
    chinese = client.get("/api/v1/workdays/add/", {"date": "2026-13-01", "days": "5"})
    assert "日期格式应为" in chinese.json()["date"][0]


# --- the workday calculator page in English ---------------------------------------------


@pytest.mark.django_db
def test_workday_page_in_english(calendar_2026, client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/tools/workdays/", {"date": "2026-09-28", "days": 5}).content.decode()
    assert "<h1>Deadline calculator</h1>" in html
    assert "The deadline for 5 working days from " in html
    # 10 October 2026, a make-up working day, in English date format.
    assert "Oct. 10, 2026 (Saturday)</strong>" in html
    assert "年" not in html.split("<main")[1]
    assert "Holidays skipped in this period" in html
    assert "期限届满日" not in html and "计算结果" not in html

    error = client.get("/tools/workdays/", {"date": "2026-02-30", "days": 5}).content.decode()
    assert "Enter a valid date" in error


# --- the disclosure pages in English ----------------------------------------------------

HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)


def _main_headings(html: str) -> list[str]:
    main = html[html.index("<main") : html.index("</main>")]
    return [re.sub(r"<[^>]+>", "", text).strip() for _level, text in HEADING.findall(main)]


@pytest.mark.django_db
def test_records_and_gazette_headings_in_english(geo, catalog, personas, client):
    import datetime as dt

    from disclosure import catalogs
    from disclosure.models import GazetteEntry, GazetteIssue, PublishingSetting, ScheduleKind
    from disclosure.services import record_create, record_submit

    unit = geo.village_committee
    PublishingSetting.objects.update_or_create(unit=unit, defaults={"requires_review": False})
    item = catalogs.items_for_unit(unit).filter(schedule_kind=ScheduleKind.ON_CHANGE).first()
    record = record_submit(
        record=record_create(
            unit=unit,
            item=item,
            title="平岗社区党组织换届公告",
            body="<p>内容</p>",
            info_date=dt.date(2026, 11, 2),
            actor=personas.village_official,
        ),
        actor=personas.village_official,
    )
    issue = GazetteIssue.objects.create(
        publisher=unit,
        year=2026,
        number=3,
        cumulative=4,
        published_on=dt.date(2026, 3, 31),
        is_published=True,
    )
    GazetteEntry.objects.create(issue=issue, record=record, section="市政府文件")

    # In Chinese first, so that the English assertions below are not vacuous.
    assert "公开信息" in _main_headings(client.get("/records/").content.decode())
    assert "政府公报" in _main_headings(client.get("/gazette/").content.decode())

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    records = client.get("/records/").content.decode()
    headings = _main_headings(records)
    assert headings[:2] == ["Records", "1 record"], headings
    assert not any("公开信息" in h or CJK.search(h) for h in headings), headings
    assert record.title in records  # titles are data and stay in Chinese

    gazette = client.get("/gazette/").content.decode()
    headings = _main_headings(gazette)
    assert headings == ["Government Gazette", "2026"], headings
    assert not any("政府公报" in h or CJK.search(h) for h in headings), headings
    assert "Issue 3" in gazette and "Cumulative no. 4" in gazette
    assert "第3期" not in gazette and "总第4期" not in gazette

    issue_page = client.get("/gazette/2026/3/").content.decode()
    assert _main_headings(issue_page)[:2] == [
        "Issue 3, 2026 (cumulative no. 4)",
        "Contents",
    ]


# --- the mailbox in English -------------------------------------------------------------


@pytest.mark.django_db
def test_letter_pages_in_english(geo, client):
    unit = geo.village_committee
    chinese = client.get(f"/letters/write/{unit.pk}/").content.decode()
    assert "来信内容" in chinese and '<button type="submit">提交</button>' in chinese

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    write = client.get(f"/letters/write/{unit.pk}/").content.decode()
    assert f"<h1>Write to {unit.name}</h1>" in write  # the unit's name is data
    assert '<button type="submit">Submit</button>' in write
    for label in ("Type of letter", "Text of the letter", "Mobile number", "Enquiry", "Complaint"):
        assert label in write, label
    assert "ID card number (optional)" in write
    main = write[write.index("<main") : write.index("</main>")].replace(unit.name, "")
    assert not CJK.search(re.sub(r"<nav\b.*?</nav>", "", main, flags=re.S)), main

    track = client.get("/letters/track/").content.decode()
    assert "<h1>Track a letter</h1>" in track
    assert "Tracking code" in track and "Query code" in track
    assert "查询编号" not in track and "来信查询" not in track


@pytest.mark.django_db
def test_api_letter_phone_error_in_english(geo, client):
    from mailbox.models import Letter

    letter = {
        "unit": geo.village_committee.pk,
        "type": "help",
        "subject": "路灯不亮",
        "body": "平岗路口的路灯坏了一周。",
        "name": "王芳",
        "phone": "12345",
        "email": "wang@",
    }
    response = client.post(
        "/api/v1/letters/", letter, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"phone", "email"}, errors
    assert errors["phone"] == ["Enter an 11-digit mobile number, for example 13812345678."]
    assert errors["email"] == ["Enter a valid email address."]  # the mailbox's own message
    assert not CJK.search(response.content.decode()), errors

    chinese = client.post("/api/v1/letters/", letter, content_type="application/json")
    assert "手机号码" in chinese.json()["phone"][0]
    assert Letter.objects.count() == 0


# --- the catalog ------------------------------------------------------------------------


def _unquote(line: str) -> str:
    literal = line[line.index('"') :]
    assert literal.endswith('"'), line
    return literal[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")


def _read_po(path: Path) -> list[dict]:
    """A small .po reader: msgctxt, msgid, msgid_plural, msgstr / msgstr[n] and flags per entry."""
    entries: list[dict] = []
    entry: dict = {}
    key = None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry:
                entries.append(entry)
            entry, key = {}, None
            continue
        if line.startswith("#~"):
            entry.setdefault("obsolete", True)
            continue
        if line.startswith("#,"):
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            entry[key] += _unquote(line)
            continue
        key = line.split(" ", 1)[0]
        entry[key] = _unquote(line)
    return entries


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_every_entry_is_translated_and_keeps_its_placeholders():
    entries = [e for e in _read_po(CATALOG / "django.po") if not e.get("obsolete")]
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "charset=UTF-8" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"]
    assert len(messages) > 200

    problems = []
    for entry in messages:
        msgid = entry["msgid"]
        if "fuzzy" in entry.get("flags", set()):
            problems.append(("fuzzy", msgid))
        if "msgid_plural" in entry:
            forms = [entry.get("msgstr[0]", ""), entry.get("msgstr[1]", "")]
            if _placeholders(entry["msgid_plural"]) != _placeholders(msgid):
                problems.append(("plural msgid differs", msgid))
        else:
            forms = [entry.get("msgstr", "")]
        for form in forms:
            if not form.strip():
                problems.append(("empty", msgid))
            elif _placeholders(form) != _placeholders(msgid):
                problems.append(("placeholders", msgid, form))
    assert problems == []


def test_compiled_catalog_matches_the_po():
    """The .mo is committed so a fresh clone needs no gettext; it must not be stale."""
    with (CATALOG / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.info()["plural-forms"] == "nplurals=2; plural=(n != 1);"
    stale = []
    for entry in _read_po(CATALOG / "django.po")[1:]:
        if entry.get("obsolete") or "fuzzy" in entry.get("flags", set()):
            continue
        msgid = entry["msgid"]
        if "msgid_plural" in entry:
            pairs = [
                (compiled.ngettext(msgid, entry["msgid_plural"], 1), entry["msgstr[0]"]),
                (compiled.ngettext(msgid, entry["msgid_plural"], 2), entry["msgstr[1]"]),
            ]
        elif "msgctxt" in entry:  # the same words with another meaning
            pairs = [(compiled.pgettext(entry["msgctxt"], msgid), entry["msgstr"])]
        else:
            pairs = [(compiled.gettext(msgid), entry["msgstr"])]
        for got, expected in pairs:
            if not got or got != expected:
                stale.append((msgid, got, expected))
    assert stale == []

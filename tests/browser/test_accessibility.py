"""Accessibility of the public site: GB/T 37668-2019 / WCAG 2.1 AA and the 2021
age-friendly rules (适老化).

The sweep runs axe-core over the public pages of every module (and a signed-in
resident's) at desktop (1280 px) and phone (360 px) widths, in the standard display and
the age-friendly one (large type and high contrast: the "large-contrast" cookie), and
fails on any serious or critical violation. Every rule runs at desktop in the standard
display and on the phone in the age-friendly one; the two combinations in between check
the pages the issue names with the rules that depend on how a page is drawn (the markup
is the same). In the age-friendly display axe also checks 7:1 contrast (WCAG 1.4.6) and
the test measures the click targets (44 px); at 360 px nothing may scroll sideways.
Every finding, whatever its impact, goes to var/screenshots/a11y/axe-report.md and .json,
with screenshots of the main pages in the four combinations.

Then what axe cannot see: the letter form filled in and sent with the keyboard alone, its
errors announced and focused, the age-friendly display kept from page to page, and the
print styles of a record and a guide.

axe-core is the copy inside the axe-playwright-python wheel: nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from mailbox.models import Letter
from mailbox.services import letter_accept, letter_reply, letter_submit
from participation.services import solicitations
from tests.browser.conftest import SCREENSHOTS
from tests.disclosure.conftest import publish
from tests.funds import conftest as funds_fixtures
from tests.funds.test_projects_helpers import approved, pay
from tests.participation.test_votes_helpers import make_vote
from tests.services import conftest as services_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Other test folders' fixtures, used here by name.
money = funds_fixtures.money
guides = services_fixtures.guides

OUT = SCREENSHOTS / "a11y"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
STANDARD, AGE_FRIENDLY = "standard", "large-contrast"
FAILING = {"serious", "critical"}
TARGET_PX = 44  # age-friendly click targets (WCAG 2.5.5's 44 CSS px)

RECORD_TITLE = "平岗社区关于2026年冬季燃气安全检查的通知"
SUBJECT = "平岗路路灯连续一周不亮"

# The modules' pages the issue names: checked in all four combinations. The rest of the
# public pages, and a resident's, in the two far ones (desktop standard, phone
# age-friendly), which keeps the sweep near a minute.
MAIN = [
    "home",
    "city",
    "county",
    "township",
    "village",
    "unit",
    "record",
    "search",
    "letter-write",
    "letter-track",
    "vote",
    "solicitation",
    "fund-project",
    "voucher-access",
    "guide",
    "kiosk",
]
SHOTS = {
    "home",
    "village",
    "record",
    "search",
    "letter-write",
    "vote",
    "fund-project",
    "voucher-access",
    "guide",
    "kiosk",
}


@dataclass
class Site:
    pages: dict[str, str]  # name -> path, anonymous visitor
    resident_pages: dict[str, str]  # name -> path, signed in as a verified resident
    session: str  # the resident's session cookie
    track_codes: tuple[str, str]  # of a replied letter


@pytest.fixture
def site(geo, personas, catalog, guides, money) -> Site:
    """A small site with something on every page: a record, a replied public letter, a
    vote, a solicitation, a fund project with payments, the collective's vouchers door,
    service guides, and the kiosk of 平岗社区."""
    official = personas.village_official
    record = publish(
        geo.village_committee,
        official,
        title=RECORD_TITLE,
        body="<p>社区将于12月1日至5日入户检查燃气管道，请居民配合。"
        '详见<a href="https://www.gov.cn/">中国政府网</a>。</p>'
        "<table><tr><th>日期</th><th>楼栋</th></tr><tr><td>12月1日</td><td>1-5栋</td></tr>"
        "</table>",
    )
    letter, _ = letter_submit(
        unit=geo.village_committee,
        type="help",
        subject=SUBJECT,
        body="平岗路88号至120号路段路灯连续一周不亮，老人晚上出行不便，请尽快维修。",
        name="王芳",
        phone="13912345678",
        publish_consent=True,
    )
    letter_accept(letter=letter, actor=official)
    letter_reply(letter=letter, actor=official, text="您好！路灯已安排维修，11月30日前修复。")
    vote = make_vote(geo, personas)
    now = timezone.now()
    solicitation = solicitations.solicitation_publish(
        solicitation=solicitations.solicitation_create(
            unit=geo.village_committee,
            title="平岗社区停车管理办法（征求意见稿）公开征求意见",
            summary="规范小区停车秩序，征求全体居民意见。",
            body="<p>第一条 为规范小区停车秩序，保障消防通道畅通，制定本办法。</p>",
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=14),
            actor=official,
        ),
        actor=official,
    )
    project = approved(geo, personas, money)
    pay(project, money, 8_000, payee="王建国", person=True)
    pay(project, money, 62_000, payee="成都市新津区建设工程有限责任公司第三项目部")

    village, unit = geo.village.code, geo.village_committee.pk
    pages = {
        "home": "/",
        "city": f"/regions/{geo.city.code}/",
        "county": f"/regions/{geo.county.code}/",
        "township": f"/regions/{geo.township.code}/",
        "village": f"/regions/{village}/",
        "unit": f"/units/{unit}/",
        "record": f"/records/{record.pk}/",
        "search": "/search/?q=燃气",
        "letter-write": f"/letters/write/{unit}/",
        "letter-track": "/letters/track/",
        "vote": f"/votes/{vote.pk}/",
        "solicitation": f"/solicitations/{solicitation.pk}/",
        "fund-project": f"/funds/projects/{project.pk}/",
        "voucher-access": f"/funds/vouchers/access/{money.collective.pk}/",
        "guide": f"/services/guides/{guides.township.pk}/",
        "kiosk": f"/kiosk/{village}/",
        # The rest of the public pages.
        "units": "/units/",
        "records": f"/records/?region={village}",
        "gazette": "/gazette/",
        "letters-public": "/letters/public/",
        "letter-public": f"/letters/public/{letter.pk}/",
        "letters-stats": "/letters/public/stats/",
        "info-request-new": f"/info-requests/new/{unit}/",
        "info-request-track": "/info-requests/track/",
        "annual-reports": "/annual-reports/",
        "participation": f"/participation/?region={village}",
        "participation-stats": f"/participation/stats/?region={village}",
        "votes": f"/votes/?region={village}",
        "solicitations": f"/solicitations/?region={village}",
        "evaluations": f"/evaluations/?region={village}",
        "decisions": f"/decisions/?region={village}",
        "meetings": f"/meetings/?region={village}",
        "mutual-aid": f"/mutual-aid/?region={village}",
        "fund-projects": f"/funds/projects/?region={village}",
        "collectives": f"/funds/collectives/?region={village}",
        "collective": f"/funds/collectives/{money.collective.pk}/",
        "guides": f"/services/guides/?region={village}",
        "guide-print": f"/services/guides/{guides.township.pk}/print/",
        "approvals": "/services/approvals/",
        "proxy-new": f"/services/proxy/new/?guide={guides.city_wide.pk}",
        "proxy-track": "/services/proxy/track/",
        "workdays": "/tools/workdays/",
        "login": "/accounts/login/",
        "register": "/accounts/register/",
        "kiosk-guides": f"/kiosk/{village}/guides/",
        "kiosk-guide": f"/kiosk/{village}/guide/{guides.city_wide.pk}/",
        "kiosk-records": f"/kiosk/{village}/records/",
    }
    resident_pages = {
        "vote-ballot": f"/votes/{vote.pk}/",
        "solicitation-form": f"/solicitations/{solicitation.pk}/",
        "mutual-aid-new": "/mutual-aid/new/",
        "account": "/accounts/",
        "residency-apply": "/accounts/residency/",
        "letters-mine": "/letters/mine/",
    }
    client = Client()
    client.force_login(personas.resident)
    return Site(
        pages=pages,
        resident_pages=resident_pages,
        session=client.cookies["sessionid"].value,
        track_codes=(letter.tracking_code, letter.query_code),
    )


def new_page(browser, base: str, *, viewport: dict, mode: str = STANDARD, **extra):
    context = browser.new_context(locale="zh-CN", viewport=viewport, **extra)
    context.add_cookies([{"name": "display", "value": mode, "url": base}])
    return context.new_page()


# The rules whose answer depends on how the page is drawn (width, type size, colours)
# rather than on its markup, which is the same in every combination but for the body's
# classes and the display buttons' aria-pressed.
RENDERING_RULES = [
    "color-contrast",
    "link-in-text-block",
    "target-size",
    "scrollable-region-focusable",
    "css-orientation-lock",
    "avoid-inline-spacing",
]


def axe(page, *, enhanced_contrast: bool = False, rendering_only: bool = False) -> list[dict]:
    """axe-core's violations on the page: every rule axe runs by default (WCAG 2.0–2.2
    A and AA, and best practice) or only the rendering ones, and the 7:1 contrast rule
    when asked."""
    from axe_playwright_python.sync_playwright import Axe

    options: dict = {"resultTypes": ["violations"]}
    extra = ["color-contrast-enhanced"] if enhanced_contrast else []
    if rendering_only:
        options["runOnly"] = {"type": "rule", "values": RENDERING_RULES + extra}
    elif extra:
        options["rules"] = {rule: {"enabled": True} for rule in extra}
    return Axe().run(page, options=options).response["violations"]


def serious(violations: list[dict]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in FAILING
    ]


# Buttons, fields, summaries and links that stand alone (not inline in running text,
# which WCAG exempts) smaller than the age-friendly target, as "tag 'text' w×h".
SMALL_TARGETS_JS = """(min) => {
  const small = [];
  const selector = [
    'a[href]', 'button', 'input:not([type=hidden]):not([type=radio]):not([type=checkbox])',
    'select', 'textarea', 'summary', 'label:has(> input[type=radio])',
    'label:has(> input[type=checkbox])',
  ].join(',');
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || box.right <= 0 || box.bottom <= 0) continue;
    if (el.tagName === 'A' && getComputedStyle(el).display === 'inline') continue;
    if (box.width < min || box.height < min) {
      const text = (el.innerText || el.value || el.name || '').trim().slice(0, 16);
      const size = `${Math.round(box.width)}×${Math.round(box.height)}`;
      small.push(`${el.tagName.toLowerCase()} '${text}' ${size}`);
    }
  }
  return small;
}"""


def test_axe_finds_nothing_serious_and_phones_never_scroll_sideways(site, live_server, browser):
    base = live_server.url
    OUT.mkdir(parents=True, exist_ok=True)
    # (width, viewport, display, pages, a resident's pages, every rule or the rendering ones)
    combinations = [
        ("desktop", DESKTOP, STANDARD, list(site.pages), list(site.resident_pages), True),
        ("phone", PHONE, AGE_FRIENDLY, list(site.pages), list(site.resident_pages), True),
        ("desktop", DESKTOP, AGE_FRIENDLY, MAIN, ["vote-ballot"], False),
        ("phone", PHONE, STANDARD, MAIN, ["vote-ballot"], False),
    ]
    findings: list[dict] = []
    failures: list[str] = []
    visited: list[tuple[str, str, str, str]] = []  # (width, display, rules, page)
    for width, viewport, mode, names, resident_names, full in combinations:
        page = new_page(browser, base, viewport=viewport, mode=mode)
        visits = [(name, site.pages[name]) for name in names]
        if resident_names:
            visits.append(("", ""))  # sign in here
            visits += [(name, site.resident_pages[name]) for name in resident_names]
        for name, path in visits:
            if not name:
                page.context.add_cookies(
                    [{"name": "sessionid", "value": site.session, "url": base}]
                )
                continue
            where = f"{name} · {width} · {mode}"
            response = page.goto(base + path)
            assert response.ok, (where, path, response.status)
            visited.append((width, mode, "every rule" if full else "rendering rules", name))
            age_friendly = mode == AGE_FRIENDLY
            violations = axe(page, enhanced_contrast=age_friendly, rendering_only=not full)
            findings += [
                {
                    "page": name,
                    "width": width,
                    "mode": mode,
                    "rule": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": len(v["nodes"]),
                    "targets": [n["target"] for n in v["nodes"]][:5],
                }
                for v in violations
            ]
            failures += [f"{where}: {problem}" for problem in serious(violations)]
            if age_friendly:
                # 7:1 is what "high contrast" promises; axe rates the rule "serious" too.
                failures += [
                    f"{where}: {v['id']}: {[n['target'] for n in v['nodes']][:3]}"
                    for v in violations
                    if v["id"] == "color-contrast-enhanced" and v["impact"] not in FAILING
                ]
                small = page.evaluate(SMALL_TARGETS_JS, TARGET_PX)
                failures += [f"{where}: target under {TARGET_PX}px: {s}" for s in small[:5]]
            if width == "phone":
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > PHONE["width"]:
                    failures.append(f"{where}: {scroll}px wide, scrolls sideways")
            if name in SHOTS or name == "vote-ballot":
                # The kiosk's frame is fixed to the bottom of the screen: what it shows.
                page.screenshot(
                    path=str(OUT / f"{name}-{width}-{mode}.png"), full_page=name != "kiosk"
                )
        page.context.close()
    write_report(findings, visited)
    assert not failures, "\n".join(failures)


def write_report(findings: list[dict], visited: list[tuple[str, str, str, str]]) -> None:
    """Every violation of the sweep, whatever its impact, and the pages it covered."""
    (OUT / "axe-report.json").write_text(json.dumps(findings, ensure_ascii=False, indent=1))
    lines = [
        "# axe-core over the public pages",
        "",
        "Written by tests/browser/test_accessibility.py; the test fails on serious and "
        "critical violations (and on 7:1 contrast in the age-friendly display).",
        "",
        "| width | display | axe rules | pages | critical | serious | moderate | minor |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    combinations = list(dict.fromkeys(v[:3] for v in visited))
    for width, mode, rules in combinations:
        pages = [v[3] for v in visited if v[:3] == (width, mode, rules)]
        impacts = Counter(f["impact"] for f in findings if (f["width"], f["mode"]) == (width, mode))
        counts = " | ".join(str(impacts[i]) for i in ("critical", "serious", "moderate", "minor"))
        lines.append(f"| {width} | {mode} | {rules} | {len(pages)} | {counts} |")
    lines += ["", "Pages: " + ", ".join(dict.fromkeys(v[3] for v in visited)) + ".", ""]
    if findings:
        lines += [
            "| page | width | display | rule | impact | elements |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {f['page']} | {f['width']} | {f['mode']} | {f['rule']} | {f['impact']} "
            f"| {f['nodes']} |"
            for f in findings
        ]
    else:
        lines.append("No violations of any impact.")
    (OUT / "axe-report.md").write_text("\n".join(lines) + "\n")


# --- what axe cannot see ----------------------------------------------------------------

FOCUS_RING_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '',
    text: (el.innerText || '').trim(),
    outline: style.outlineStyle !== 'none' ? parseFloat(style.outlineWidth) : 0,
    halo: style.boxShadow !== 'none',
  };
}"""


def focused(page) -> dict:
    info = page.evaluate(FOCUS_RING_JS)
    # Every focus shows the ring: 3 px yellow and a dark band around it.
    if info["tag"] != "main":
        assert info["outline"] >= 2 and info["halo"], info
    return info


def tab(page, times: int = 1) -> dict:
    for _ in range(times):
        page.keyboard.press("Tab")
    return focused(page)


def test_the_letter_form_with_the_keyboard_alone(geo, live_server, browser):
    """Skip link, the fields in order, a refused send whose error summary takes the
    focus and leads to the field, then the letter sent and tracked, all by keyboard."""
    base = live_server.url
    page = new_page(browser, base, viewport=DESKTOP)
    page.goto(f"{base}/letters/write/{geo.village_committee.pk}/")

    assert tab(page)["text"] == "跳到正文"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    first = tab(page)
    assert first["type"] == "radio" and first["id"] == "id_type_0"
    # Arrow keys choose within the group: 咨询 → 建议 → 求助.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.is_checked("#id_type_2")

    # Send it with nothing else filled in: refused, and the summary is announced.
    page.get_by_role("button", name="提交").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    # After the skip link the address ends in #main, where browsers skip autofocus:
    # portal/forms.js moves the focus once the page has loaded.
    page.wait_for_function("document.activeElement.classList.contains('error-summary')")
    assert focused(page)["tag"] == "div"  # with the focus ring
    assert serious(axe(page)) == []
    page.screenshot(path=str(OUT / "letter-errors-desktop-standard.png"))
    for field in ("subject", "body", "name", "phone"):
        described = page.get_attribute(f"#id_{field}", "aria-describedby").split()
        assert f"id_{field}_error" in described, field
        assert page.get_attribute(f"#id_{field}", "aria-invalid") == "true"
        assert page.locator(f"#id_{field}_error").inner_text().strip(), field
    # The radios kept their choice; the summary's first link leads to the first field.
    assert page.is_checked("#id_type_2")
    summary.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_subject"

    page.keyboard.type(SUBJECT)
    assert tab(page)["id"] == "id_body"
    page.keyboard.type("平岗路88号至120号路段路灯连续一周不亮，请尽快维修。")
    assert tab(page)["id"] == "id_name"
    page.keyboard.type("王芳")
    assert tab(page)["id"] == "id_phone"
    page.keyboard.type("13912345678")
    assert tab(page, 3)["id"] == "id_attachments"  # past the two optional fields
    assert tab(page)["id"] == "id_publish_consent"
    page.keyboard.press("Space")
    assert tab(page)["text"] == "提交"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # (The address keeps the #id_subject of the summary's link, as redirects do.)
    assert "/letters/receipt/" in page.url
    letter = Letter.objects.get(subject=SUBJECT)
    assert letter.type == "help" and letter.publish_consent

    # Track it: type the two codes, Enter sends the form.
    page.goto(f"{base}/letters/track/")
    page.focus("#id_tracking_code")
    page.keyboard.type(letter.tracking_code)
    assert tab(page)["id"] == "id_query_code"
    page.keyboard.type(letter.query_code)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert SUBJECT in page.locator("h2#letter-heading").inner_text()
    assert serious(axe(page)) == []


def test_the_age_friendly_display_stays_on_from_page_to_page(
    geo, personas, guides, live_server, browser
):
    base = live_server.url
    page = new_page(browser, base, viewport=PHONE)
    page.goto(f"{base}/regions/{geo.village.code}/")
    root = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
    text = "parseFloat(getComputedStyle(document.body).fontSize)"
    standard = page.evaluate(root), page.evaluate(text)

    # Switched on with the keyboard: the header's two buttons.
    for name in ("大字版", "高对比度"):
        button = page.get_by_role("button", name=name)
        assert button.get_attribute("aria-pressed") == "false"
        button.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_role("button", name=name).get_attribute("aria-pressed") == "true"

    for path in (
        f"/units/{geo.village_committee.pk}/",
        f"/services/guides/{guides.village.pk}/",
        "/letters/track/",
        "/",
    ):
        page.goto(base + path)
        assert page.evaluate(root) >= 1.5 * standard[0], path
        assert page.evaluate(text) >= 1.5 * standard[1], path
        body = page.locator("body")
        assert "high-contrast" in body.get_attribute("class"), path
        assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
        for name in ("大字版", "高对比度"):
            assert page.get_by_role("button", name=name).get_attribute("aria-pressed") == "true"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        # No pop-up, floating box or new window anywhere on the page.
        assert page.locator("dialog, [role=dialog], [target=_blank]").count() == 0, path
        assert page.evaluate(FIXED_JS) == [], path
    page.screenshot(path=str(OUT / "persisted-home-phone-large-contrast.png"))

    # The choice is kept for a year, also in the next visit's new browser session.
    cookie = next(c for c in page.context.cookies() if c["name"] == "display")
    assert cookie["value"] == AGE_FRIENDLY
    assert cookie["expires"] > (timezone.now() + dt.timedelta(days=300)).timestamp()

    # And switched off again.
    for name in ("大字版", "高对比度"):
        with page.expect_navigation():
            page.get_by_role("button", name=name).click()
    assert page.evaluate(root) == standard[0]
    assert "high-contrast" not in page.locator("body").get_attribute("class")


FIXED_JS = """() => [...document.querySelectorAll('body *')]
  .filter(el => ['fixed', 'sticky'].includes(getComputedStyle(el).position))
  .map(el => el.className)"""


def test_a_record_and_a_guide_print_without_the_site_around_them(
    geo, personas, catalog, guides, live_server, browser
):
    record = publish(
        geo.village_committee,
        personas.village_official,
        title=RECORD_TITLE,
        body='<p>请居民配合。详见<a href="https://www.gov.cn/">中国政府网</a>。</p>',
    )
    base = live_server.url
    page = new_page(browser, base, viewport={"width": 794, "height": 1123}, mode=AGE_FRIENDLY)
    page.goto(f"{base}/records/{record.pk}/")
    source = page.locator(".print-only")
    assert not source.is_visible()
    page.emulate_media(media="print")
    hidden = (".site-header", ".main-nav", ".breadcrumbs", ".site-footer", ".skip-link")
    for selector in hidden:
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("h1").inner_text() == RECORD_TITLE
    assert page.locator(".record-body").is_visible()
    # On paper the page says where it came from, and where its outside links go.
    assert f"/records/{record.pk}/" in source.inner_text()
    link_after = page.evaluate(
        "getComputedStyle(document.querySelector('.record-body a'), '::after').content"
    )
    assert link_after not in ("none", "normal", ""), link_after
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)",
        "rgba(0, 0, 0, 0)",
    )
    page.screenshot(path=str(OUT / "print-record.png"), full_page=True)

    page.emulate_media(media="screen")
    page.goto(f"{base}/services/guides/{guides.township.pk}/")
    page.emulate_media(media="print")
    for selector in (*hidden, ".guide-actions", ".guide-more"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator("h1").inner_text() == guides.township.name
    assert page.locator(".materials-table").is_visible()
    page.screenshot(path=str(OUT / "print-guide.png"), full_page=True)

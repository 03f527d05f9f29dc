"""Chinese full-text search: CJK bigrams in a 'simple' tsvector, queries as phrases of
bigrams (disclosure/search.py). Records are published through the services, so their
vectors are the ones refresh_search writes."""

import pytest

from disclosure import search, services
from disclosure.models import Attachment, Record, RecordStatus
from portal import hierarchy
from tests.disclosure.conftest import publish

pytestmark = pytest.mark.django_db


def found(query: str, queryset=None) -> list[str]:
    published = Record.objects.filter(status=RecordStatus.PUBLISHED)
    queryset = published if queryset is None else queryset
    return list(search.search(queryset, query).values_list("title", flat=True))


# --- tokens and documents, no database ------------------------------------------------


def test_cjk_runs_become_overlapping_bigrams():
    # The run's last character is indexed alone too, for one-character queries.
    assert list(search.tokens("平岗社区")) == ["平岗", "岗社", "社区", "区"]
    assert search.document("最低生活保障") == "最低 低生 生活 活保 保障 障"


def test_punctuation_splits_runs_and_a_lone_character_stays_whole():
    # No bigram spans the comma: "保名" is not in the text.
    assert list(search.tokens("低保，名单")) == ["低保", "保", "名单", "单"]
    assert list(search.tokens("第3组")) == ["第", "3", "组"]


def test_latin_words_and_numbers_are_lower_cased_words():
    assert search.document("平岗社区2026年Q3 WiFi") == "平岗 岗社 社区 区 2026 年 q3 wifi"
    assert search.tsquery("5G基站") == "(5g <-> 基站)"


def test_a_query_is_an_and_of_phrases_and_empty_queries_match_nothing():
    assert search.tsquery("低保 平岗社区") == "(低保) & (平岗 <-> 岗社 <-> 社区)"
    assert search.tsquery("保") == "(保:*)"
    assert search.tsquery("，。！") is None
    assert search.tsquery("") is None


# --- recall on records ----------------------------------------------------------------


@pytest.fixture
def records(catalog, geo, personas):
    village, official = geo.village_committee, personas.village_official
    return {
        "subsistence": publish(
            village,
            official,
            title="平岗社区2026年第三季度低保对象名单公示",
            body="<p>根据《最低生活保障审核确认办法》，本季度保障对象共12户。</p>",
        ),
        "guarantee": publish(
            village,
            official,
            title="关于调整城乡居民补助标准的通知",
            body="<p>城乡最低生活保障标准提高到每人每月700元，自2026年7月1日起执行。</p>",
        ),
        "network": publish(
            village,
            official,
            title="平岗社区5G基站和WiFi覆盖情况",
            body="<p>G318沿线新建基站3座。</p>",
        ),
        "elsewhere": publish(
            geo.other_county_bureau,
            personas.other_county_official,
            title="锦江区2026年秋季义务教育招生入学工作的通知",
            body="<p>家庭经济困难学生（含低保家庭）优先保障学位。</p>",
        ),
    }


def test_every_substring_is_found_and_nothing_else(records):
    guarantee = "关于调整城乡居民补助标准的通知"
    assert guarantee in found("生活保障")
    assert guarantee in found("最低生活保障")
    # Not substrings of the text: no dictionary guesses, no near misses.
    assert found("保障最低") == []
    assert guarantee not in found("低保")


def test_a_two_character_word_finds_title_and_body_matches(records):
    assert set(found("低保")) == {
        "平岗社区2026年第三季度低保对象名单公示",
        "锦江区2026年秋季义务教育招生入学工作的通知",
    }


def test_a_title_match_ranks_above_a_body_match(records):
    # 低保 is in the first record's title (weight A) and only in the other's body (B).
    published = Record.objects.filter(status=RecordStatus.PUBLISHED)
    ranked = search.search(published, "低保", order="relevance").values_list("title", flat=True)
    assert ranked[0] == "平岗社区2026年第三季度低保对象名单公示"


def test_results_are_newest_first_by_default(records):
    dates = list(
        search.search(Record.objects.filter(status=RecordStatus.PUBLISHED), "低保").values_list(
            "published_at", flat=True
        )
    )
    assert len(dates) >= 2 and dates == sorted(dates, reverse=True)


def test_a_query_spanning_a_cjk_run_and_a_latin_word():
    # 基站 takes two positions in a document (基站, 站), so WiFi follows two places on.
    assert search.tsquery("基站WiFi") == "(基站 <2> wifi)"
    assert search.tsquery("5G基站") == "(5g <-> 基站)"


def test_a_single_character_finds_the_words_that_start_with_it(records):
    titles = found("秋")  # 秋季
    assert titles == ["锦江区2026年秋季义务教育招生入学工作的通知"]
    assert "关于调整城乡居民补助标准的通知" in found("保")  # 保障


def test_a_single_character_also_finds_it_at_the_end_of_a_run(catalog, geo, personas):
    publish(geo.village_committee, personas.village_official, title="名单：低保", body="")
    assert found("保") == ["名单：低保"]


def test_latin_terms_and_numbers(records):
    network = "平岗社区5G基站和WiFi覆盖情况"
    assert found("wifi") == [network]
    assert found("基站和WiFi") == [network]
    assert found("5G基站") == [network]
    assert found("WIFI") == [network]
    assert found("5G基站") == [network]
    assert found("g318") == [network]
    assert "关于调整城乡居民补助标准的通知" in found("700")
    assert found("70") == []  # numbers are whole words


def test_all_terms_must_appear(records):
    assert found("低保 平岗") == ["平岗社区2026年第三季度低保对象名单公示"]
    assert found("低保 招生") == ["锦江区2026年秋季义务教育招生入学工作的通知"]
    assert found("低保 基站") == []


def test_search_within_a_subtree_keeps_to_it(records, geo):
    published = Record.objects.filter(status=RecordStatus.PUBLISHED)
    xinjin = hierarchy.in_subtree(published, geo.county.code)
    jinjiang = hierarchy.in_subtree(published, geo.other_county.code)
    assert found("低保", xinjin) == ["平岗社区2026年第三季度低保对象名单公示"]
    assert found("低保", jinjiang) == ["锦江区2026年秋季义务教育招生入学工作的通知"]
    village = hierarchy.in_subtree(published, geo.other_village.code)
    assert found("低保", village) == []


def test_withdrawn_records_are_not_found_among_published_ones(records, personas):
    services.record_withdraw(
        record=records["network"], actor=personas.village_official, reason="信息有误"
    )
    assert found("基站") == []


def test_attachment_text_is_searched_with_the_lowest_weight(records):
    record = records["network"]
    Attachment.objects.create(
        record=record,
        token="t" * 32,
        original_name="名单.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        text="附件：特困人员救助供养名单",
    )
    services.refresh_search(record)
    assert found("特困人员") == ["平岗社区5G基站和WiFi覆盖情况"]
    weights = Record.objects.filter(pk=record.pk).values_list("search_vector", flat=True)[0]
    assert "'特困':" in weights and weights.split("'特困':")[1].split(" ")[0].endswith("C")
    # A title match (A) outranks the same words found only in an attachment (C).
    publish(
        record.unit,
        record.author,
        title="特困人员救助供养情况",
        body="<p>本季度无变化。</p>",
    )
    assert found("特困人员") == ["特困人员救助供养情况", "平岗社区5G基站和WiFi覆盖情况"]


# --- highlight --------------------------------------------------------------------------


def test_highlight_marks_every_match_and_escapes_the_rest():
    text = "<script>alert(1)</script>平岗社区低保名单：低保户12户"
    marked = search.highlight(text, "低保")
    assert "<script>" not in marked
    assert "&lt;script&gt;" in marked
    assert marked.count("<mark>低保</mark>") == 2


def test_highlight_a_found_title_with_markup_in_it(catalog, geo, personas):
    publish(
        geo.village_committee,
        personas.village_official,
        title="<script>x</script>低保公示",
        body="",
    )
    record = search.search(Record.objects.all(), "低保公示").get()
    marked = search.highlight(record.title, "低保公示")
    assert marked == "&lt;script&gt;x&lt;/script&gt;<mark>低保公示</mark>"


def test_highlight_prefers_the_longest_term_and_is_case_insensitive():
    assert search.highlight("最低生活保障", "生活 最低生活保障") == "<mark>最低生活保障</mark>"
    assert search.highlight("WiFi覆盖", "wifi") == "<mark>WiFi</mark>覆盖"


def test_highlight_cuts_an_excerpt_around_the_first_match():
    text = "甲" * 200 + "低保" + "乙" * 200
    marked = search.highlight(text, "低保", length=40)
    assert marked.startswith("…") and marked.endswith("…")
    assert "<mark>低保</mark>" in marked

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.models import AuditEntry, Region, Tier

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "divisions-sample.csv"
SAMPLE_ROWS = 27


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_divisions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> str:
    path = tmp_path / "divisions.csv"
    path.write_text(text, encoding=encoding)
    return str(path)


def failure(*args: str) -> tuple[str, str]:
    """Run an import that must fail; return (CommandError message, stderr)."""
    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_divisions", *args, stdout=StringIO(), stderr=err)
    return str(excinfo.value), err.getvalue()


@pytest.mark.django_db
def test_sample_imports_and_a_second_import_changes_nothing():
    out, _err = run(str(SAMPLE))
    assert f"新增 {SAMPLE_ROWS} 条，更新 0 条，未变 0 条" in out
    assert Region.objects.count() == SAMPLE_ROWS
    pinggang = Region.objects.get(code="510118001001")
    assert (pinggang.name, pinggang.tier, pinggang.parent.name) == (
        "平岗社区",
        Tier.VILLAGE,
        "五津街道",
    )
    assert Region.objects.get(code="510000000000").parent is None
    assert AuditEntry.objects.filter(object_id="510000000000", action="import").count() == 1

    out, _err = run(str(SAMPLE))
    assert f"新增 0 条，更新 0 条，未变 {SAMPLE_ROWS} 条" in out
    # Nothing changed, so nothing to audit.
    assert AuditEntry.objects.filter(action="import").count() == 1


@pytest.mark.django_db
def test_dry_run_reports_but_writes_nothing():
    out, _err = run(str(SAMPLE), "--dry-run")
    assert "试运行" in out and f"新增 {SAMPLE_ROWS} 条" in out
    assert not Region.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_renamed_place_is_updated(tmp_path):
    run(str(SAMPLE))
    path = write(tmp_path, "510118001001,平岗新村社区\n")
    out, _err = run(path)
    assert "新增 0 条，更新 1 条，未变 0 条" in out
    assert Region.objects.get(code="510118001001").name == "平岗新村社区"


@pytest.mark.django_db
def test_bom_header_and_six_digit_codes_are_accepted(tmp_path):
    path = write(tmp_path, "\ufeff区划代码,名称\n510000,四川省\n510100,成都市\n510118,新津区\n")
    out, _err = run(path)
    assert "新增 3 条" in out
    assert Region.objects.get(code="510118000000").parent_id == "510100000000"


@pytest.mark.django_db
def test_bad_codes_and_duplicates_are_all_reported_by_line_and_nothing_is_written(tmp_path):
    run(str(SAMPLE))
    path = write(
        tmp_path,
        "代码,名称\n"
        "510118104000,新设镇\n"
        "5101181040001,十三位\n"
        "510118000001,无乡镇的村\n"
        "510118104000,重复镇\n"
        "510118104001,\n",
    )
    message, stderr = failure(path)
    assert "未写入任何数据" in message and "4 处问题" in message
    assert "第3行：“5101181040001”不是有效的12位区划代码" in stderr
    assert "第4行：“510118000001”不是有效的12位区划代码" in stderr
    assert "第5行：代码510118104000与第2行重复" in stderr
    assert "第6行：名称不能为空" in stderr
    assert Region.objects.count() == SAMPLE_ROWS
    assert not Region.objects.filter(code="510118104000").exists()


@pytest.mark.django_db
def test_a_place_without_its_parent_is_reported_by_line_and_nothing_is_written(tmp_path):
    run(str(SAMPLE))
    path = write(
        tmp_path,
        "510118104000,新设镇\n510118104001,新设社区\n510118105001,孤立社区\n",
    )
    message, stderr = failure(path)
    assert "1 处问题" in message
    assert "第3行：510118105001 孤立社区：上级区划510118105000不在文件中" in stderr
    assert Region.objects.count() == SAMPLE_ROWS


@pytest.mark.django_db
def test_a_file_not_in_utf8_is_refused_with_advice(tmp_path):
    path = write(tmp_path, "510000000000,四川省\n", encoding="gbk")
    message, _stderr = failure(path)
    assert "UTF-8" in message
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_an_empty_or_missing_file_is_refused(tmp_path):
    message, _stderr = failure(write(tmp_path, "代码,名称\n\n"))
    assert "没有区划数据" in message
    message, _stderr = failure(str(tmp_path / "absent.csv"))
    assert "无法读取文件" in message

import csv
import io
import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from portal import hierarchy
from portal.services.regions import divisions_import, parse_division_csv

_LEADING_CODE = re.compile(r"^(\d{12}) ")


def _line_numbers(text: str) -> dict[str, int]:
    """{code: line} for the file as read, so that errors found after parsing (a missing
    parent) can point at their line like the parser's own errors do."""
    lines: dict[str, int] = {}
    for line_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        code = row[0].strip() if row else ""
        if code.isdigit() and len(code) < hierarchy.CODE_LENGTH:
            code = hierarchy.pad_code(code)
        lines.setdefault(code, line_no)
    return lines


class Command(BaseCommand):
    help = (
        "从 CSV 文件导入行政区划（两列：区划代码,名称；UTF-8 编码，可带 BOM 和表头）。"
        "文件有任何问题时逐行列出，且不写入任何数据。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="CSV 文件路径")
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并报告将新增、更新多少条，不写入"
        )

    def handle(self, *args: Any, path: Path, dry_run: bool, **options: Any) -> None:
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(
                f"{path} 不是 UTF-8 编码。请在表格软件中另存为“CSV UTF-8”后重试。"
            ) from None

        try:
            rows = parse_division_csv(text)
            if not rows:
                raise CommandError(f"{path} 中没有区划数据。")
            with transaction.atomic():
                report = divisions_import(rows=rows, actor=None, source=path.name)
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as exc:
            lines = _line_numbers(text)
            for message in exc.messages:
                self.stderr.write(self._with_line(message, lines))
            raise CommandError(
                f"导入失败：{path} 有 {len(exc.messages)} 处问题（见上），未写入任何数据。"
            ) from None

        summary = (
            f"新增 {report.created} 条，更新 {report.updated} 条，未变 {report.unchanged} 条。"
        )
        if dry_run:
            self.stdout.write(f"试运行（未写入）：{summary}")
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成：{summary}"))

    @staticmethod
    def _with_line(message: str, lines: dict[str, int]) -> str:
        match = _LEADING_CODE.match(message)
        if match and match.group(1) in lines:
            return f"第{lines[match.group(1)]}行：{message}"
        return message

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.models import WorkdayYear
from portal.services.calendar import calendar_load_year, package_years
from portal.services.errors import DomainError


class Command(BaseCommand):
    help = (
        "从 chinesecalendar 包载入国务院公布的节假日和调休安排，并与 holidays 包交叉核对。"
        "已载入的年度默认跳过（后台可能已人工修改），加 --replace 则按软件包重新载入。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year",
            dest="years",
            type=int,
            nargs="+",
            action="extend",
            metavar="Y",
            help="要载入的年度，可写多个（默认：chinesecalendar 覆盖的全部年度）",
        )
        parser.add_argument(
            "--replace", action="store_true", help="覆盖已载入年度（会丢弃后台的人工修改）"
        )

    def handle(self, *args: Any, years: list[int] | None, replace: bool, **options: Any) -> None:
        failed = []
        for year in sorted(set(years or package_years())):
            already = WorkdayYear.objects.filter(year=year).exists()
            try:
                result = calendar_load_year(year=year, actor=None, replace=replace)
            except DomainError as exc:
                self.stderr.write(f"{year}年：{'；'.join(exc.messages)}")
                failed.append(year)
                continue
            if already and not replace:
                self.stdout.write(f"{year}年：已载入，跳过（如需重新载入请加 --replace）")
            else:
                self.stdout.write(
                    f"{year}年：放假 {result.holidays} 天，调休上班 {result.workdays} 天"
                )
            for note in result.disagreements:
                self.stdout.write(self.style.WARNING(f"  交叉核对：{note}"))
        if failed:
            raise CommandError(f"{len(failed)} 个年度未能载入：{'、'.join(map(str, failed))}")

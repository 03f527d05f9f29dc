from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.backup import BackupError, backup_restore, database_from_url


class Command(BaseCommand):
    help = (
        "把 `manage.py backup` 写出的备份恢复到一个空数据库和空媒体目录，"
        "并按清单核对各表行数和每个文件的 SHA-256。目标不空时拒绝，除非加 --force。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="备份目录（含 manifest.json）")
        parser.add_argument(
            "--into",
            metavar="DATABASE_URL",
            help="目标数据库，如 postgres://postgres@127.0.0.1:5432/restored（默认：DATABASE_URL）",
        )
        parser.add_argument(
            "--media-root", type=Path, help="文件恢复到的目录（默认：设置中的 MEDIA_ROOT）"
        )
        parser.add_argument(
            "--force", action="store_true", help="目标数据库或目录已有内容时也覆盖（先删除旧表）"
        )

    def handle(
        self,
        *args: Any,
        folder: Path,
        into: str | None,
        media_root: Path | None,
        force: bool,
        **options: Any,
    ) -> None:
        try:
            database = database_from_url(into) if into else settings.DATABASES["default"]
            report = backup_restore(
                folder=folder,
                database=database,
                media_root=media_root or Path(settings.MEDIA_ROOT),
                force=force,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"恢复完成并已核对：数据表 {report.tables} 张、{report.rows} 行，"
            f"文件 {report.files} 个，与备份清单一致；用时 {report.seconds} 秒"
        )

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "备份数据库（pg_dump 自定义格式）和全部媒体文件（含不公开的凭证与附件），"
        "并写出清单 manifest.json（各表行数、每个文件的 SHA-256）。说明见 docs/backup.md。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            type=Path,
            help="备份目录，须不存在或为空（默认：var/backups/<时间>）",
        )
        parser.add_argument(
            "--media-root", type=Path, help="要备份的媒体目录（默认：设置中的 MEDIA_ROOT）"
        )

    def handle(self, *args: Any, out: Path | None, media_root: Path | None, **options) -> None:
        if out is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            out = Path(settings.VAR_DIR) / "backups" / stamp
        try:
            manifest = backup_create(out=out, media_root=media_root)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        size = sum(a["size"] for a in manifest["artifacts"].values())
        self.stdout.write(
            f"备份完成：{out}\n"
            f"  数据表 {len(manifest['tables'])} 张，共 {sum(manifest['tables'].values())} 行；"
            f"媒体文件 {len(manifest['files'])} 个；"
            f"大小 {size / 1024 / 1024:.1f} MiB；用时 {manifest['seconds']} 秒"
        )

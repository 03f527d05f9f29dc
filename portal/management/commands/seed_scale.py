import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from portal import pagecache
from portal.demo.geography import DEFAULT_SEED
from portal.models import Region, Unit
from portal.scale import PRESETS, ScaleContext
from portal.scale.base import base_load


def database_comment() -> dict:
    """What seed_scale wrote into the database's comment: preset, seed, day, counts."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
            " WHERE datname = current_database()"
        )
        (text,) = cursor.fetchone()
    try:
        return json.loads(text or "{}")
    except ValueError:
        return {}


class Command(BaseCommand):
    help = (
        "生成平台规模的测试数据（用于性能测试）：--preset chengdu 为全市规模，"
        "--preset village 为其百分之一。须在已迁移的空数据库中运行；相同种子生成相同数据。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preset", choices=sorted(PRESETS), required=True)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--today",
            type=lambda s: timezone.datetime.fromisoformat(s).date(),
            default=None,
            help="数据截止日期（YYYY-MM-DD，默认今天）；逾期与否据此计算",
        )

    def handle(self, *args: Any, preset: str, seed: int, today, **options: Any) -> None:
        if Region.objects.exists():
            raise CommandError(
                "数据库不是空的：seed_scale 只在刚迁移的空数据库中运行。"
                f"（已有记录：{database_comment() or '非 seed_scale 生成'}）"
            )
        started = time.monotonic()
        ctx = ScaleContext(preset=PRESETS[preset], seed=seed, today=today or timezone.localdate())
        self.stdout.write(
            f"规模预设：{preset}（{ctx.preset.description}），种子 {seed}，截至 {ctx.today}"
        )

        with connection.cursor() as cursor:
            # The loaders build their indexes after the rows: give the sorts room (this
            # session only; the server's default is 64 MB).
            cursor.execute("SET maintenance_work_mem = '1GB'")
        step = time.monotonic()
        base_load(preset, seed=seed)
        ctx.timings["base"] = round(time.monotonic() - step, 1)
        self.stdout.write(
            f"  区划 {Region.objects.count()} 个、公开主体 {Unit.objects.count()} 个、"
            f"目录与日历：{ctx.timings['base']} 秒"
        )
        counts: dict[str, int] = {}
        for path in settings.PORTAL_SCALE_LOADERS:
            step = time.monotonic()
            with transaction.atomic():
                made = import_string(path)(ctx)
            seconds = round(time.monotonic() - step, 1)
            ctx.timings[path] = seconds
            counts.update(made)
            summary = "、".join(f"{k} {v:,}" for k, v in made.items())
            self.stdout.write(f"  {path}：{summary}（{seconds} 秒）")
            self.stdout.flush()

        # Pages cached from whatever this database replaced must not be served.
        pagecache.invalidate()
        step = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        ctx.timings["vacuum_analyze"] = round(time.monotonic() - step, 1)
        total = round(time.monotonic() - started, 1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            (size,) = cursor.fetchone()
            record = {
                "preset": preset,
                "seed": seed,
                "today": ctx.today.isoformat(),
                "seconds": total,
                "bytes": size,
                "counts": counts,
                "timings": ctx.timings,
            }
            cursor.execute(
                f"COMMENT ON DATABASE {connection.ops.quote_name(connection.settings_dict['NAME'])}"
                " IS %s",
                [json.dumps(record, ensure_ascii=False)],
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"完成：用时 {total} 秒（{total / 60:.1f} 分钟），数据库 {size / 1024**3:.2f} GiB"
                f"（其中 VACUUM ANALYZE {ctx.timings['vacuum_analyze']} 秒）"
            )
        )

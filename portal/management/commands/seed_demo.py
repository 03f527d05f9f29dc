import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.models import Count

from portal import pagecache
from portal.demo.geography import DEFAULT_SEED
from portal.demo.loader import demo_is_loaded, demo_load
from portal.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from portal.demo.people import demo_persons
from portal.hierarchy import TIER_ORDER
from portal.models import Region, Tier, Unit


class Command(BaseCommand):
    help = (
        "载入演示数据：成都市20个区（市）县及其乡镇（街道）、村（社区），一万余个公开主体，"
        "各角色演示账号，以及 chinesecalendar 覆盖各年度的节假日安排。已载入时直接退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"生成乡镇、村名等所用的随机种子，相同种子生成相同数据（默认 {DEFAULT_SEED}）",
        )

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        started = time.monotonic()
        if demo_is_loaded():
            self.stdout.write("演示数据已载入，无需重复载入。")
            return
        result = demo_load(seed=seed)
        # Pages cached before the demo's content arrived must not be served.
        pagecache.invalidate()
        # Fresh statistics: until autovacuum gets to the new tables the planner thinks them
        # nearly empty, and the city's list walked all its records (1.2 s instead of 10 ms).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started

        by_tier = dict(Region.objects.values_list("tier").annotate(n=Count("code")))
        self.stdout.write(
            f"行政区划：新增 {result.regions_created} 个，已有 {result.regions_unchanged} 个"
        )
        for tier in TIER_ORDER:
            self.stdout.write(f"  {Tier(tier).label}：{by_tier.get(tier, 0)}")
        self.stdout.write(
            f"公开主体：共 {Unit.objects.count()} 个（本次新增 {result.units_created} 个）"
        )
        loaded = [load.year for load in result.calendar if load.holidays or load.workdays]
        if loaded:
            self.stdout.write(
                f"节假日安排：载入 {min(loaded)}–{max(loaded)} 年共 {len(loaded)} 个年度"
            )
        users = "、".join(username for username, _role, _can in DEMO_LOGINS)
        self.stdout.write(f"演示账号：{users}（密码均为 {DEMO_PASSWORD}）")
        resident = demo_persons(seed)["resident"]
        self.stdout.write(
            f"查阅原始凭证演示：平岗社区集体经济组织成员 {resident.full_name}，"
            f"身份证号码 {resident.id_number}（合成号码，仅供演示）"
        )
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {elapsed:.1f} 秒。"))

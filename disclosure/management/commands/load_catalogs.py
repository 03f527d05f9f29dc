from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from disclosure.catalogs import CATALOG_DIR, catalog_load_all


class Command(BaseCommand):
    help = (
        "载入 disclosure/catalogs/ 下的全部标准目录（YAML）。文件未改动的目录不变；"
        "改动过的目录载入为新版本，已发布的信息仍指向原版本的事项。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            results = catalog_load_all(actor=None)
        except ValidationError as exc:
            # parse_template names the file and the item; nothing was loaded from it.
            raise CommandError("；".join(exc.messages)) from exc
        if not results:
            raise CommandError(f"{CATALOG_DIR} 下没有标准目录文件（*.yaml）")
        for template, created in results:
            state = "新版本" if created else "未改动"
            self.stdout.write(
                f"{template.key}：第{template.version}版，{template.items.count()} 个事项，{state}"
            )
        made = sum(created for _template, created in results)
        self.stdout.write(
            self.style.SUCCESS(f"完成：{len(results)} 个标准目录，其中 {made} 个载入了新版本。")
        )

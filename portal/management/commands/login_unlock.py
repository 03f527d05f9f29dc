from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portal.auth.throttle import login_unlock


class Command(BaseCommand):
    help = "解除某个账户因密码或验证码输错过多而被暂时锁定的登录（记入操作日志）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="要解锁的用户名")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if login_unlock(username=username):
            self.stdout.write(f"已解除 {username} 的登录锁定。")
        else:
            self.stdout.write(f"{username} 没有被锁定，也没有失败记录。")

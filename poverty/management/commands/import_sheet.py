"""manage.py import_sheet KIND FILE [--user U] [--dry-run]: units, cadres, postings, pairings,
accounts (whose initial passwords it prints once)."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from poverty.sheets import KINDS


class Command(BaseCommand):
    help = (
        "从表格导入帮扶力量：" + "、".join(f"{k}（{v.title}）" for k, v in KINDS.items()) + "。"
        "有任何错误则全部不导入，并以状态1退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")
        parser.add_argument(
            "--user", default="", help="以该用户的管辖范围导入（默认：第一个超级用户）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")

    def handle(self, *args, kind: str, file: str, user: str, dry_run: bool, **options):
        query = (
            User.objects.filter(username=user) if user else User.objects.filter(is_superuser=True)
        )
        account = query.order_by("pk").first()
        if account is None:
            raise CommandError(f"找不到用户 {user}。" if user else "请用 --user 指定导入人。")
        result = KINDS[kind](account).run(file, dry_run=dry_run)
        if result.errors:
            for row, column, message in result.errors:
                where = f"第{row}行" if row else "文件"
                self.stdout.write(f"{where}{f'【{column}】' if column else ''}{message}")
            self.stderr.write(f"共{len(result.errors)}处错误，未导入任何数据。")
            raise SystemExit(1)
        for change in result.listed(limit=1000):
            self.stdout.write(f"第{change.row}行 {change.label} {change.detail}".rstrip())
        prefix = "预览（未写入）" if dry_run else "导入完成"
        self.stdout.write(f"{prefix}：{result.summary()}。")
        if result.secrets:
            self.stdout.write("新账号的初始密码（只显示这一次；首次登录须修改）：")
            for username, password in result.secrets:
                self.stdout.write(f"{username}\t{password}")

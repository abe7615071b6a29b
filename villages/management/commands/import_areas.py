"""manage.py import_areas FILE [--user U] [--dry-run]: the statistics bureau's 区划代码 list."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from villages.imports import import_areas


class Command(BaseCommand):
    help = (
        "导入国家统计局的统计用区划代码表（.xlsx、.xls 或 .csv：统计用区划代码、城乡分类代码、名称）。"
        "重复导入只更新名称、新增区划，从不删除。有任何错误则全部不导入，并以状态1退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user", default="", help="以该用户的管辖范围导入（默认：第一个超级用户）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")

    def handle(self, *args, file: str, user: str, dry_run: bool, **options):
        query = (
            User.objects.filter(username=user) if user else User.objects.filter(is_superuser=True)
        )
        account = query.order_by("pk").first()
        if account is None:
            raise CommandError(f"找不到用户 {user}。" if user else "请用 --user 指定导入人。")
        result = import_areas(file, user=account, dry_run=dry_run)
        if result.errors:
            for row, column, message in result.errors:
                where = f"第{row}行" if row else "文件"
                self.stdout.write(f"{where}{f'【{column}】' if column else ''}{message}")
            self.stderr.write(f"共{len(result.errors)}处错误，未导入任何数据。")
            raise SystemExit(1)
        for code, name in result.kept:
            self.stdout.write(f"保留（文件中没有，不删除）：{code} {name}")
        counts = result.counts()
        prefix = "预览（未写入）" if dry_run else "导入完成"
        self.stdout.write(
            f"{prefix}：新增{counts['created']}个，更名{counts['renamed']}个，"
            f"未变{counts['unchanged']}个，保留{counts['kept']}个。"
        )

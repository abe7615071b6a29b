"""manage.py import_roster FILE (.xlsx, .xls or .csv) [--user U] [--dry-run] [--allow-removals]
[--mapping NAME]:
the upload page's import, by hand."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from households.models import RosterMapping
from households.roster import import_roster

COUNT_LABELS = {
    "households_created": "新增户",
    "households_updated": "更新户",
    "households_unchanged": "未变户",
    "members_created": "新增人",
    "members_updated": "更新人",
    "members_unchanged": "未变人",
    "members_removed": "移出人",
    "incomes_created": "新增收入",
    "incomes_updated": "更新收入",
    "incomes_kept": "保留入户核算收入",
}


class Command(BaseCommand):
    help = "导入建档立卡贫困人口花名册（.xlsx、.xls 或 .csv；全国系统导出的表头、标题和表尾自动识别）。有任何错误则全部不导入，逐条列出错误并以状态1退出。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user", default="", help="以该用户的权限和管辖范围导入（默认：第一个超级用户）"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只校验并列出将发生的变化，不写入"
        )
        parser.add_argument(
            "--mapping",
            default="",
            help="按该名称的列名对应模板读取未识别的列（默认：自动选用本县最合适的模板）",
        )
        parser.add_argument(
            "--income-year",
            type=int,
            default=None,
            help="表中“人均纯收入”所属的年度（默认：上一年；表中有“收入年度”列时按该列）",
        )
        parser.add_argument(
            "--allow-removals",
            action="store_true",
            help="同意移出文件中已不再列出的成员（先用 --dry-run 核对列出的移出名单）",
        )

    def handle(
        self,
        *args,
        file: str,
        user: str,
        dry_run: bool,
        allow_removals: bool,
        mapping: str,
        income_year: int | None,
        **options,
    ):
        if user:
            account = User.objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"找不到用户 {user}。")
        else:
            account = User.objects.filter(is_superuser=True).order_by("pk").first()
            if account is None:
                raise CommandError("请用 --user 指定导入人。")
        columns = None
        if mapping:
            template = RosterMapping.objects.restrict(account).filter(name=mapping).first()
            if template is None:
                raise CommandError(f"找不到列名对应模板“{mapping}”（或不在该用户的管辖范围内）。")
            columns = template.columns
        result = import_roster(
            file,
            user=account,
            dry_run=dry_run,
            allow_removals=allow_removals,
            mapping=columns,
            income_year=income_year,
        )
        if mapping or result.mapping_name:
            used = mapping or result.mapping_name
            self.stdout.write(f"按列名对应模板“{used}”读取未识别的列。")
        for row, why in result.skipped:
            self.stdout.write(f"跳过第{row}行（{why}）")
        if result.unknown_columns:
            self.stdout.write(f"未识别的列（已忽略）：{'、'.join(result.unknown_columns)}")
        for change in result.changes:
            self.stdout.write(
                f"第{change.row}行 {change.action} {change.label} {change.detail}".rstrip()
            )
        for removal in result.removals:
            mark = "（须确认）" if removal.needs_confirm else ""
            self.stdout.write(
                f"移出 {removal.household} {removal.name} {removal.id_number}：{removal.why}{mark}"
            )
        if result.errors:
            for e in result.errors:
                where = f"第{e.row}行" if e.row else "文件"
                column = f"【{e.column}】" if e.column else ""
                self.stdout.write(f"{where}{column}{e.message}")
            self.stderr.write(f"共{len(result.errors)}处错误，未导入任何数据。")
            if any(r.needs_confirm for r in result.removals) and not allow_removals:
                self.stderr.write("核对上面列出的移出名单后，加 --allow-removals 再运行。")
            raise SystemExit(1)
        counts = "，".join(f"{label}{result.counts[key]}" for key, label in COUNT_LABELS.items())
        prefix = "校验通过（未写入）" if dry_run else "导入完成"
        self.stdout.write(f"{prefix}：{result.rows}行；{counts}。")

"""manage.py export_roster FILE.xlsx [--area CODE]: the roster in the import layout."""

from django.core.management.base import BaseCommand, CommandError

from households.models import Household
from households.roster import export_roster
from poverty.common.areacodes import is_valid_code
from villages.models import Area


class Command(BaseCommand):
    help = "按导入格式导出建档立卡贫困人口花名册（.xlsx），导出的文件可原样重新导入。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--area", default="", help="只导出该区划代码下的贫困户")

    def handle(self, *args, file: str, area: str, **options):
        households = Household.objects.all()
        if area:
            if not is_valid_code(area) or not Area.objects.filter(code=area).exists():
                raise CommandError(f"找不到区划代码 {area}。")
            households = households.under([area])
        # The command runs with the operator's full rights: full ID numbers and phones.
        count = export_roster(file, households)
        self.stdout.write(f"已导出{households.count()}户、{count}人到 {file}。")

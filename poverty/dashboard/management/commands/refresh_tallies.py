"""manage.py refresh_tallies [--area CODE]: recount the dashboard's village tallies now."""

import time

from django.core.management.base import BaseCommand, CommandError

from poverty.common.areacodes import is_valid_code
from villages.choices import AreaLevel
from villages.models import Area

from ... import tallies


class Command(BaseCommand):
    help = (
        "重新统计挂图作战的村级统计（修改后会自动更新，每晚全量重算；导入或恢复数据后可手动运行）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", default="", help="只统计该区划代码下的行政村")

    def handle(self, *args, area: str, **options):
        started = time.monotonic()
        villages = None
        if area:
            if not is_valid_code(area) or not Area.objects.filter(code=area).exists():
                raise CommandError(f"找不到区划代码 {area}。")
            villages = (
                Area.objects.under([area])
                .filter(level=AreaLevel.VILLAGE)
                .values_list("pk", flat=True)
            )
        counted = tallies.refresh(villages)
        self.stdout.write(f"村级统计：{counted} 个行政村（{time.monotonic() - started:.1f} 秒）")

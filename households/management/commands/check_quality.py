"""manage.py check_quality [--area CODE]: the data-quality findings, one line each."""

from django.core.management.base import BaseCommand, CommandError

from households.choices import QualityStatus
from households.models import Household, QualityIssue
from households.quality import RULES, check_quality
from poverty.common.areacodes import is_valid_code
from villages.models import Area


class Command(BaseCommand):
    help = "检查建档立卡数据的疑点（精准识别），更新疑点清单，并逐条列出。"

    def add_arguments(self, parser):
        parser.add_argument("--area", default="", help="只检查该区划代码下的贫困户")

    def handle(self, *args, area: str, **options):
        households = Household.objects.all()
        if area:
            if not is_valid_code(area) or not Area.objects.filter(code=area).exists():
                raise CommandError(f"找不到区划代码 {area}。")
            households = households.under([area])
        result = check_quality(households)
        issues = (
            QualityIssue.objects.filter(household__in=households.values("pk"))
            .exclude(status=QualityStatus.FIXED)
            .select_related("household", "household__village")
            .order_by("household__village__code", "household__code", "rule")
        )
        for issue in issues.iterator(chunk_size=2000):
            rule = RULES[issue.rule].description if issue.rule in RULES else issue.rule
            self.stdout.write(
                f"{issue.household.village.code}\t{issue.household.code}\t{rule}\t"
                f"{issue.detail}\t{issue.get_status_display()}"
            )
        self.stderr.write(
            f"检查{households.count()}户：新发现{result.opened}，重新出现{result.reopened}，"
            f"仍存在{result.still}，已消除{result.resolved}。"
        )

"""manage.py make_notices [--month YYYY-MM]: the monthly job by hand (same service)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from inspections.notices import make_notices
from poverty.common.months import parse_month, previous_month


class Command(BaseCommand):
    help = "生成某月的整改通知书和督导通报（默认上个月）；已生成的月份不会重复生成。"

    def add_arguments(self, parser):
        parser.add_argument("--month", default="", help="所属月份，YYYY-MM，默认上个月")

    def handle(self, *args, month: str, **options):
        try:
            first = parse_month(month) if month else previous_month()
            results = make_notices(first)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for result in results:
            self.stdout.write(str(result))
        made = sum(1 for r in results if r.created)
        self.stderr.write(f"{first.year}年{first.month}月：新生成{made}个县的通知通报。")

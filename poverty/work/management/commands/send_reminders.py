"""Make the day's reminders by hand (beat does it every morning): `send_reminders [--date D]`."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from poverty.work.choices import ReminderKind
from poverty.work.reminders import send_reminders


class Command(BaseCommand):
    help = "生成今天到期提醒（每种事项、每个期限只提醒一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按哪一天计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期“{options['date']}”格式不对，应为YYYY-MM-DD。") from None
        made = send_reminders(day)
        if not made:
            self.stdout.write("没有新的提醒。")
        for kind, n in made.items():
            self.stdout.write(f"{ReminderKind(kind).label}：{n}条")

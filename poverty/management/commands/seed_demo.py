"""manage.py seed_demo [--seed S]: the fictional demo county, deterministic and idempotent."""

import time

from django.core.management.base import BaseCommand

from poverty.demo import DEMO_PASSWORD, seed_demo_users
from villages.demo import seed_areas_and_people


class Command(BaseCommand):
    help = "生成虚构的演示县（地区、帮扶单位、干部、驻村与包联），同一种子结果相同，重复运行不会重复生成。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=2017, help="随机种子（默认 2017）")

    def handle(self, *args, seed: int, **options) -> None:
        started = time.monotonic()
        counts = seed_areas_and_people(seed=seed)
        users = seed_demo_users()
        self.stdout.write(
            f"演示县已就绪：区划 {counts.areas}，单位 {counts.units}，干部 {counts.cadres}，"
            f"驻村任职 {counts.postings}，单位包村 {counts.unit_pairings}，领导包联 {counts.leader_pairings}"
            f"（{time.monotonic() - started:.1f} 秒）"
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, areas in users:
            self.stdout.write(f"  {username:<10} {role:<12} {areas}")

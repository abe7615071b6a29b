"""manage.py seed_demo [--seed S]: the fictional demo county, deterministic and idempotent."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from accounts.models import User
from households.models import Household
from households.quality import check_quality
from poverty.demo import DEMO_PASSWORD, seed_demo_users
from poverty.demo.assessments import seed_assessment
from poverty.demo.command import seed_command
from poverty.demo.exits import seed_exits
from poverty.demo.households import seed_registry
from poverty.demo.inspections import seed_accountability
from poverty.demo.projects import seed_help_pairing, seed_projects
from poverty.demo.villages import seed_areas_and_people
from poverty.demo.work import seed_field_work

DEFAULT_HOUSEHOLDS = 3000


class Command(BaseCommand):
    help = "生成虚构的演示县（地区、帮扶单位、干部、驻村与包联、建档立卡贫困户、扶贫项目、责任书与督查整改），同一种子结果相同，重复运行不会重复生成。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=2017, help="随机种子（默认 2017）")
        parser.add_argument(
            "--households",
            type=int,
            default=DEFAULT_HOUSEHOLDS,
            help=f"建档立卡贫困户数（默认 {DEFAULT_HOUSEHOLDS}）",
        )

    def handle(self, *args, seed: int, households: int, **options) -> None:
        if households < 0:
            raise CommandError("--households 不能为负数。")
        started = time.monotonic()
        counts = seed_areas_and_people(seed=seed)
        users = seed_demo_users()
        self.stdout.write(
            f"演示县已就绪：区划 {counts.areas}，单位 {counts.units}，干部 {counts.cadres}，"
            f"驻村任职 {counts.postings}，单位包村 {counts.unit_pairings}，领导包联 {counts.leader_pairings}"
            f"（{time.monotonic() - started:.1f} 秒）"
        )
        started = time.monotonic()
        registry = seed_registry(
            seed=seed, households=households, by_user=User.objects.get(username="county")
        )
        self.stdout.write(
            f"建档立卡：新增贫困户 {registry.households}，成员 {registry.members}，"
            f"帮扶措施 {registry.measures}，走访 {registry.visits}"
            f"（{time.monotonic() - started:.1f} 秒）"
        )
        if registry.households:
            if connection.vendor == "postgresql":
                # Fresh statistics after a bulk load, or the planner guesses from empty tables.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            started = time.monotonic()
            result = check_quality(Household.objects.all())
            self.stdout.write(
                f"疑点检查：{result.opened + result.reopened + result.still} 项"
                f"（{time.monotonic() - started:.1f} 秒）"
            )
        started = time.monotonic()
        projects = seed_projects(seed=seed, by_user=User.objects.get(username="county"))
        self.stdout.write(
            f"扶贫项目：新增 {projects.projects} 个（进度滞后 {projects.overdue} 个），"
            f"资金记录 {projects.funds}，受益户 {projects.beneficiaries}"
            f"（{time.monotonic() - started:.1f} 秒）"
        )
        helped = seed_help_pairing(by_user=User.objects.get(username="county"))
        if helped:
            self.stdout.write(f"对口帮扶：1对，帮扶项目 {helped} 个")
        started = time.monotonic()
        # Before the notices: last month's bulletin names the milestones and decisions overdue.
        command = seed_command(seed=seed)
        self.stdout.write(
            f"统一指挥：指挥机构 {command.bodies}，重点工作 {command.tasks}（滞后 {command.behind}），"
            f"调度会 {command.meetings}，交办事项 {command.decisions}（逾期 {command.overdue}）"
            f"（{time.monotonic() - started:.1f} 秒）"
        )
        started = time.monotonic()
        duty = seed_accountability(seed=seed)
        self.stdout.write(
            f"督查整改：责任书 {duty.pledges}，督查 {duty.inspections}，问题 {duty.findings}"
            f"（逾期 {duty.overdue}），上月通知通报 {duty.notices}"
            f"（{time.monotonic() - started:.1f} 秒）"
        )
        started = time.monotonic()
        assessed = seed_assessment(seed=seed)
        self.stdout.write(
            f"考核考评：已公布方案 {assessed.schemes} 个，指标得分 {assessed.scores} 项"
            f"（{time.monotonic() - started:.1f} 秒）"
        )
        exits = seed_exits()
        self.stdout.write(
            f"出列摘帽：退出标准 {exits.standards} 个，指标记录 {exits.readings} 条，"
            f"预评估发现错退 {exits.rehearsal_errors} 户（已转督查问题）"
        )
        # The first secretary's current field work, then today's reminders as the morning job
        # would make them.
        seed_field_work()
        call_command("send_reminders", stdout=self.stdout)
        # The dashboard's village tallies, counted now rather than by the worker.
        call_command("refresh_tallies", stdout=self.stdout)
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role, areas in users:
            self.stdout.write(f"  {username:<10} {role:<12} {areas}")

"""manage.py rundemo: migrate, load the demo county, start a Celery worker with beat, serve.

The README's first command. With no REDIS_URL the worker reads the on-disk queue, so scheduled
jobs fire on a machine with no services at all.
"""

import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def worker_command(schedule: Path) -> list[str]:
    """One process that is both the Celery worker and beat: enough for a single machine."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "poverty",
        "worker",
        "--beat",
        "--pool=solo",
        "--loglevel=WARNING",
        "--schedule",
        str(schedule),
    ]


class Command(BaseCommand):
    help = "迁移数据库、生成演示数据、启动后台任务进程并在 http://127.0.0.1:8000 提供服务。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args, addrport: str, no_worker: bool, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("数据库已迁移。")
        call_command("seed_demo", stdout=self.stdout)
        worker = None
        if not no_worker:
            var = settings.BASE_DIR / "var"
            var.mkdir(exist_ok=True)
            worker = subprocess.Popen(  # noqa: S603 -- fixed arguments, our own interpreter
                worker_command(var / "celerybeat-schedule"),
                cwd=settings.BASE_DIR,
            )
            self.stdout.write("后台任务进程（celery worker + beat）已启动。")
        self.stdout.write(f"请在浏览器打开 http://{addrport}/ 并用上面的演示账号登录。")
        # Served as production serves: the Chinese error pages, never Django's debug pages
        # (a debug 404 lists every URL pattern). The static files come from runserver's own
        # handler (--insecure), as there is no collectstatic in the demo.
        settings.DEBUG = False
        try:
            call_command("runserver", addrport, use_reloader=False, insecure_serving=True)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

"""Load test: 50 simulated users against gunicorn on loopback for 3 minutes, with the production
config (gunicorn.conf.py: a worker per core plus one, one thread each, no keep-alive; persistent
database connections), on the CPython that runs this script: use an optimised build as production
does (bench/README.md). Prints p50/p95/p99 per kind of request and overall, requests per second
and errors; not a test. --workers, --threads, --worker-class, --keepalive and
--worker-connections override the config's choice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/poverty_load \\
        .venv/bin/python bench/load.py [--users 50] [--seconds 180] [--workers 3 --threads 1] [--reuse]

The database named by DATABASE_URL gets the demo county (migrate + seed_demo: 3,000 households).
Each user logs in as one of the demo roles (county, township, leader, inspector, cadre; the API
client by token) and then, with one second of think time between requests, reads the dashboard,
the household list (with and without a name search), household pages, findings, projects and
the exit-statistics API, in the proportions of WORKLOAD. Target: p95 under 300 ms at 50 users.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty.settings.local")
os.environ["DEBUG"] = "false"

ROLES = ["county", "township", "leader", "inspector", "cadre"]
# (kind, weight): what a county office's users do all day, in rough proportion.
WORKLOAD = [
    ("dashboard", 15),
    ("household_list", 15),
    ("household_search", 10),
    ("household_page", 20),
    ("finding_list", 10),
    ("project_list", 5),
    ("stats_api", 15),
    ("home", 10),
]
SURNAMES = "王李张刘陈杨赵黄周吴"


def prepare(reuse: bool = False) -> dict:
    """Migrate, seed the demo county (unless `reuse` and it is there), and read what the users
    will ask for."""
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import User
    from accounts.tokens import issue
    from households.models import Household
    from poverty.dashboard import tallies

    call_command("migrate", verbosity=0)
    if not (reuse and Household.objects.exists()):
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        tallies.refresh()
    plan = {"households": {}, "token": None}
    for username in ROLES:
        user = User.objects.get(username=username)
        plan["households"][username] = list(
            Household.objects.restrict(user).values_list("pk", flat=True)[:2000]
        )
    api = User.objects.get(username="api")
    plan["token"] = issue(api).key
    plan["county"] = api.areas.first().code
    return plan


def gunicorn_settings(env: dict, worker_connections: int | None) -> str:
    """What gunicorn.conf.py makes of `env`, in words for the summary."""
    import importlib.util
    from unittest import mock

    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    with mock.patch.dict(os.environ, env, clear=True):
        spec.loader.exec_module(conf)
    return (
        f"gunicorn {conf.workers} {conf.worker_class} workers × {conf.threads} threads, "
        f"keep-alive {conf.keepalive} s, worker connections "
        f"{worker_connections or conf.worker_connections}"
    )


def serve(port: int, args) -> tuple[subprocess.Popen, str]:
    """gunicorn with gunicorn.conf.py, and only the settings given on our command line changed."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "CONN_MAX_AGE": "60",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    for name, value in (
        ("WEB_CONCURRENCY", args.workers),
        ("GUNICORN_THREADS", args.threads),
        ("GUNICORN_WORKER_CLASS", args.worker_class),
        ("GUNICORN_KEEPALIVE", args.keepalive),
    ):
        if value is not None:
            env[name] = str(value)
    extra = (
        ["--worker-connections", str(args.worker_connections)] if args.worker_connections else []
    )
    server = subprocess.Popen(  # noqa: S603 -- our gunicorn, our config
        [sys.executable, "-m", "gunicorn", "poverty.wsgi", "-c", "gunicorn.conf.py",
         "--access-logfile", os.devnull, *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return server, gunicorn_settings(env, args.worker_connections)


def interpreter() -> str:
    """Which CPython gunicorn runs on (this script's own). Production's image (python:3.11-slim)
    is built with profile-guided and link-time optimisation, as distributions build theirs; a
    build without them (pyenv's default) spent ~1/6 more CPU a request here (bench/README.md)."""
    import platform
    import sysconfig

    where = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    if "--enable-optimizations" in (sysconfig.get_config_var("CONFIG_ARGS") or ""):
        build = "built with --enable-optimizations"
    elif where.startswith("/usr/bin/"):
        build = "the distribution's build"
    else:
        build = "built without --enable-optimizations: expect more CPU than in production"
    return f"CPython {platform.python_version()} at {where} ({build})"


def wait_ready(base: str, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/accounts/login/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer")


def login(base: str, username: str):
    import requests

    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=30)
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": "demo2026",
            "csrfmiddlewaretoken": session.cookies.get("csrftoken"),
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"login as {username} failed: {response.status_code}")
    return session


def user_loop(base, username, plan, stop_at, think, results, failures, lock, seed) -> None:
    import requests

    rng = random.Random(seed)
    session = login(base, username)
    api = requests.Session()
    api.headers["Authorization"] = f"Token {plan['token']}"
    kinds = [k for k, _ in WORKLOAD]
    weights = [w for _, w in WORKLOAD]
    mine = plan["households"][username] or [0]
    last_answer: dict[int, float] = {}
    while time.monotonic() < stop_at:
        kind = rng.choices(kinds, weights)[0]
        if kind == "project_list" and username == "cadre":
            kind = "household_page"  # village cadres have no project pages (a 403 by design)
        client, params = session, None
        if kind == "dashboard":
            url = f"{base}/dashboard/"
        elif kind == "household_list":
            url, params = f"{base}/registry/households/", {"page": rng.randint(1, 5)}
        elif kind == "household_search":
            url, params = f"{base}/registry/households/", {"q": rng.choice(SURNAMES)}
        elif kind == "household_page":
            url = f"{base}/registry/households/{rng.choice(mine)}/"
        elif kind == "finding_list":
            url = f"{base}/inspections/findings/"
        elif kind == "project_list":
            url = f"{base}/projects/projects/"
        elif kind == "stats_api":
            client = api
            url = f"{base}/api/v1/stats/exits/"
            params = {"area": plan["county"], "year": rng.choice([2018, 2019, 2020])}
        else:
            url = f"{base}/"
        started = time.perf_counter()
        idle = started - last_answer.get(id(client), started)
        for attempt in (1, 2):
            try:
                response = client.get(url, params=params, timeout=60)
                ok = response.status_code < 400 or response.status_code
                break
            except requests.ConnectionError as exc:
                # A browser sends a GET again when the server closed the kept-alive connection it
                # reused (the server's keep-alive ran out as the request left): so do we, once,
                # and count it. How long the connection had been idle tells that race apart.
                ok = type(exc).__name__
                with lock:
                    failures.append(
                        f"{kind} after {idle:.2f} s idle (attempt {attempt}): {str(exc)[:120]}"
                    )
            except requests.RequestException as exc:
                ok = type(exc).__name__
                break
        took = time.perf_counter() - started
        last_answer[id(client)] = time.perf_counter()
        with lock:
            results[kind].append((took, ok))
        time.sleep(think * rng.uniform(0.5, 1.5))


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (Linux /proc/stat), 0 where unknown."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(value) for value in fields]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def postgres_seconds() -> float | None:
    """CPU seconds used by the PostgreSQL server on this machine (Linux /proc): its live
    processes', and those of the backends that ended (counted in the postmaster's children's
    times once it reaped them). None where no local PostgreSQL process is seen."""
    total, found = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # ended meanwhile
            continue
        if text[text.index("(") + 1 : text.rindex(")")] != "postgres":
            continue
        fields = text[text.rindex(")") + 2 :].split()
        total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
        found = True
    return total / os.sysconf("SC_CLK_TCK") if found else None


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--worker-class")
    parser.add_argument("--keepalive", type=int)
    parser.add_argument("--worker-connections", type=int)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep the demo county already there")
    args = parser.parse_args()

    plan = prepare(args.reuse)
    base = f"http://127.0.0.1:{args.port}"
    server, settings = serve(args.port, args)
    try:
        wait_ready(base)
        results: dict[str, list] = defaultdict(list)
        failures: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds
        users = [
            threading.Thread(
                target=user_loop,
                args=(
                    base,
                    ROLES[i % len(ROLES)],
                    plan,
                    stop_at,
                    args.think,
                    results,
                    failures,
                    lock,
                    i,
                ),
            )
            for i in range(args.users)
        ]
        started = time.monotonic()
        machine, generator = busy_seconds(), cpu_seconds(resource.RUSAGE_SELF)
        database = postgres_seconds()
        for user in users:
            user.start()
            time.sleep(0.05)  # users arrive over a few seconds, not in one burst
        for user in users:
            user.join()
        elapsed = time.monotonic() - started
        machine = busy_seconds() - machine
        generator = cpu_seconds(resource.RUSAGE_SELF) - generator
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    # gunicorn's master reaped its workers and we reaped the master: their CPU is our children's.
    served = cpu_seconds(resource.RUSAGE_CHILDREN)
    # gunicorn's connections closed as it stopped: their backends' time is the postmaster's now.
    time.sleep(0.5)
    ended = postgres_seconds()
    database = None if database is None or ended is None else ended - database

    print(f"{args.users} users, {args.seconds} s, think {args.think} s, {settings}")
    print(interpreter())
    every = []
    errors = 0
    for kind, _ in WORKLOAD:
        rows = results.get(kind, [])
        if not rows:
            continue
        times = [t * 1000 for t, _ in rows]
        failed = [ok for _, ok in rows if ok is not True]
        errors += len(failed)
        every += times
        print(
            f"{kind:>17}: {len(rows):5} requests, p50 {percentile(times, 0.5):6.0f} ms, "
            f"p95 {percentile(times, 0.95):6.0f} ms, p99 {percentile(times, 0.99):6.0f} ms, "
            f"errors {len(failed)}{' ' + str(sorted(set(failed), key=str)) if failed else ''}"
        )
    if every:
        per = 1000 / len(every)
        print(
            f"CPU per request: gunicorn {served * per:.1f} ms, this load generator "
            f"{generator * per:.1f} ms, "
            + (
                f"PostgreSQL {database * per:.1f} ms, the rest of the machine (other tenants) "
                f"{max(0.0, machine - served - generator - database) * per:.1f} ms"
                if database is not None
                else "the rest of the machine (PostgreSQL, other tenants) "
                f"{max(0.0, machine - served - generator) * per:.1f} ms"
            )
            + "; the machine was busy "
            f"{machine / elapsed / (os.cpu_count() or 1):.0%} of {os.cpu_count()} cores"
        )
    print(
        f"requests sent again on a closed keep-alive connection, as a browser does: {len(failures)}"
    )
    for failure in failures[:10]:
        print(f"  ↻ {failure}")
    p95 = percentile(every, 0.95)
    print(
        f"{'all':>17}: {len(every):5} requests, {len(every) / elapsed:.1f}/s, "
        f"p50 {statistics.median(every):.0f} ms, p95 {p95:.0f} ms, "
        f"p99 {percentile(every, 0.99):.0f} ms, errors {errors}; "
        f"target p95 < 300 ms {'✓' if p95 < 300 and not errors else '✗'}"
    )


if __name__ == "__main__":
    main()

"""Load test: grid workers recording visits and opening their work lists against gunicorn +
PostgreSQL, then the check that every visit acknowledged is in the database exactly once.

    .venv/bin/python tests/load/run.py                                          # 200 workers, 5 minutes
    .venv/bin/python tests/load/run.py --users 5 --time 20s --residents 20000   # a short run by hand

Steps: a fresh database ``load_county`` (dropped again at the end unless ``--keep-database``), migrate,
``generate_scale`` (``--months 2`` of history by default: the work lists need only the current month),
collectstatic, gunicorn on a free loopback port under production settings (DEBUG off, plain HTTP, the cache
in Redis), ``locust --headless`` with ``tests/load/locustfile.py`` (one simulated worker per generated grid
worker), then the check in the database. The summary (requests, failures, p50/p95/max per request
type, the visits acknowledged and found) is printed and written to ``bench/load.json``; the exit status
is 1 when more than 1 % of requests failed or a visit is missing, doubled or unexplained.

Everything runs on this machine and on loopback: the load generator takes CPU from the server it
measures, so the figures are those of the whole machine, not of the app alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg2
from locust.util.timespan import parse_timespan

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "var" / "load"
DATABASE = "load_county"
# Seconds the simulated workers get to finish what they are doing when time is up; a visit cut off
# then counts as posted and not acknowledged.
STOP_TIMEOUT = 30
MAX_FAILURE_RATE = 0.01
# Production settings on plain HTTP over loopback; throwaway keys (the generator encrypts ID numbers with
# them, and gunicorn reads them back: one environment for both).
SETTINGS = {
    "DJANGO_SETTINGS_MODULE": "governance.settings",
    "DEBUG": "false",
    "SECRET_KEY": "load-test-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "ID_NUMBER_HASH_KEY": "load-test-only",
    "ID_NUMBER_KEYS": "bG9hZC10ZXN0LW9ubHkta2V5LTMyLWJ5dGVzLWxvbmc=",
    "STATIC_ROOT": str(WORK / "static"),
    "DATA_DIR": str(WORK / "data"),
}


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    # Production's cache (and broker): Redis, on a database of its own (``--redis``) so that the run does not
    # share keys with anything else; flushed before the run.
    os.environ.update(SETTINGS, DATABASE_URL=f"{args.server}/{DATABASE}", REDIS_URL=args.redis)
    flush_redis(args.redis)
    fresh_database(args.server)
    try:
        return load_test(args)
    finally:
        if not args.keep_database:
            drop_database(args.server)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="simulated grid workers (default 200)")
    parser.add_argument("--spawn-rate", type=float, default=20, help="workers started per second (default 20)")
    parser.add_argument("--time", default="5m", help="how long the load lasts, as locust reads it (default 5m)")
    parser.add_argument(
        "--wait",
        default="1,3",
        help="seconds each simulated worker waits between actions, min,max (default 1,3: far faster than a "
        "worker walking between households; 10,30 is closer to the field)",
    )
    parser.add_argument("--residents", type=int, default=100_000, help="size of the generated county (default 100000)")
    parser.add_argument("--months", type=int, default=2, help="months of generated visit history (default 2)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
    parser.add_argument(
        "--worker-class",
        default="gthread",
        choices=["gthread", "sync"],
        help="gunicorn's worker class (default gthread)",
    )
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/14",
        help="Redis for the cache, as in production; its database is emptied first (default redis://127.0.0.1:6379/14)",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "load.json")
    parser.add_argument("--keep-database", action="store_true", help=f"keep {DATABASE} afterwards for a look")
    args = parser.parse_args(argv)
    args.seconds = parse_timespan(args.time)
    try:
        low, high = (float(x) for x in args.wait.split(","))
    except ValueError:
        parser.error("--wait takes two numbers of seconds, min,max (e.g. 10,30)")
    if not 0 <= low <= high:
        parser.error("--wait: 0 <= min <= max")
    return args


def _maintenance(server: str, *statements: str) -> None:
    with closing(psycopg2.connect(f"{server}/postgres")) as connection:
        connection.autocommit = True  # CREATE / DROP DATABASE refuse to run inside a transaction
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def fresh_database(server: str) -> None:
    _maintenance(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}")


def drop_database(server: str) -> None:
    from django.db import connections

    connections.close_all()
    _maintenance(server, f"DROP DATABASE {DATABASE} WITH (FORCE)")


def load_test(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)
    call_command("generate_scale", residents=args.residents, months=args.months)
    call_command("collectstatic", interactive=False, verbosity=0)
    # The night before the morning: what a county's beat runs after midnight (governance/settings.py), so that
    # the first openings of the day find the coverage and the work lists counted.
    from visits import tasks as nightly

    nightly.coverage_warm()
    nightly.work_lists_warm()
    usernames = worker_accounts(args.residents, args.users)
    accounts = WORK / "accounts.txt"
    accounts.write_text("\n".join(usernames) + "\n")
    connections.close_all()  # nothing of this process stays open in the database during the run

    report = WORK / "report.json"
    report.unlink(missing_ok=True)
    started = timezone.now()
    load_before = os.getloadavg()
    cpu_before = children_cpu()
    with gunicorn(args.workers, args.threads, args.worker_class) as host:
        locust(args, host, accounts, settings.DEMO_PASSWORD, report)
        cpu_locust = children_cpu()
    cpu_gunicorn = children_cpu()
    seen = json.loads(report.read_text())
    summary = {
        "run": {
            "started_at": started.isoformat(timespec="seconds"),
            "users": args.users,
            "spawn_rate": args.spawn_rate,
            "time": args.time,
            "wait_s": [float(x) for x in args.wait.split(",")],
            "residents": args.residents,
            "months_of_history": args.months,
            "nightly_jobs_before": ["coverage-warm", "work-lists-warm"],
            "gunicorn": f"{args.workers} workers x {args.threads} threads ({args.worker_class})"
            if args.worker_class == "gthread"
            else f"{args.workers} workers ({args.worker_class})",
            "cache": "redis",
            "sessions": settings.SESSION_ENGINE,
            "password_hasher": settings.PASSWORD_HASHERS[0],
            "cpus": os.cpu_count(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            # CPU seconds used by the app's processes (PostgreSQL's not included) and by the load generator.
            "cpu_seconds": {
                "gunicorn": round(cpu_gunicorn - cpu_locust, 1),
                "locust": round(cpu_locust - cpu_before, 1),
            },
        },
        **request_figures(seen),
        "visits": visit_check(seen, usernames, started),
    }
    summary["problems"] = problems(summary)
    summary["ok"] = not summary["problems"]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0 if summary["ok"] else 1


def worker_accounts(residents: int, users: int) -> list[str]:
    """The first ``users`` grid workers of the generated county, allowed in without the first-login
    password change (outside DEBUG the generator sets it, as for any account made by someone else)."""
    from grids.models import User

    workers = User.objects.filter(username__startswith=f"gen{residents}_worker", is_active=True)
    usernames = list(workers.order_by("username").values_list("username", flat=True)[:users])
    if len(usernames) < users:
        raise SystemExit(f"{users} simulated workers asked for, the county of {residents} has {len(usernames)}")
    User.objects.filter(username__in=usernames).update(must_change_password=False)
    return usernames


def children_cpu() -> float:
    """CPU seconds of the child processes that have ended (gunicorn's workers count once it has reaped them)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(workers: int, threads: int, worker_class: str = "gthread"):
    """gunicorn on a free loopback port until the block ends; its log (Django's errors too) in var/load."""
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    command = [
        *(sys.executable, "-m", "gunicorn", "governance.wsgi"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)),
        *("--worker-class", worker_class, "--timeout", "60", "--graceful-timeout", "10"),
        # The application loaded and warmed once, before the workers are forked (README, "Running it for a
        # county"): every worker takes its first request ready.
        "--preload",
    ]
    with (WORK / "gunicorn.log").open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(server, f"{host}/accounts/login/")
            yield host
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_serving(server: subprocess.Popen, url: str, deadline: float = 60) -> None:
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}: see {WORK / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (our own loopback URL)
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {deadline} s")


def locust(args: argparse.Namespace, host: str, accounts: Path, password: str, report: Path) -> None:
    command = [
        *(sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless"),
        *("--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", args.time),
        *("--stop-timeout", str(STOP_TIMEOUT), "--host", host, "--only-summary"),
        *("--accounts", str(accounts), "--password", password, "--report", str(report)),
    ]
    # Locust exits 1 when any request failed; whether that is too many is decided below, from its figures.
    env = {**os.environ, "LOAD_WAIT": args.wait}
    subprocess.run(command, cwd=ROOT, check=False, env=env, timeout=args.seconds + STOP_TIMEOUT + 120)
    if not report.exists():
        raise SystemExit("locust ended without writing its report: see its output above")


def request_figures(report: dict) -> dict:
    total = report["by_request"]["all"]
    return {
        "requests": total["requests"],
        "failures": total["failures"],
        "failure_rate": round(total["failures"] / total["requests"], 4) if total["requests"] else None,
        # after_logins: the same figures from the moment every simulated worker had logged in.
        **{
            key: report[key]
            for key in ("by_request", "failures_seen", "locustfile_exceptions", "logged_in", "after_logins")
        },
    }


def visit_check(report: dict, usernames: list[str], started) -> dict:
    """The database against what the simulated workers were told: every acknowledged token once, no token
    twice, and every visit made during the run accounted for (a post whose answer was lost — a timeout —
    may still have been recorded: counted apart, not an error)."""
    from django.db.models import Count

    from visits.models import Visit

    acknowledged, unacknowledged = set(report["acknowledged"]), set(report["unacknowledged"])
    posted = acknowledged | unacknowledged
    rows = Counter(str(t) for t in Visit.objects.filter(client_token__in=posted).values_list("client_token", flat=True))
    during = Visit.objects.filter(worker__username__in=usernames, recorded_at__gte=started)
    return {
        "posted": len(posted),
        "acknowledged": len(acknowledged),
        "acknowledged_in_db_once": sum(1 for t in acknowledged if rows[t] == 1),
        "acknowledged_missing": sum(1 for t in acknowledged if rows[t] == 0),
        "acknowledged_more_than_once": sum(1 for t in acknowledged if rows[t] > 1),
        "tokens_with_several_rows": Visit.objects.exclude(client_token=None)
        .values("client_token")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count(),
        "not_acknowledged_but_in_db": sum(1 for t in unacknowledged if rows[t]),
        "not_acknowledged_not_in_db": sum(1 for t in unacknowledged if not rows[t]),
        "created_during_run": during.count(),
        "created_during_run_unexplained": during.exclude(client_token__in=posted).count(),
        **report["counts"],  # what the page said after each post, resends, revisits (see the locustfile)
    }


def problems(summary: dict) -> list[str]:
    found = []
    if summary["failure_rate"] is None or summary["failure_rate"] > MAX_FAILURE_RATE:
        found.append(f"failure rate {summary['failure_rate']} over {MAX_FAILURE_RATE}")
    if summary["logged_in"] < summary["run"]["users"]:
        found.append(f"only {summary['logged_in']} of {summary['run']['users']} simulated workers logged in")
    if summary["locustfile_exceptions"]:
        found.append("the locustfile raised exceptions (see locustfile_exceptions)")
    visits = summary["visits"]
    if not visits["acknowledged"]:
        found.append("no visit was acknowledged")
    for key in (
        "acknowledged_missing",
        "acknowledged_more_than_once",
        "tokens_with_several_rows",
        "created_during_run_unexplained",
        "said_already_on_first_post",
        "said_nothing",
    ):
        if visits[key]:
            found.append(f"{key}: {visits[key]}")
    return found


if __name__ == "__main__":
    sys.exit(main())

"""Time the registry pages on the current database (the demo data, or a generated county).

    python manage.py bench_pages [--requests 30]

Prints one JSON object per scenario: p50 / p95 / max milliseconds over the requests, SQL queries of one
request, and the status code. It drives the pages through Django's test client in-process, so the
figures are server time (view, queries, template) without network or browser.
"""

from __future__ import annotations

import json
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes.models import Case
from grids.models import User, Village
from residents.models import Household, Resident
from visits import reminders
from visits.models import VISIT_KINDS


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(q * (len(ordered) - 1)))
    return ordered[index]


class Command(BaseCommand):
    help = "Time the registry pages (JSON lines: p50/p95/max ms, queries)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--staff", default="staff")
        parser.add_argument("--worker", default="worker")

    def handle(self, *args, requests: int, staff: str, worker: str, town: str = "town", **options):
        village = Village.objects.get(
            pk=User.objects.get(username=staff).assignments.filter(village__isnull=False).first().village_id
        )
        household = Household.objects.filter(village=village).order_by("number")[100]
        resident = Resident.objects.filter(village=village).order_by("pk").first()
        deep_page = max(1, Household.objects.filter(village=village).count() // 50 - 1)
        case = Case.objects.filter(village=village).annotate(n=Count("events")).order_by("-n").first()
        scenarios = [
            (staff, "village overview", reverse("reports:village-overview", args=[village.pk])),
            (staff, "household list", reverse("residents:household-list")),
            (staff, "household list, filtered", reverse("residents:household-list") + "?living_status=away&tag=party"),
            (staff, "household list, deep page", reverse("residents:household-list") + f"?page={deep_page}"),
            (staff, "household list, search by name", reverse("residents:household-list") + f"?q={resident.name}"),
            (staff, "resident list", reverse("residents:resident-list")),
            (staff, "resident list, filtered", reverse("residents:resident-list") + "?lives_here=false&gender=2"),
            (staff, "resident list, deep page", reverse("residents:resident-list") + "?page=100"),
            (
                staff,
                "resident list, search ID tail",
                reverse("residents:resident-list") + f"?q={resident.id_number[-4:]}",
            ),
            (staff, "key person list", reverse("residents:keyperson-list")),
            (staff, "key place list", reverse("residents:keyplace-list")),
            (staff, "household detail", reverse("residents:household-detail", args=[household.pk])),
            (worker, "field household list", reverse("residents:field-household-list")),
            (worker, "field household search", reverse("residents:field-household-list") + f"?q={resident.name[:1]}"),
            (worker, "field work list", reverse("visits:work-list")),
            (worker, "field work list, search", reverse("visits:work-list") + f"?q={resident.name[:1]}"),
            (worker, "field visit page", reverse("visits:visit-new", args=["household", household.pk])),
            (worker, "field my cases", reverse("disputes:field-cases")),
            (staff, "coverage, village", reverse("visits:coverage")),
            (town, "coverage, town", reverse("visits:coverage")),
            (town, "town home", reverse("reports:town-home")),
            (staff, "case list", reverse("disputes:case-list")),
            (staff, "case list, overdue", reverse("disputes:case-list") + "?overdue=true"),
            (staff, "case list, search", reverse("disputes:case-list") + "?q=纠纷"),
            (town, "town case desk", reverse("disputes:town-desk")),
            (staff, "case page", reverse("disputes:case-detail", args=[case.pk])),
        ]
        # The bench runs with DEBUG off, where demo accounts must change their password first: not here.
        User.objects.filter(username__in={s[0] for s in scenarios}).update(must_change_password=False)
        clients: dict[str, Client] = {}
        for username in {s[0] for s in scenarios}:
            clients[username] = Client(HTTP_HOST="localhost")
            clients[username].force_login(User.objects.get(username=username))
        for username, name, url in scenarios:
            client = clients[username]
            client.get(url)  # warm: templates compiled, connection open
            reset_queries()  # each request resets the log; start the capture from an empty one
            with CaptureQueriesContext(connection) as queries:
                status = client.get(url).status_code
            query_count = len(queries)  # now: the next request clears the log this reads from
            times = []
            for _ in range(requests):
                start = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            row = {
                "scenario": name,
                "url": url,
                "status": status,
                "requests": requests,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(_percentile(times, 0.95), 1),
                "max_ms": round(max(times), 1),
                "queries": query_count,
            }
            self.stdout.write(json.dumps(row, ensure_ascii=False))
        self._bench_reminders(requests=max(3, requests // 10))

    def _bench_reminders(self, *, requests: int) -> None:
        """Computing each reminder kind for every village in the database (planning only: sending is
        inserts, measured by the Celery tests)."""
        from django.utils import timezone

        for kind in VISIT_KINDS:
            times, count = [], 0
            for _ in range(requests):
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    count = len(reminders.plan(kind, timezone.localdate()))
                    times.append((time.perf_counter() - start) * 1000)
            row = {
                "scenario": f"reminder plan: {kind}",
                "requests": requests,
                "messages": count,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(_percentile(times, 0.95), 1),
                "max_ms": round(max(times), 1),
                "queries": len(queries),
            }
            self.stdout.write(json.dumps(row, ensure_ascii=False))

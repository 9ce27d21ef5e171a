"""Demo grid-worker care (docs/scorecard.md), as seed 000 tells it (docs/sources.md): 为网格员办理人身意外险,
每年一次健康体检, 每年开展网格员技能培训, and 今年向镇综治办上报网格优秀工作法、网格优秀案例两篇.

For each demo village's current grid workers: an accident policy for this calendar year and a health check this
year; a town training this year attended by every grid worker of the town and one training per village; village
A (新庄村) reports two good practices this year, a method and a case, and the town office adopts one. The village
profile (location, income, honours, facilities) is not seeded here (tooling/demo/profile.py). Every record goes
through the services; every date is this year and not after today. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from grids.models import Assignment, Role, Town, User, Village
from people import services
from people.models import GoodPractice, HealthCheck, PracticeKind, Training, WorkerInsurance

VILLAGE_A = "新庄村"
INSURER = "中国人民财产保险股份有限公司"
INSTITUTION = "镇卫生院"
TOWN_TRAINING = "网格员业务技能培训"
VILLAGE_TRAINING = "网格员走访与信息采集实务"
PRACTICES = [  # kind, title, body, adopted
    (
        PracticeKind.METHOD,
        "“一格一员一清单”网格工作法",
        "每个网格一名专职网格员，每户一张走访清单：每周在网格工作不少于4天，每月走访全覆盖，发现问题当天上报、"
        "能办的当场办、办不了的按层级转办，办结后回访。",
        True,
    ),
    (
        PracticeKind.CASE,
        "网格员化解一起邻里宅基地纠纷",
        "网格员走访中发现两户因宅基地边界争执，当天上报并会同调解员、法律明白人到场，三次调解后双方签订协议，"
        "矛盾化解在网格。",
        False,
    ),
]


def _day(today: datetime.date, days_ago: int) -> datetime.date:
    """A day this year, ``days_ago`` before today, but not before 1 January."""
    return max(today.replace(month=1, day=1), today - datetime.timedelta(days=days_ago))


def _holder(role: str, **place) -> User | None:
    a = Assignment.objects.current().filter(role=role, **place).select_related("user").order_by("pk").first()
    return a.user if a else None


def seed_care() -> None:
    today = timezone.localdate()
    year = today.year
    for town in Town.objects.filter(villages__name=VILLAGE_A).distinct():
        office = _holder(Role.TOWN_OFFICE, town=town)
        villages = list(Village.objects.filter(town=town, archived_at=None).order_by("pk"))
        for n, village in enumerate(villages):
            staff = _holder(Role.VILLAGE_STAFF, village=village)
            if staff is None:
                continue
            workers = list(services.current_workers(village=village).order_by("pk"))
            for i, worker in enumerate(workers):
                if not WorkerInsurance.objects.filter(worker=worker, starts_on__year=year).exists():
                    policy = WorkerInsurance(
                        village=village,
                        worker=worker,
                        insurer=INSURER,
                        policy_number=f"PAE{year}{village.pk:03d}{i + 1:03d}",
                        starts_on=datetime.date(year, 1, 1),
                        ends_on=datetime.date(year, 12, 31),
                    )
                    services.insurance_save(by=staff, insurance=policy)
                if not HealthCheck.objects.filter(worker=worker, checked_on__year=year).exists():
                    check = HealthCheck(
                        village=village, worker=worker, checked_on=_day(today, 45 + i), institution=INSTITUTION
                    )
                    services.health_check_add(by=staff, check=check)
            if workers and not Training.objects.filter(village=village, held_on__year=year).exists():
                training = Training(
                    town=town,
                    village=village,
                    title=VILLAGE_TRAINING,
                    held_on=_day(today, 30 + n),
                    organiser=f"{village.name}村委会",
                    hours=Decimal("2.0"),
                )
                services.training_save(by=staff, training=training, attendees=workers)
        if office is not None and not Training.objects.filter(town=town, village=None, held_on__year=year).exists():
            training = Training(
                town=town,
                title=TOWN_TRAINING,
                held_on=_day(today, 60),
                organiser=f"{town.name}综治办",
                hours=Decimal("4.0"),
            )
            services.training_save(by=office, training=training, attendees=list(services.current_workers(town=town)))
        _seed_practices(town, office, today)


def _seed_practices(town: Town, office: User | None, today: datetime.date) -> None:
    village = Village.objects.filter(town=town, name=VILLAGE_A).first()
    staff = village and _holder(Role.VILLAGE_STAFF, village=village)
    if staff is None or GoodPractice.objects.filter(village=village, reported_on__year=today.year).exists():
        return
    for n, (kind, title, body, adopted) in enumerate(PRACTICES):
        practice = GoodPractice(
            village=village, kind=kind, title=title, body=body, reported_on=_day(today, 50 - 20 * n)
        )
        services.practice_report(by=staff, practice=practice)
        if adopted and office is not None:
            services.practice_adopt(by=office, practice=practice, note="经验做法可复制，在全镇推广。")

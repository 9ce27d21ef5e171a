"""Co-governance in a generated county (docs/cogovernance.md), in the demo's shape (``tooling.demo.cogovernance``):
per village four to seven deliberations across the stages — always one closed after its implementation and one
being implemented, the others drawn from the rest — each with the timeline the services write (one event per
move), research before submission, the Party's approval by the village's 党委 or 党总支, the deliberation
meeting, the resolution after the publicity week, progress notes with money; two to four projects (one from
the closed deliberation); a 村规民约 and one or two 公约 with one or two versions each. Rows go through the
writer (COPY), like the rest of the run: a few dozen rows a village, well under a second per thousand villages.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from cogovernance.models import (
    AdoptedBy,
    Deliberation,
    DeliberationEvent,
    DeliberationMeeting,
    DocumentKind,
    DocumentVersion,
    Progress,
    Project,
    ProjectKind,
    Research,
    ResearchKind,
    Stage,
    VillageDocument,
)
from tooling.demo.cogovernance import CLEAN_TEXT, ROAD_TEXT, RULES_TEXT

from .activity import Calendar
from .territory import County, VillagePlan
from .writer import Writer

PATH = [
    Stage.PROPOSED,
    Stage.RESEARCH,
    Stage.SUBMITTED,
    Stage.PUBLISHED,
    Stage.DELIBERATED,
    Stage.RESOLVED,
    Stage.IMPLEMENTING,
    Stage.CLOSED,
]
OTHERS = [Stage.PROPOSED, Stage.RESEARCH, Stage.SUBMITTED, Stage.RETURNED, Stage.PUBLISHED, Stage.DELIBERATED]
TOPICS = [
    ("安装路灯", ProjectKind.LIGHTING, "盏", (40, 200), 1100),
    ("硬化通组道路", ProjectKind.ROAD, "公里", (1, 6), 250000),
    ("新建文体广场", ProjectKind.SQUARE, "处", (1, 2), 120000),
    ("自然村污水管网", ProjectKind.SEWAGE, "个自然村", (1, 3), 450000),
    ("改造饮水管网", ProjectKind.WATER, "户", (50, 300), 800),
    ("清理黑臭水沟", ProjectKind.OTHER, "条", (2, 8), 15000),
]
CONVENTIONS = [("村庄清洁公约", CLEAN_TEXT), ("村社公路管护村规民约", ROAD_TEXT)]


class CoGovernance:
    def __init__(self, writer: Writer, rng: random.Random, calendar: Calendar, tops: dict[int, int]):
        self.rng, self.cal, self.tops = rng, calendar, tops
        self.d_t = writer.table(
            Deliberation,
            [
                "id",
                "village_id",
                "title",
                "summary",
                "proposer",
                "stage",
                "version",
                "party_organisation_id",
                "approved_on",
                "publish_on",
                "opinions_to",
                "public_token",
                "resolution",
                "resolved_on",
                "closed_on",
                "created_by_id",
                "created_at",
            ],
        )
        self.events_t = writer.table(
            DeliberationEvent, ["deliberation_id", "from_stage", "to_stage", "note", "by_id", "at"]
        )
        self.research_t = writer.table(
            Research, ["deliberation_id", "kind", "held_on", "count", "summary", "recorded_by_id", "recorded_at"]
        )
        self.meetings_t = writer.table(
            DeliberationMeeting,
            [
                "deliberation_id",
                "held_on",
                "place",
                "cppcc_members",
                "representatives",
                "departments",
                "department_people",
                "residents",
                "minutes",
                "recorded_by_id",
                "recorded_at",
            ],
        )
        self.progress_t = writer.table(
            Progress, ["deliberation_id", "noted_on", "text", "spent", "recorded_by_id", "recorded_at"]
        )
        self.projects_t = writer.table(
            Project,
            [
                "village_id",
                "title",
                "kind",
                "quantity",
                "unit",
                "deliberation_id",
                "budget",
                "spent",
                "started_on",
                "done_on",
                "created_by_id",
            ],
        )
        self.documents_t = writer.table(VillageDocument, ["id", "village_id", "kind", "title", "created_by_id"])
        self.versions_t = writer.table(
            DocumentVersion,
            [
                "document_id",
                "number",
                "text",
                "adopted_on",
                "adopted_by",
                "adoption_note",
                "copies",
                "recorded_by_id",
                "recorded_at",
            ],
        )
        self._midnight: dict[datetime.date, datetime.datetime] = dict(calendar.midnight)

    def at(self, day: datetime.date) -> datetime.datetime:
        """Ten in the morning of ``day`` (never after now)."""
        if day not in self._midnight:
            self._midnight[day] = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
        return min(self._midnight[day] + datetime.timedelta(hours=10), self.cal.now)

    def build(self, county: County, tick: Callable[[int], None]) -> None:
        for n, village in enumerate(county.villages, start=1):
            self._village(village)
            if n % 50 == 0:
                tick(n)

    def _village(self, village: VillagePlan) -> None:
        rng = self.rng
        stages = [Stage.CLOSED, Stage.IMPLEMENTING] + [rng.choice(OTHERS) for _ in range(rng.randint(2, 5))]
        topics = rng.sample(TOPICS, len(TOPICS))
        for k, stage in enumerate(stages):
            self._deliberation(village, stage, topics[k % len(topics)], first=k == 0)
        for topic in topics[len(stages) % len(topics) :][: rng.randint(1, 3)]:
            self._project(village, topic, None, self.cal.today - datetime.timedelta(days=rng.randint(60, 700)))
        self._documents(village)

    def _deliberation(self, village: VillagePlan, target: str, topic, *, first: bool) -> None:
        rng, today, staff = self.rng, self.cal.today, village.staff_id
        title, _kind, unit, (low, high), unit_cost = topic
        path = [Stage.PROPOSED, Stage.SUBMITTED, Stage.RETURNED] if target == Stage.RETURNED else PATH
        path = path[: path.index(target) + 1]
        if rng.random() < 0.3 and Stage.RESEARCH in path:  # some go straight to the Party organisation
            path.remove(Stage.RESEARCH)
        # The steps' offsets from the proposal, then the proposal placed so the last step is not after today.
        gaps = {
            Stage.RESEARCH: (2, 8),
            Stage.SUBMITTED: (5, 20),
            Stage.RETURNED: (2, 6),
            Stage.PUBLISHED: (2, 7),  # the approval; published the next day
            Stage.DELIBERATED: (2, 6),  # after publication
            Stage.RESOLVED: (7, 12),  # after publication: the publicity week has ended
            Stage.IMPLEMENTING: (2, 10),
            Stage.CLOSED: (30, 120),
        }
        offsets, day = {Stage.PROPOSED: 0}, 0
        for step in path[1:]:
            low_gap, high_gap = gaps[step]
            if step == Stage.DELIBERATED:
                day = offsets[Stage.PUBLISHED] + 1 + rng.randint(low_gap, high_gap)
            elif step == Stage.RESOLVED:
                day = offsets[Stage.PUBLISHED] + 1 + rng.randint(low_gap, high_gap)
                day = max(day, offsets[Stage.DELIBERATED])
            else:
                day += rng.randint(low_gap, high_gap)
            offsets[step] = day
        slack = 600 if first else (200 if target == Stage.IMPLEMENTING else 40)
        start = today - datetime.timedelta(days=day + rng.randint(0, slack))
        if target == Stage.PUBLISHED and rng.random() < 0.5:  # in its publicity week
            start = today - datetime.timedelta(days=offsets[Stage.PUBLISHED] + 1 + rng.randint(0, 5))
        dates = {s: start + datetime.timedelta(days=o) for s, o in offsets.items()}
        approved = dates.get(Stage.PUBLISHED)
        publish_on = approved + datetime.timedelta(days=1) if approved else None
        quantity = rng.randint(low, high)
        cost = Decimal(quantity * unit_cost)
        resolved_on = dates.get(Stage.RESOLVED)
        d_id = self.d_t.new_id()
        self.d_t.add(
            (
                d_id,
                village.id,
                f"{title}{quantity}{unit}",
                f"群众反映需要{title}，拟{title}{quantity}{unit}，约需资金{cost:.0f}元。",
                rng.choice(["村民代表", "网格员", "村“两委”", "老党员", "村民"]),
                target,
                len(path),
                self.tops.get(village.id) if approved else None,
                approved,
                publish_on,
                "村委会办公室" if approved else "",
                secrets.token_urlsafe(24),
                f"{title}{quantity}{unit}，投资{cost:.0f}元。" if resolved_on else "",
                resolved_on,
                dates.get(Stage.CLOSED),
                staff,
                self.at(start),
            )
        )
        previous = ""
        for step in path:
            note = "调研不充分，请补充群众意见后再报。" if step == Stage.RETURNED else ""
            self.events_t.add((d_id, previous, step, note, staff, self.at(dates[step])))
            previous = step
        if Stage.SUBMITTED in dates:
            research_day = dates.get(Stage.RESEARCH, start) + datetime.timedelta(days=1)
            research_day = min(research_day, dates[Stage.SUBMITTED])
            self.research_t.add(
                (
                    d_id,
                    ResearchKind.QUESTIONNAIRE,
                    research_day,
                    rng.randint(30, 400),
                    "收回问卷，多数赞成。",
                    staff,
                    self.at(research_day),
                )
            )
            if rng.random() < 0.6:
                self.research_t.add(
                    (
                        d_id,
                        ResearchKind.SITE_VISIT,
                        research_day,
                        rng.randint(2, 8),
                        "实地察看。",
                        staff,
                        self.at(research_day),
                    )
                )
        if Stage.DELIBERATED in dates:
            held = dates[Stage.DELIBERATED]
            self.meetings_t.add(
                (
                    d_id,
                    held,
                    "村党群服务中心会议室",
                    rng.randint(0, 3),
                    rng.randint(8, 25),
                    "镇城建办",
                    rng.randint(1, 4),
                    rng.randint(0, 20),
                    "实地察看后逐项协商，一致同意。",
                    staff,
                    self.at(held),
                )
            )
        if Stage.IMPLEMENTING in dates:
            begun = dates[Stage.IMPLEMENTING]
            end = dates.get(Stage.CLOSED, today)
            notes = sorted(
                begun + datetime.timedelta(days=rng.randint(1, max(1, (end - begun).days))) for _ in range(3)
            )
            notes = [min(n, end) for n in notes]
            shares = [Decimal(40), Decimal(35), Decimal(25)] if Stage.CLOSED in dates else [Decimal(30), Decimal(20), 0]
            spent = Decimal(0)
            for n, share in zip(notes, shares, strict=True):
                amount = (cost * share / 100).quantize(Decimal("0.01"))
                spent += amount
                self.progress_t.add((d_id, n, "施工推进。", amount, staff, self.at(n)))
            self._project(village, topic, d_id, begun, done_on=dates.get(Stage.CLOSED), quantity=quantity, spent=spent)

    def _project(self, village, topic, deliberation_id, started_on, *, done_on=None, quantity=None, spent=None):
        rng = self.rng
        title, kind, unit, (low, high), unit_cost = topic
        quantity = quantity or rng.randint(low, high)
        budget = Decimal(quantity * unit_cost)
        if deliberation_id is None and rng.random() < 0.8:
            done_on = min(started_on + datetime.timedelta(days=rng.randint(30, 150)), self.cal.today)
        if spent is None:
            spent = budget * Decimal("0.97") if done_on else budget * Decimal("0.4")
        self.projects_t.add(
            (
                village.id,
                f"{title}{quantity}{unit}",
                kind,
                quantity,
                unit,
                deliberation_id,
                budget,
                spent.quantize(Decimal("0.01")),
                started_on,
                done_on,
                village.staff_id,
            )
        )

    def _documents(self, village: VillagePlan) -> None:
        rng, today, staff = self.rng, self.cal.today, village.staff_id
        papers = [(DocumentKind.RULES, f"{village.name}村规民约", RULES_TEXT)]
        papers += [(DocumentKind.CONVENTION, t, text) for t, text in rng.sample(CONVENTIONS, rng.randint(1, 2))]
        for kind, title, text in papers:
            doc_id = self.documents_t.new_id()
            self.documents_t.add((doc_id, village.id, kind, title, staff))
            adopted = today - datetime.timedelta(days=rng.randint(200, 1500))
            for number in range(1, rng.randint(1, 2) + 1):
                self.versions_t.add(
                    (
                        doc_id,
                        number,
                        text,
                        adopted,
                        rng.choice([AdoptedBy.VILLAGERS_MEETING, AdoptedBy.REPRESENTATIVES]),
                        "表决通过。",
                        rng.choice([300, 500, 800, 1000, 1200]),
                        staff,
                        self.at(adopted),
                    )
                )
                adopted = min(adopted + datetime.timedelta(days=rng.randint(100, 400)), today)

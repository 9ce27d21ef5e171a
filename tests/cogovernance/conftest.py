"""Co-governance fixtures on top of the test world (tests/conftest.py)."""

from __future__ import annotations

import datetime

import pytest

from cogovernance import services
from cogovernance.models import Deliberation, DeliberationMeeting, Stage

D = datetime.date


def propose(village, by, *, title="安装路灯", **fields) -> Deliberation:
    d = Deliberation(
        village=village, title=title, summary="村内主干道夜间无照明，群众出行不便。", proposer="村民代表", **fields
    )
    return services.deliberation_save(by=by, deliberation=d)


def meeting(held_on: datetime.date) -> DeliberationMeeting:
    return DeliberationMeeting(
        held_on=held_on,
        place="村委会议室",
        cppcc_members=2,
        representatives=15,
        departments="镇城建办",
        department_people=2,
        residents=6,
        minutes="现场察看后逐项协商。",
    )


def to_stage(d: Deliberation, stage: str, by, *, publish_on: datetime.date | None = None) -> Deliberation:
    """Take a deliberation along the main path until it stands at ``stage``."""
    order = [
        Stage.PROPOSED,
        Stage.RESEARCH,
        Stage.SUBMITTED,
        Stage.PUBLISHED,
        Stage.DELIBERATED,
        Stage.RESOLVED,
        Stage.IMPLEMENTING,
        Stage.CLOSED,
    ]
    publish_on = publish_on or D(2026, 1, 10)
    approved_on = publish_on - datetime.timedelta(days=1)
    for step in order[order.index(d.stage) + 1 : order.index(stage) + 1] if stage in order else []:
        if step in (Stage.RESEARCH, Stage.SUBMITTED, Stage.IMPLEMENTING):
            d = services.deliberation_move(deliberation=d, to=step, by=by)
        elif step == Stage.PUBLISHED:
            d = services.deliberation_approve(
                deliberation=d, by=by, approved_on=approved_on, publish_on=publish_on, opinions_to="村委会办公室"
            )
        elif step == Stage.DELIBERATED:
            d = services.deliberation_meeting(
                deliberation=d, by=by, meeting=meeting(publish_on + datetime.timedelta(days=2))
            )
        elif step == Stage.RESOLVED:
            d = services.deliberation_resolve(
                deliberation=d,
                by=by,
                resolution="安装路灯 187 盏。",
                resolved_on=publish_on + datetime.timedelta(days=7),
            )
        elif step == Stage.CLOSED:
            d = services.deliberation_close(
                deliberation=d, by=by, note="全部完工。", closed_on=publish_on + datetime.timedelta(days=60)
            )
    return d


@pytest.fixture
def deliberation(world, staff) -> Deliberation:
    return propose(world.village, staff)

"""How often a key person must be visited: the one rule table, each rule with its source (docs/sources.md).

Seed 003 (网格化治理经验材料): every month a grid worker visits every household, key person, key place
and key location of the grid once ("全覆盖") — so no key person is visited less than monthly.
Seed 000 (示范村验收汇报): community-corrections persons, released prisoners and severe mental-disorder
patients are visited every month; patients are visited with the guardian by a village cadre, the
psychiatric doctor and the community police officer ("四帮一" for risk level 3 and above).
国家基本公共卫生服务规范（第三版）· 严重精神障碍患者管理服务规范: an unstable patient (危险性评估 3–5 级)
is followed up again within 2 weeks.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When


@dataclass(frozen=True)
class Cadence:
    interval_days: int
    visits_per_month: int
    source: str


MONTHLY = Cadence(30, 1, "网格化治理经验材料: 每月全覆盖走访")

# (category, minimum risk level or None) → cadence; the first matching row wins.
RULES: list[tuple[str, int | None, Cadence]] = [
    ("mental", 3, Cadence(14, 2, "国家基本公共卫生服务规范: 危险性3–5级 2周内随访; 示范村验收汇报: 四帮一")),
    ("mental", None, Cadence(30, 1, "示范村验收汇报: 严重精神障碍患者每月入户随访")),
    ("corrections", None, Cadence(30, 1, "示范村验收汇报: 社区矫正人员每月走访")),
    ("released", None, Cadence(30, 1, "示范村验收汇报: 刑满释放人员每月走访、安置帮教")),
]


def cadence_for(category: str, risk_level: int | None) -> Cadence:
    for rule_category, min_level, cadence in RULES:
        if rule_category == category and (min_level is None or (risk_level or 0) >= min_level):
            return cadence
    return MONTHLY


def visit_interval_days(category: str, risk_level: int | None) -> int:
    return cadence_for(category, risk_level).interval_days


def intervals() -> set[int]:
    """Every interval a key person can have: the rules' and the monthly default."""
    return {cadence.interval_days for _category, _level, cadence in RULES} | {MONTHLY.interval_days}


def interval_days_expression() -> Case:
    """``visit_interval_days`` in SQL, from the same table: for lists that filter by it (only the overdue)."""
    whens = []
    for rule_category, min_level, cadence in RULES:
        condition = Q(category=rule_category)
        if min_level is not None:
            condition &= Q(risk_level__gte=min_level)
        whens.append(When(condition, then=Value(cadence.interval_days)))
    return Case(*whens, default=Value(MONTHLY.interval_days), output_field=IntegerField())

"""The draft's sentences, built from ``facts.Facts`` (docs/scorecard.md, "The 汇报材料 draft").

Seed 000 is the model: a profile paragraph with figures, one chapter per 六好 criterion, a closing paragraph.
Every sentence is made of the clauses whose figures the data has: a figure that is missing or nought leaves
its clause out rather than being invented; a criterion with nothing recorded says so plainly.
The Word document and the printable page both render the ``Draft`` returned by ``build``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civility.models import ActivityKind, Honour
from grids.models import Role
from party.models import MeetingKind
from people.models import PracticeKind

from .facts import Facts, plain_number

# The six criteria (六好) in the order of seed 000, with the heading the seed gives each chapter.
CRITERIA = [
    ("party", gettext_lazy("基层党建好"), gettext_lazy("强化党建引领，筑牢战斗堡垒")),
    ("structure", gettext_lazy("治理架构好"), gettext_lazy("规范阵地建设，完善服务功能")),
    ("capacity", gettext_lazy("能力建设好"), gettext_lazy("加强能力建设，提升服务质效")),
    ("safety", gettext_lazy("社会治安好"), gettext_lazy("提升治安水平，推进多元化解")),
    ("cogovernance", gettext_lazy("共治成效好"), gettext_lazy("彰显共治成效，强化为民服务")),
    ("civility", gettext_lazy("乡风民风好"), gettext_lazy("深耕法治宣传，培育文明新风")),
]
_ORDINALS = "一二三四五六"

# 三会一课: the branch committee and the group meeting monthly, the assembly and the Party lecture quarterly.
THREE_MEETINGS = [
    MeetingKind.BRANCH_COMMITTEE,
    MeetingKind.GROUP_MEETING,
    MeetingKind.GENERAL_ASSEMBLY,
    MeetingKind.PARTY_LECTURE,
]


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]

    def __post_init__(self):
        # Choice labels are lazy: the table holds plain text, as the document and the page show it.
        self.caption = str(self.caption)
        self.header = [str(cell) for cell in self.header]
        self.rows = [[str(cell) for cell in row] for row in self.rows]


@dataclass
class Chapter:
    key: str
    criterion: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Draft:
    title: str
    period_label: str
    opening: str
    profile: str
    chapters: list[Chapter]
    closing: str

    def text(self) -> str:
        """Every word of the draft, for tests and search."""
        parts = [self.title, self.opening, self.profile]
        for chapter in self.chapters:
            parts.append(chapter.heading)
            parts += chapter.paragraphs
            for table in chapter.tables:
                parts.append(table.caption)
                parts += ["\t".join(table.header)] + ["\t".join(row) for row in table.rows]
        parts.append(self.closing)
        return "\n".join(parts)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else ""


def _join(clauses: list[str]) -> str:
    """Clauses joined with commas and closed with a full stop; empty when there are none."""
    clauses = [c for c in clauses if c]
    return "，".join(clauses) + "。" if clauses else ""


def _list(names: list[str]) -> str:
    return "、".join(str(name) for name in names)


# --- The profile -----------------------------------------------------------------------------------------


def profile(facts: Facts) -> str:
    village, t, p = facts.village, facts.territory, facts.people
    first = [village.name + (village.location or "")]
    if village.area_km2:
        first.append(_("总面积%(a)s平方公里") % {"a": plain_number(village.area_km2)})
    if p["households"]:
        first.append(_("户数%(n)s户") % {"n": p["households"]})
    if p["registered"]:
        first.append(_("人口%(n)s人") % {"n": p["registered"]})
    if p["living"]:
        first.append(_("常住人口%(n)s人") % {"n": p["living"]})
    if t["natural_villages"]:
        first.append(_("自然村%(n)s个") % {"n": t["natural_villages"]})
    if t["groups"]:
        first.append(_("下辖%(n)s个村民小组") % {"n": t["groups"]})
    if t["grids"]:
        first.append(_("分为%(n)s个网格") % {"n": t["grids"]})
    if t["micro_grids"]:
        first.append(_("%(n)s个微网格") % {"n": t["micro_grids"]})
    liaisons = facts.holders.get(Role.LIAISON, 0)
    if liaisons:
        first.append(_("配备%(n)s名微网格联络员") % {"n": liaisons})
    sentences = [_join(first)]
    party = facts.party
    if party["top"] or party["members"]:
        clauses = []
        if party["top"] and party["branches"]:
            clauses.append(_("%(top)s下辖%(n)s个党支部") % {"top": party["top"], "n": party["branches"]})
        elif party["top"]:
            clauses.append(party["top"])
        if party["members"]:
            clauses.append(_("共有党员%(n)s名") % {"n": party["members"]})
        sentences.append(_join(clauses))
    economy = []
    if facts.income:
        economy.append(
            _("%(y)s年村集体收入%(a)s万元") % {"y": facts.income.year, "a": plain_number(facts.income.amount)}
        )
    if village.industries:
        economy.append(_("主要经济产业为%(i)s") % {"i": village.industries})
    sentences.append(_join(economy))
    if facts.honours:
        sentences.append(
            _join(
                [
                    _("%(y)s年被评为%(by)s%(t)s") % {"y": h["year"], "by": h["awarded_by"], "t": h["title"]}
                    for h in facts.honours
                ]
            )
        )
    return "".join(sentences)


# --- The chapters ----------------------------------------------------------------------------------------


def chapter_summary(key: str, facts: Facts) -> str:
    """The chapter's opening sentence: the period's headline figure for the criterion.

    Built from the draft's own facts; the sentence on the scorecard's indicators (``scorecard_sentence``) may
    follow it in ``build``."""
    label = facts.period.label
    if key == "party":
        meetings = sum(facts.meetings.values())
        if meetings or facts.contacts["contacts"]:
            return _("%(p)s，村党组织共召开各类会议%(m)s次，党员联系群众%(c)s次。") % {
                "p": label,
                "m": meetings,
                "c": facts.contacts["contacts"],
            }
    elif key == "structure":
        if facts.territory["grids"]:
            return _("%(p)s，全村按“全域网格”划分%(g)s个网格、%(m)s个微网格，网格化服务管理覆盖全村。") % {
                "p": label,
                "g": facts.territory["grids"],
                "m": facts.territory["micro_grids"],
            }
    elif key == "capacity":
        if facts.visits["household_visits"]:
            return _("%(p)s，网格员入户走访%(n)s次，走访到户%(h)s户。") % {
                "p": label,
                "n": facts.visits["household_visits"],
                "h": facts.visits["households"],
            }
    elif key == "safety":
        c = facts.cases
        if c["disputes"] or c["hazards"]:
            return _("%(p)s，排查上报矛盾纠纷%(d)s件、安全隐患%(h)s处。") % {
                "p": label,
                "d": c["disputes"],
                "h": c["hazards"],
            }
    elif key == "cogovernance":
        done = sum(1 for project in facts.projects if project["done"])
        if facts.deliberations["published"] or done:
            return _("%(p)s，协商议事公示议题%(d)s个，办结民生实事%(n)s件。") % {
                "p": label,
                "d": len(facts.deliberations["published"]),
                "n": done,
            }
    elif key == "civility":
        count = sum(row["n"] for row in facts.activities)
        if count:
            return _("%(p)s，开展各类文明实践和法治宣传活动%(n)s场（次）。") % {"p": label, "n": count}
    return ""


def _not_recorded(what: str) -> str:
    return _("本期未记录%(w)s。") % {"w": what}


def _party(facts: Facts) -> Chapter:
    chapter = _chapter("party")
    m = facts.meetings
    three = sum(m.get(kind, 0) for kind in THREE_MEETINGS)
    if three or any(m.values()):
        parts = []
        if three:
            detail = _list(
                [_("%(k)s%(n)s次") % {"k": MeetingKind(k).label, "n": m[k]} for k in THREE_MEETINGS if m.get(k)]
            )
            parts.append(_("召开“三会一课”%(n)s次（%(d)s）") % {"n": three, "d": detail})
        if m.get(MeetingKind.THEME_DAY):
            parts.append(_("开展主题党日%(n)s次") % {"n": m[MeetingKind.THEME_DAY]})
        if m.get(MeetingKind.FIVE_LINKAGE):
            parts.append(_("召开“五事联动”会议%(n)s次") % {"n": m[MeetingKind.FIVE_LINKAGE]})
        if m.get(MeetingKind.JOINT):
            parts.append(_("召开支委会、“两委”班子联席会%(n)s次") % {"n": m[MeetingKind.JOINT]})
        chapter.paragraphs.append(_("本期村党组织") + _join(parts))
        chapter.tables.append(
            Table(
                _("党组织会议召开情况"),
                [_("会议类型"), _("次数")],
                [[MeetingKind(kind).label, str(n)] for kind, n in sorted(m.items(), key=_meeting_order) if n],
            )
        )
    else:
        chapter.paragraphs.append(_not_recorded(_("党组织会议")))
    c, households = facts.contacts, facts.people["households"]
    if c["linked"] or c["contacts"]:
        parts = []
        if c["linked"]:
            parts.append(
                _("全村%(n)s户明确了联系党员，占总户数的%(pc)s")
                % {"n": c["linked"], "pc": _percent(c["linked"], households)}
                if households
                else _("全村%(n)s户明确了联系党员") % {"n": c["linked"]}
            )
        if c["contacts"]:
            parts.append(_("本期党员联系群众%(n)s次，联系到户%(h)s户") % {"n": c["contacts"], "h": c["households"]})
        chapter.paragraphs.append(_("落实党员联系户制度，") + _join(parts))
    else:
        chapter.paragraphs.append(_not_recorded(_("党员联系户")))
    return chapter


def _meeting_order(item):
    return _choice_index(MeetingKind, item[0])


def _choice_index(choices, value: str) -> int:
    return choices.values.index(value) if value in choices.values else len(choices.values)


def _structure(facts: Facts) -> Chapter:
    chapter = _chapter("structure")
    t, h = facts.territory, facts.holders
    grid = [
        _("全村划分%(n)s个网格") % {"n": t["grids"]} if t["grids"] else "",
        _("%(n)s个微网格") % {"n": t["micro_grids"]} if t["micro_grids"] else "",
        _("配备网格员%(n)s名") % {"n": h.get(Role.GRID_WORKER)} if h.get(Role.GRID_WORKER) else "",
        _("微网格联络员%(n)s名") % {"n": h.get(Role.LIAISON)} if h.get(Role.LIAISON) else "",
        _("信息员%(n)s名") % {"n": h.get(Role.INFO_OFFICER)} if h.get(Role.INFO_OFFICER) else "",
    ]
    chapter.paragraphs.append(_join(grid) or _not_recorded(_("网格划分")))
    safety = facts.meetings.get(MeetingKind.SAFETY_GROUP, 0)
    if safety:
        chapter.paragraphs.append(
            _("村平安建设领导小组本期召开会议%(n)s次，研究解决信访、矛盾纠纷等重难点工作。") % {"n": safety}
        )
    if facts.facilities:
        chapter.paragraphs.append(
            _("建设有%(f)s等服务阵地，为党员群众提供一站式服务。") % {"f": _list(facts.facilities)}
        )
    else:
        chapter.paragraphs.append(_not_recorded(_("服务阵地")))
    care = [
        _("为%(n)s名网格员办理人身意外险") % {"n": facts.care["insured"]} if facts.care["insured"] else "",
        _("组织%(n)s名网格员进行健康体检") % {"n": facts.care["checked"]} if facts.care["checked"] else "",
    ]
    chapter.paragraphs.append(
        (_("加强对网格员的关心关爱，") + _join(care)) if any(care) else _not_recorded(_("网格员保险和体检"))
    )
    practices = facts.practices
    if practices:
        detail = _list(
            [
                _("%(k)s%(n)s篇") % {"k": PracticeKind(kind).label, "n": row["n"]}
                for kind, row in sorted(practices.items())
                if row["n"]
            ]
        )
        adopted = sum(row["adopted"] for row in practices.values())
        sentence = _("本期向镇综治办上报%(d)s") % {"d": detail}
        if adopted:
            sentence += _("，其中%(n)s篇被采用") % {"n": adopted}
        chapter.paragraphs.append(sentence + "。")
    chapter.tables.append(
        Table(
            _("网格化服务管理架构"),
            [_("项目"), _("数量")],
            [
                [_("网格"), str(t["grids"])],
                [_("微网格"), str(t["micro_grids"])],
                [_("网格员"), str(h.get(Role.GRID_WORKER, 0))],
                [_("微网格联络员"), str(h.get(Role.LIAISON, 0))],
                [_("信息员"), str(h.get(Role.INFO_OFFICER, 0))],
            ],
        )
    )
    return chapter


def _capacity(facts: Facts) -> Chapter:
    chapter = _chapter("capacity")
    v, households = facts.visits, facts.people["households"]
    if v["household_visits"] or v["place_visits"]:
        parts = []
        if v["household_visits"]:
            parts.append(_("网格员入户走访%(n)s次") % {"n": v["household_visits"]})
            reached = _("走访到户%(h)s户") % {"h": v["households"]}
            if households:
                reached += _("，占全村户数的%(pc)s") % {"pc": _percent(v["households"], households)}
            parts.append(reached)
        if v["place_visits"]:
            parts.append(_("重点场所巡查%(n)s次") % {"n": v["place_visits"]})
        chapter.paragraphs.append(
            _("本期") + _join(parts) + _("对巡查中发现的问题及时解决，不能解决的第一时间上报村委。")
        )
    else:
        chapter.paragraphs.append(_not_recorded(_("网格员入户走访")))
    tr = facts.trainings
    if tr["trainings"]:
        parts = [_("组织网格员技能培训%(n)s次") % {"n": tr["trainings"]}]
        if tr["hours"]:
            parts.append(_("共%(h)s学时") % {"h": plain_number(Decimal(tr["hours"]))})
        if tr["attendees"]:
            parts.append(_("本村%(n)s人参训") % {"n": tr["attendees"]})
        chapter.paragraphs.append(_("本期") + _join(parts))
    else:
        chapter.paragraphs.append(_not_recorded(_("网格员技能培训")))
    if facts.party_activities:
        chapter.paragraphs.append(
            _("党员结合主题党日参加人居环境整治等中心工作%(n)s次，深入群众，发动群众参与村级事务。")
            % {"n": facts.party_activities}
        )
    return chapter


def _safety(facts: Facts) -> Chapter:
    chapter = _chapter("safety")
    c = facts.cases
    if c["disputes"]:
        parts = [_("本期排查上报矛盾纠纷%(n)s件") % {"n": c["disputes"]}]
        if c["disputes_village"]:
            parts.append(_("由村组、网格员和村调委会调处化解%(n)s件") % {"n": c["disputes_village"]})
        if c["disputes_agreement"]:
            parts.append(_("达成调解协议%(n)s件") % {"n": c["disputes_agreement"]})
        if c["disputes_town"]:
            parts.append(_("上报镇综治中心协调处置%(n)s件") % {"n": c["disputes_town"]})
        chapter.paragraphs.append(_("推行分级调处，") + _join(parts))
    else:
        chapter.paragraphs.append(_not_recorded(_("矛盾纠纷")))
    if facts.mediators:
        chapter.paragraphs.append(
            _("以人大代表、企业负责人、老干部、老党员等组成多元调解团，现有成员%(n)s名。") % {"n": facts.mediators}
        )
    if c["hazards"]:
        closed = _("，已整改销号%(n)s处") % {"n": c["hazards_closed"]} if c["hazards_closed"] else ""
        chapter.paragraphs.append(_("排查安全隐患%(n)s处") % {"n": c["hazards"]} + closed + "。")
    else:
        chapter.paragraphs.append(_not_recorded(_("安全隐患")))
    v = facts.visits
    if facts.key_persons or v["key_person_visits"]:
        parts = []
        if facts.key_persons:
            parts.append(_("在册重点人员%(n)s人") % {"n": facts.key_persons})
        if v["key_person_visits"]:
            parts.append(_("本期随访%(n)s人次，走访到人%(p)s人") % {"n": v["key_person_visits"], "p": v["key_persons"]})
        chapter.paragraphs.append(_("加强重点人群动态监测，") + _join(parts))
    else:
        chapter.paragraphs.append(_not_recorded(_("重点人员走访")))
    if c["disputes"]:
        chapter.tables.append(
            Table(
                _("矛盾纠纷分级调处情况"),
                [_("项目"), _("件数")],
                [
                    [_("排查上报"), str(c["disputes"])],
                    [_("村级调处化解"), str(c["disputes_village"])],
                    [_("达成调解协议"), str(c["disputes_agreement"])],
                    [_("上报镇级协调处置"), str(c["disputes_town"])],
                ],
            )
        )
    return chapter


def _cogovernance(facts: Facts) -> Chapter:
    chapter = _chapter("cogovernance")
    d = facts.deliberations
    if d["published"] or d["resolved"]:
        parts = []
        if d["published"]:
            topics = _list([_("“%(t)s”") % {"t": title} for title in d["published"]])
            parts.append(_("经党组织审定后公示议题%(n)s个（%(t)s）") % {"n": len(d["published"]), "t": topics})
        if d["resolved"]:
            parts.append(_("形成协商决议%(n)s个") % {"n": d["resolved"]})
        chapter.paragraphs.append(_("健全协商议事机制，本期") + _join(parts))
    else:
        chapter.paragraphs.append(_not_recorded(_("协商议事")))
    done = [p for p in facts.projects if p["done"]]
    going = [p for p in facts.projects if not p["done"]]
    if facts.projects:
        parts = []
        if done:
            works = _list([_work(p) for p in done])
            parts.append(_("办结民生实事%(n)s件：%(w)s") % {"n": len(done), "w": works})
            spent = sum((p["spent"] or Decimal(0)) for p in done)
            if spent:
                parts.append(
                    _("投入资金%(m)s万元") % {"m": plain_number((spent / Decimal(10000)).quantize(Decimal("0.01")))}
                )
        if going:
            parts.append(_("在建%(n)s件") % {"n": len(going)})
        chapter.paragraphs.append(_("为民办实事，") + _join(parts))
        chapter.tables.append(
            Table(
                _("民生实事"),
                [_("项目"), _("数量"), _("投入（万元）"), _("状态")],
                [
                    [
                        p["title"],
                        f"{p['quantity']}{p['unit']}" if p["quantity"] else "",
                        plain_number((p["spent"] / Decimal(10000)).quantize(Decimal("0.01"))) if p["spent"] else "",
                        _("已完工") if p["done"] else _("在建"),
                    ]
                    for p in facts.projects
                ],
            )
        )
    else:
        chapter.paragraphs.append(_not_recorded(_("民生实事项目")))
    c = facts.cases
    if c["requests"]:
        done_text = _("，办结%(n)s件") % {"n": c["requests_done"]} if c["requests_done"] else ""
        chapter.paragraphs.append(
            _("及时回应群众诉求，本期受理群众诉求和代办服务%(n)s件") % {"n": c["requests"]} + done_text + "。"
        )
    else:
        chapter.paragraphs.append(_not_recorded(_("群众诉求")))
    p = facts.people
    if p["wechat"]:
        chapter.paragraphs.append(
            _("网格群覆盖%(n)s户，占总户数的%(pc)s，网格员在群内发布便民信息、政策宣传等内容。")
            % {"n": p["wechat"], "pc": _percent(p["wechat"], p["households"])}
        )
    return chapter


def _work(project: dict) -> str:
    if project["quantity"] and project["unit"]:
        return _("%(t)s（%(q)s%(u)s）") % {"t": project["title"], "q": project["quantity"], "u": project["unit"]}
    return project["title"]


def _civility(facts: Facts) -> Chapter:
    chapter = _chapter("civility")
    rows = sorted(facts.activities, key=lambda r: _choice_index(ActivityKind, r["kind"]))
    if rows:
        parts = [_("%(k)s%(n)s场") % {"k": ActivityKind(r["kind"]).label, "n": r["n"]} for r in rows]
        sentence = _("本期开展%(p)s") % {"p": _list(parts)}
        youth = next((r for r in rows if r["kind"] == ActivityKind.YOUTH and r["people"]), None)
        if youth:
            sentence += _("，青少年活动参与%(n)s人次") % {"n": youth["people"]}
        chapter.paragraphs.append(sentence + "。")
        chapter.tables.append(
            Table(
                _("活动开展情况"),
                [_("类别"), _("场次"), _("参与人次")],
                [[ActivityKind(r["kind"]).label, str(r["n"]), str(r["people"] or 0)] for r in rows],
            )
        )
    else:
        chapter.paragraphs.append(_not_recorded(_("文明实践和法治宣传活动")))
    if facts.set_dates:
        dates = _list([_("%(k)s%(n)s场") % {"k": name, "n": n} for name, n in facts.set_dates])
        chapter.paragraphs.append(_("以重要时点为抓手开展法治宣传：%(d)s。") % {"d": dates})
    if facts.advisors:
        chapter.paragraphs.append(_("加强法律明白人培育，现有法律明白人%(n)s名。") % {"n": facts.advisors})
    if facts.teams:
        members = sum(n for _name, n in facts.teams)
        names = _list([name for name, _n in facts.teams])
        sentence = _("组建%(names)s等志愿服务队%(n)s支") % {"names": names, "n": len(facts.teams)}
        if members:
            sentence += _("，队员%(m)s人") % {"m": members}
        chapter.paragraphs.append(sentence + "。")
    if facts.selections:
        by_honour: dict[str, list[dict]] = {}
        for s in sorted(facts.selections, key=lambda s: _choice_index(Honour, s["honour"])):
            by_honour.setdefault(s["honour"], []).append(s)
        parts = []
        for honour, chosen in by_honour.items():
            names = _list([(s["name"] + _("家庭")) if s["household"] else s["name"] for s in chosen if s["name"]])
            label = Honour(honour).label if honour in Honour.values else honour
            unit = _("户") if all(s["household"] for s in chosen) else _("人")
            parts.append(
                _("%(h)s%(n)s%(u)s（%(names)s）") % {"h": label, "n": len(chosen), "u": unit, "names": names}
                if names
                else _("%(h)s%(n)s%(u)s") % {"h": label, "n": len(chosen), "u": unit}
            )
        chapter.paragraphs.append(_("持续开展先进典型评选，本期评选%(p)s。") % {"p": "；".join(parts)})
    else:
        chapter.paragraphs.append(_not_recorded(_("先进典型评选")))
    r = facts.redemptions
    if r["n"]:
        chapter.paragraphs.append(_("积分超市兑换%(n)s次，兑换积分%(p)s分。") % {"n": r["n"], "p": r["points"]})
    return chapter


def _chapter(key: str) -> Chapter:
    index = [k for k, _c, _h in CRITERIA].index(key)
    _key, criterion, subtitle = CRITERIA[index]
    return Chapter(
        key=key,
        criterion=str(criterion),
        heading=_("%(i)s、%(c)s：%(s)s") % {"i": _ORDINALS[index], "c": criterion, "s": subtitle},
    )


_BUILDERS = {
    "party": _party,
    "structure": _structure,
    "capacity": _capacity,
    "safety": _safety,
    "cogovernance": _cogovernance,
    "civility": _civility,
}


def _figure(indicator) -> str:
    value = f"{indicator.value}{indicator.unit}"
    if indicator.informational:
        return _("%(l)s%(v)s") % {"l": indicator.label, "v": value}
    return _("%(l)s%(v)s（目标%(s)s%(t)s%(u)s）") % {
        "l": indicator.label,
        "v": value,
        "s": indicator.comparison_sign,
        "t": indicator.target,
        "u": indicator.unit,
    }


def scorecard_sentence(criterion) -> str:
    """What the scorecard says of the criterion (docs/scorecard.md): how many of its measured indicators met
    their targets, the score, and each measured figure beside its target. Indicators with nothing recorded are
    left out; a criterion with none measured says so."""
    measured = [i for i in criterion.indicators if i.value is not None]
    if not measured:
        return _("对照“六好”评分细则，本项本期暂无可计算的指标。")
    scored = [i for i in measured if not i.informational]
    met = sum(1 for i in scored if i.met)
    opening = _("对照“六好”评分细则，本项%(n)s项可计算指标中%(m)s项达标") % {"n": len(scored), "m": met}
    if criterion.score is not None:
        opening += _("，得分%(s)s分") % {"s": criterion.score}
    return _("%(o)s：%(f)s。") % {"o": opening, "f": "；".join(_figure(i) for i in measured)}


def build(facts: Facts, scores=None) -> Draft:
    """The draft from ``facts``; ``scores`` (the village's scorecard for the same period) adds each chapter's
    sentence on the indicators after its opening."""
    village = facts.village
    by_criterion = {c.code: c for c in scores.criteria} if scores is not None else {}
    chapters = []
    for key, _criterion, _subtitle in CRITERIA:
        chapter = _BUILDERS[key](facts)
        opening = [chapter_summary(key, facts)]
        if key in by_criterion:
            opening.append(scorecard_sentence(by_criterion[key]))
        chapter.paragraphs[0:0] = [p for p in opening if p]
        chapters.append(chapter)
    names = _list([str(c) for _k, c, _s in CRITERIA])
    return Draft(
        title=_("%(v)s基层社会治理示范村验收汇报材料") % {"v": village.name},
        period_label=facts.period.label,
        opening=_(
            "首先欢迎大家到%(v)s开展示范村验收工作，下面简单介绍一下%(v)s的情况，并围绕评选标准的“六好”（%(c)s）"
            "汇报%(p)s的工作。"
        )
        % {"v": village.name, "c": names, "p": facts.period.label},
        profile=profile(facts),
        chapters=chapters,
        closing=_(
            "各位领导，以上是%(v)s基本情况及围绕“六好”评选标准，对照本村实际情况进行的汇报，如有不到之处请各位领导批评指正。"
        )
        % {"v": village.name},
    )

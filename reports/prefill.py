"""The written sections of a monthly report, drafted from the month's records (docs/scorecard.md, "Monthly
report, pre-filled").

``draft(village, month)`` writes the four sections of ``models.SECTIONS`` as plain Chinese text, one short
sentence per source that has something to say. It starts from the figures ``figures.compute`` returns (the
page that shows the report has them already and passes them in, so nothing is counted twice) and reads only
what those figures do not hold: the month's activity titles and the set dates they answer, the projects
finished, the good practices reported to the town, and what falls due next month (Party meetings by the
meeting cadence, open cases' deadlines). A fixed number of queries, whatever the size of the village.

Privacy: the text names no person. It holds counts, and the titles of the village's own records (activities,
projects, good practices) and the names of the admin's set dates; never a key person, a case party, a
resident, a worker, a phone number, an ID number or an address, and nothing written in a visit note, a case,
or a meeting's minutes.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civility.models import Activity, SetDate
from cogovernance.models import Project
from disputes import deadlines
from disputes.models import OPEN_STATES, Case, Policy
from grids.models import Village
from party import cadence
from party.models import MeetingKind
from people.models import GoodPractice, PracticeKind, PracticeStatus
from visits import due

from . import figures
from .models import SECTIONS

# How many titles a sentence lists before it says "等" (a report is read, not searched).
TITLES_SHOWN = 5


def draft(
    village: Village, month: datetime.date, *, data: dict | None = None, today: datetime.date | None = None
) -> dict[str, str]:
    """The four sections' draft text for ``village`` and ``month``. ``data``: the month's figures when the
    caller has them (``figures.compute``), else they are computed here."""
    month = due.month_start(month)
    today = today or timezone.localdate()
    data = data if data is not None else figures.compute(village, month)
    facts = _facts(village, month, today)
    return {
        "work_done": _lines(_work_done(data, facts)) or _("本月系统中暂无工作记录，请根据实际情况填写。"),
        "problems": _lines(_problems(data, facts)) or _("本月系统记录中未发现突出问题。"),
        "next_plan": _lines(_next_plan(data, facts)) or _("下月系统中暂无到期事项，请根据实际情况填写。"),
        "good_practices": _good_practices(facts),
    }


def fill(sections: dict[str, str], drafted: dict[str, str], *, only: set[str] | None = None) -> dict[str, str]:
    """``sections`` with drafted text put in: into the sections named in ``only``, or, when ``only`` is
    empty or None, into every section that is empty. A section not chosen keeps what it holds."""
    out = {}
    for name in SECTIONS:
        current = sections.get(name) or ""
        chosen = name in only if only else not current.strip()
        out[name] = drafted.get(name, "") if chosen else current
    return out


# --- What the figures do not hold ---------------------------------------------------------------------


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _facts(village: Village, month: datetime.date, today: datetime.date) -> dict:
    """Seven queries (or eight with the case policy not yet created): activities of the month, set dates,
    projects finished, good practices, the Party's next-month periods (three), open cases due next month."""
    last = due.month_end(month)
    following = due.next_month(month)
    following_last = due.month_end(following)
    end = _aware(last + datetime.timedelta(days=1))
    kept = Q(archived_at__isnull=True) | Q(archived_at__gte=end)
    # Counted as civility's month figures count them: held in the month, not archived before it ended.
    activities = list(
        Activity.objects.filter(kept, village=village, held_on__gte=month, held_on__lte=last)
        .order_by("held_on", "pk")
        .values_list("title", "kind", "set_date_id")
    )
    set_dates = list(SetDate.objects.filter(active=True).order_by("month", "day", "pk"))
    projects = list(
        Project.objects.filter(kept, village=village, done_on__gte=month, done_on__lte=last)
        .order_by("done_on", "pk")
        .values_list("title", flat=True)
    )
    practices = list(
        GoodPractice.objects.filter(village=village, reported_on__gte=month, reported_on__lte=last)
        .order_by("reported_on", "pk")
        .values_list("kind", "title", "status")
    )
    # The periods that meet next month, as they will stand on its last day: those with no meeting yet.
    owed = [
        item
        for item in cadence.items(village_ids=[village.pk], first=following, last=following_last, today=following_last)
        if not item.done
    ]
    cases_due = (
        deadlines.with_due(Case.objects.filter(village=village, state__in=OPEN_STATES), Policy.current())
        .filter(due_at__gte=_aware(following), due_at__lt=_aware(following_last + datetime.timedelta(days=1)))
        .count()
    )
    return {
        "month": month,
        "following": following,
        "today": today,
        "activities": activities,
        "set_dates": set_dates,
        "projects": projects,
        "practices": practices,
        "meetings_owed": Counter(item.kind for item in owed),
        "cases_due": cases_due,
    }


def _set_day(set_date: SetDate, month: datetime.date) -> datetime.date | None:
    """The set date's day in ``month``'s year when it falls in that month (29 February: not every year)."""
    if set_date.month != month.month:
        return None
    try:
        return datetime.date(month.year, set_date.month, set_date.day)
    except ValueError:
        return None


# --- The sentences -------------------------------------------------------------------------------------


def _lines(sentences: list[str]) -> str:
    sentences = [s for s in sentences if s]
    if len(sentences) == 1:
        return sentences[0]
    return "\n".join(f"{i}. {s}" for i, s in enumerate(sentences, 1))


def _listing(parts: list[str]) -> str:
    return "、".join(parts)


def _titles(titles: list[str]) -> str:
    shown = _listing([f"《{t}》" for t in titles[:TITLES_SHOWN]])
    return shown + (_("等") if len(titles) > TITLES_SHOWN else "")


def _work_done(data: dict, facts: dict) -> list[str]:
    out = []
    visits = data["visits"]
    month = visits["month"]
    households, keys, places = visits["households"], visits["key_persons"], visits["key_places"]
    if month["due"] or month["done"]:
        out.append(
            _(
                "入户走访：本月应走访农户、重点人员和重点场所 %(due)d 户（人、处），已走访 %(done)d，覆盖率 %(pct)s；"
                "其中农户 %(h_done)d/%(h_due)d 户，重点场所 %(p_done)d/%(p_due)d 处。"
            )
            % {
                "due": month["due"],
                "done": month["done"],
                "pct": f"{month['percent']}%" if month["percent"] is not None else "—",
                "h_done": households["done"],
                "h_due": households["due"],
                "p_done": places["done"],
                "p_due": places["due"],
            }
        )
    if keys["due"] or keys["done"]:
        out.append(
            _("重点人员走访：本月应走访重点人员 %(due)d 人，已按要求走访 %(done)d 人。")
            % {"due": keys["due"], "done": keys["done"]}
        )
    out.append(_cases_sentence(data["cases"]))
    party = data.get("party") or {}
    if party.get("held_total"):
        out.append(
            _("党建工作：召开党内会议 %(n)d 次（%(kinds)s）。")
            % {"n": party["held_total"], "kinds": _listing([f"{r['kind']} {r['n']} 次" for r in party["held"]])}
        )
    out.append(_cogovernance_sentence(data.get("cogovernance") or {}, facts["projects"]))
    out.append(_activities_sentence(data.get("civility") or {}, facts["activities"]))
    points = (data.get("civility") or {}).get("points") or {}
    if points.get("awarded") or points.get("redeemed"):
        out.append(
            _("积分超市：本月发放积分 %(awarded)d 分，村民兑换积分 %(redeemed)d 分。")
            % {"awarded": points.get("awarded", 0), "redeemed": points.get("redeemed", 0)}
        )
    return out


def _cases_sentence(cases: dict) -> str:
    totals = cases["totals"]
    reported, accepted = totals["reported"]["month"], totals["accept"]["month"]
    resolved, escalated = totals["resolve"]["month"], totals["escalate"]["month"]
    if not (reported or accepted or resolved or escalated):
        return ""
    parts = [_("新登记 %d 件") % reported]
    kinds = [f"{row['kind']} {row['reported']['month']} 件" for row in cases["by_kind"] if row["reported"]["month"]]
    if kinds:
        parts[0] += f"（{_listing(kinds)}）"
    if accepted:
        parts.append(_("受理 %d 件") % accepted)
    if resolved:
        tiers = [f"{row['tier']} {row['month']} 件" for row in cases["by_tier"] if row["month"]]
        parts.append(_("调处办结 %d 件") % resolved + (f"（{_listing(tiers)}）" if tiers else ""))
    if escalated:
        parts.append(_("上报上级 %d 件") % escalated)
    mediation = cases["mediation"]["month"]
    if mediation["agreements"]:
        parts.append(_("矛盾纠纷调解达成协议 %d 件") % mediation["agreements"])
    return _("矛盾纠纷排查化解：本月%s。") % "，".join(parts)


def _cogovernance_sentence(cogov: dict, projects: list[str]) -> str:
    steps = cogov.get("deliberations") or {}
    labels = (
        ("proposed", _("提出议题 %d 个")),
        ("approved", _("党组织审定 %d 个")),
        ("published", _("公示 %d 个")),
        ("meetings", _("召开协商议事会 %d 次")),
        ("resolved", _("形成决议 %d 个")),
        ("closed", _("办结 %d 个")),
    )
    parts = [label % steps[key] for key, label in labels if steps.get(key)]
    started = (cogov.get("projects") or {}).get("started") or 0
    done = (cogov.get("projects") or {}).get("done") or 0
    if started:
        parts.append(_("民生实事项目开工 %d 个") % started)
    if done:
        parts.append(_("完工 %d 个") % done + (f"（{_titles(projects)}）" if projects else ""))
    documents = cogov.get("documents") or {}
    if documents.get("adopted"):
        parts.append(_("通过村规民约等制度 %d 项") % documents["adopted"])
    if not parts:
        return ""
    return _("协商议事：本月%s。") % "，".join(parts)


def _activities_sentence(civility: dict, activities: list[tuple]) -> str:
    held = civility.get("activities") or {}
    if not held.get("total"):
        return ""
    kinds = [f"{r['kind']} {r['n']} 场（{r['participants']} 人次）" for r in held["by_kind"] if r["n"]]
    text = _("德治法治：本月开展活动 %(n)d 场，参与 %(people)d 人次：%(kinds)s") % {
        "n": held["total"],
        "people": held["participants"],
        "kinds": _listing(kinds),
    }
    titles = [title for title, _kind, _set_date in activities]
    if titles:
        text += _("，包括%s") % _titles(titles)
    if civility.get("selections"):
        text += _("；评选表彰先进典型 %d 个") % civility["selections"]
    return text + "。"


def _problems(data: dict, facts: dict) -> list[str]:
    out = []
    visits = data["visits"]
    households = visits["households"]
    if households["due"] > households["done"]:
        out.append(_("本月还有 %d 户农户未走访。") % (households["due"] - households["done"]))
    overdue = visits["key_persons"]["overdue"]
    if overdue:  # None: a month kept before this figure was (unknown), said nothing of
        out.append(_("%d 名重点人员超过走访周期未走访。") % overdue)
    if data["cases"]["overdue"]:
        out.append(_("%d 件矛盾纠纷、隐患或诉求超过办理时限未办结。") % data["cases"]["overdue"])
    party = data.get("party") or {}
    if party.get("overdue"):
        out.append(
            _("本年已到期未召开的党内会议 %(n)d 次（%(kinds)s）。")
            % {"n": party["overdue"], "kinds": _listing([f"{r['kind']} {r['n']} 次" for r in party["overdue_by_kind"]])}
        )
    missed = _set_dates_missed(facts)
    if missed:
        out.append(_("以下宣传节点本月未开展相应活动：%s。") % _listing(missed))
    return out


def _set_dates_missed(facts: dict) -> list[str]:
    """The set dates of the month (those already passed, in the month still running) the village answered
    with no activity: none pointing to the set date and none of its kind (普法宣传 for the legal dates)."""
    linked = {set_date for _title, _kind, set_date in facts["activities"] if set_date}
    kinds = {kind for _title, kind, _set_date in facts["activities"]}
    missed = []
    for set_date in facts["set_dates"]:
        day = _set_day(set_date, facts["month"])
        if day is None or day > facts["today"]:
            continue
        if set_date.pk in linked or set_date.kind in kinds:
            continue
        missed.append(
            _("%(name)s（%(day)s，%(kind)s）")
            % {"name": set_date.name, "day": f"{day.month}月{day.day}日", "kind": set_date.get_kind_display()}
        )
    return missed


def _next_plan(data: dict, facts: dict) -> list[str]:
    out = []
    registry = data["registry"]
    # Every active household and key place once a month, each key person listed now at their cadence
    # (docs/architecture.md, "The data path"): next month's due list is today's registry.
    if registry["households"] or registry["key_persons_total"] or registry["key_places"]:
        out.append(
            _("入户走访：下月应走访农户 %(h)d 户、重点人员 %(k)d 人、重点场所 %(p)d 处，做到全覆盖。")
            % {"h": registry["households"], "k": registry["key_persons_total"], "p": registry["key_places"]}
        )
    owed = facts["meetings_owed"]
    if owed:
        kinds = [f"{label} {owed[kind]} 次" for kind, label in MeetingKind.choices if owed.get(kind)]
        out.append(
            _("党建工作：按会议制度下月应召开党内会议 %(n)d 次（%(kinds)s）。")
            % {"n": sum(owed.values()), "kinds": _listing(kinds)}
        )
    coming = [
        _("%(name)s（%(day)s）") % {"name": s.name, "day": f"{day.month}月{day.day}日"}
        for s in facts["set_dates"]
        if (day := _set_day(s, facts["following"])) is not None
    ]
    if coming:
        out.append(
            _("宣传节点：下月有 %(n)d 个宣传节点（%(names)s），组织开展相应活动。")
            % {"n": len(coming), "names": _listing(coming)}
        )
    if facts["cases_due"]:
        out.append(_("矛盾纠纷化解：%d 件在办事项的办理时限在下月到期，按时办结。") % facts["cases_due"])
    return out


def _good_practices(facts: dict) -> str:
    """The good practices reported to the town this month, by title; empty (for the staff) when none."""
    practices = facts["practices"]
    if not practices:
        return ""
    kinds = dict(PracticeKind.choices)
    parts = []
    for kind, _label in PracticeKind.choices:
        titles = [title for k, title, _status in practices if k == kind]
        if titles:
            parts.append(f"{kinds[kind]}{_listing([f'《{t}》' for t in titles])}")
    text = _("本月向镇综治办上报%s") % "，".join(parts)
    adopted = [title for _k, title, status in practices if status == PracticeStatus.ADOPTED]
    if adopted:
        text += _("；其中%s已被镇综治办采用") % _listing([f"《{t}》" for t in adopted])
    return text + "。"

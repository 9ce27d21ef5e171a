"""Reports out: live figures for drafts, the comparison with earlier months, and the XLSX files."""

from __future__ import annotations

import datetime

from core import excel
from visits import due

from . import figures
from .models import SECTIONS, MonthlyReport, ReportVersion


def live_figures(report: MonthlyReport) -> dict:
    return figures.compute(report.village, report.month)


def key_figures(data: dict) -> dict:
    """The few figures the town compares month by month."""
    cases = data["cases"]
    return {
        "coverage": data["visits"]["month"]["percent"],
        "key_overdue": data["visits"]["key_persons"]["overdue"],
        "reported": cases["totals"]["reported"]["month"],
        "resolved": cases["totals"]["resolve"]["month"],
        "escalated": cases["totals"]["escalate"]["month"],
        "mediation": cases["mediation"]["month"]["rate"],
    }


def history(report: MonthlyReport, months: int = 6) -> list[dict]:
    """This report beside the village's previous months (their latest submitted version). Two queries."""
    first = report.month
    for _ in range(months - 1):
        first = due.previous_month(first)
    latest: dict[datetime.date, ReportVersion] = {}
    for version in (
        ReportVersion.objects.filter(
            report__village=report.village_id, report__month__gte=first, report__month__lt=report.month
        )
        .select_related("report")
        .order_by("report__month", "number")
    ):
        latest[version.report.month] = version
    rows = [
        {"month": month, "state": version.report.get_state_display(), **key_figures(version.figures)}
        for month, version in sorted(latest.items())
    ]
    current = report.versions.order_by("-number").first()
    if current is not None:
        rows.append({"month": report.month, "state": report.get_state_display(), **key_figures(current.figures)})
    return rows


# Both workbooks are written through ``core.excel``, which writes text as text (a village's report, a
# grid's or a worker's name never becomes a formula, whatever it begins with).
def report_workbook(report: MonthlyReport, data: dict, sections: dict) -> bytes:
    book = excel.new_workbook()
    month = f"{report.month:%Y-%m}"
    info = excel.add_sheet(book, "月报", ["项目", "内容"], widths={"A": 22, "B": 80})
    excel.append_row(info, ["村", report.village.name])
    excel.append_row(info, ["月份", month])
    excel.append_row(info, ["状态", report.get_state_display()])
    for key, label in SECTIONS.items():
        excel.append_row(info, [str(label), sections.get(key, "")])

    reg = data["registry"]
    basics = excel.add_sheet(book, "基本情况", ["项目", "数量"])
    for label, value in (
        ("户数", reg["households"]),
        ("户籍人口", reg["registered"]),
        ("常住人口", reg["living"]),
        ("流动人口", reg["migrants"]),
        ("重点场所", reg["key_places"]),
        ("重点人员合计", reg["key_persons_total"]),
    ):
        excel.append_row(basics, [label, value])
    for row in reg["key_persons"]:
        excel.append_row(basics, [f"重点人员·{row['category']}", row["n"]])

    v = data["visits"]
    visits = excel.add_sheet(book, "走访覆盖", ["网格", "网格员", "应走访", "已走访", "覆盖率%", "重点人员超期"])
    for g in v["grids"]:
        excel.append_row(visits, [g["grid"], g["workers"], g["due"], g["done"], g["percent"], g["key_persons_overdue"]])
    excel.append_row(
        visits,
        ["当月合计", "", v["month"]["due"], v["month"]["done"], v["month"]["percent"], v["key_persons"]["overdue"]],
    )
    excel.append_row(visits, ["本年累计", "", v["ytd"]["due"], v["ytd"]["done"], v["ytd"]["percent"], ""])

    c = data["cases"]
    cases = excel.add_sheet(
        book,
        "案件",
        [
            "类型",
            "上报(当月)",
            "上报(累计)",
            "受理(当月)",
            "受理(累计)",
            "办结(当月)",
            "办结(累计)",
            "上报上级(当月)",
            "上报上级(累计)",
            "超期",
        ],
    )
    for row in c["by_kind"]:
        excel.append_row(
            cases,
            [
                row["kind"],
                row["reported"]["month"],
                row["reported"]["ytd"],
                row["accept"]["month"],
                row["accept"]["ytd"],
                row["resolve"]["month"],
                row["resolve"]["ytd"],
                row["escalate"]["month"],
                row["escalate"]["ytd"],
                row["overdue"],
            ],
        )
    excel.append_row(cases, [])
    excel.append_row(
        cases,
        ["调解成功率%(当月)", c["mediation"]["month"]["rate"], "调解成功率%(累计)", c["mediation"]["ytd"]["rate"]],
    )
    for row in c["by_tier"]:
        excel.append_row(cases, [f"办结·{row['tier']}", row["month"], "", row["ytd"]])
    for row in c["by_category"]:
        excel.append_row(cases, [f"类别·{row['category']}", row["month"], "", row["ytd"]])

    workers = excel.add_sheet(
        book, "网格员", ["网格员", "走访(当月)", "走访(累计)", "上报案件(当月)", "上报案件(累计)"]
    )
    for w in data["workers"]:
        excel.append_row(workers, [w["name"], w["visits_month"], w["visits_ytd"], w["cases_month"], w["cases_ytd"]])
    return excel.workbook_bytes(book)


def comparison_workbook(villages: list, month: datetime.date) -> bytes:
    book = excel.new_workbook()
    sheet = excel.add_sheet(
        book,
        f"{month:%Y-%m}各村对比",
        [
            "村",
            "走访覆盖率%",
            "已走访",
            "应走访",
            "重点人员超期",
            "办理中案件",
            "超期案件",
            "调解成功率%(当月)",
            "调解成功率%(累计)",
            "月报状态",
            "月报逾期",
            "本年逾期次数",
            "党组织会议按时率%(本年)",
        ],
        widths={"A": 14},
    )
    for v in villages:
        excel.append_row(
            sheet,
            [
                v.name,
                v.cov.percent if v.cov and v.cov.due else None,
                v.cov.done if v.cov else 0,
                v.cov.due if v.cov else 0,
                v.cov.key_persons_overdue if v.cov else 0,
                v.case_figures["open"],
                v.case_figures["overdue"],
                v.mediation["month"],
                v.mediation["ytd"],
                str(v.report_state),
                "是" if v.report_late else "",
                v.late_ytd,
                v.party_on_time,
            ],
        )
    return excel.workbook_bytes(book)

"""The member sheet (党员名册): one column table for the export and the import, so an export re-imports.

The import is checked whole before anything is saved: every bad cell is named by its row number and column,
and by default nothing is saved while one row is wrong (all-or-nothing, like the registry's import,
residents/imports.py). A member is found by the resident's ID number (the registry's keyed hash), a branch
and a group by their names among the village's organisations in use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.excel import (
    CellError,
    Column,
    bool_read,
    bool_write,
    cell_text,
    choice,
    date_read,
    date_write,
    read_sheet,
    write_workbook,
)
from grids.models import User, Village
from residents import idnumber
from residents.models import Resident

from . import services
from .models import MemberStatus, OrgKind, PartyMember, PartyOrganisation

TITLE = "党员名册"


def _id_read(cell):
    if isinstance(cell, int | float):
        raise CellError(_("身份证号码被 Excel 存成了数字，后几位可能已丢失：请把该列设为“文本”后重新填写。"))
    value = idnumber.normalize(cell_text(cell))
    if value and not idnumber.looks_like_full_number(value):
        raise CellError(_("“%(v)s”不是18位身份证号码。") % {"v": value})
    return value


STATUS = choice(MemberStatus.choices)

COLUMNS = [
    Column("姓名", "name", width=10),
    Column("身份证号", "id_number", _id_read, required=True, width=22),
    Column("支部", "branch", required=True, width=18),
    Column("党小组", "group", width=14),
    Column("入党日期", "joined_on", date_read, date_write, required=True),
    Column("党员类别", "status", *STATUS, required=True),
    Column("是否流动党员", "floating", bool_read, bool_write),
    Column("流动去向", "away_place", width=20),
]
HEADER_OF = {c.key: c.header for c in COLUMNS}


def export_rows(members, id_cell) -> list[dict]:
    """One row per member; ``id_cell(resident)`` gives the ID number as the viewer may have it."""
    return [
        {
            "name": m.resident.name,
            "id_number": id_cell(m.resident),
            "branch": m.branch.name,
            "group": m.group.name if m.group_id else "",
            "joined_on": m.joined_on,
            "status": m.status,
            "floating": m.floating,
            "away_place": m.away_place,
        }
        for m in members
    ]


def workbook(rows: list[dict]) -> bytes:
    return write_workbook(TITLE, COLUMNS, rows)


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row number, column, reason)
    saved: bool = False

    @property
    def bad_rows(self) -> int:
        return len({n for n, _c, _r in self.errors})


def _service_errors(error: ValidationError) -> list[tuple[str, str]]:
    """A service's ValidationError as (column, reason): its fields named by the sheet's headers."""
    columns = {"resident": HEADER_OF["id_number"], "village": HEADER_OF["id_number"]}
    if hasattr(error, "error_dict"):
        return [
            (columns.get(name) or HEADER_OF.get(name, ""), " ".join(messages))
            for name, messages in error.message_dict.items()
        ]
    return [("", " ".join(error.messages))]


def members_import(*, by: User, village: Village, data: bytes, all_or_nothing: bool = True) -> Outcome:
    """Check every row of the sheet, then save: nothing when a row is wrong (unless ``all_or_nothing`` is
    off, then the good rows). A file that is not a readable sheet raises ``FileError``."""
    outcome = Outcome()
    read = list(read_sheet(data, TITLE, COLUMNS))
    outcome.rows = len(read)
    orgs = list(PartyOrganisation.objects.active().filter(village=village))
    branches = {o.name: o for o in orgs if o.kind == OrgKind.BRANCH}
    groups = {(o.parent_id, o.name): o for o in orgs if o.kind == OrgKind.GROUP}
    hashes = {idnumber.lookup_hash(r.values["id_number"]) for r in read if r.values.get("id_number")}
    residents = {r.id_hash: r for r in Resident.objects.active().filter(village=village, id_hash__in=sorted(hashes))}
    existing = {
        m.resident_id: m for m in PartyMember.objects.active().filter(village=village, resident__in=residents.values())
    }
    seen: dict[str, int] = {}
    good: list[PartyMember] = []
    for row in read:
        errors = list(row.errors)
        v = row.values
        number = v.get("id_number") or ""
        resident = residents.get(idnumber.lookup_hash(number)) if number else None
        if number and resident is None and not any(c == HEADER_OF["id_number"] for c, _r in errors):
            errors.append((HEADER_OF["id_number"], _("本村在册居民中没有这个身份证号码。")))
        if number in seen:
            errors.append((HEADER_OF["id_number"], _("与第 %(n)d 行重复。") % {"n": seen[number]}))
        elif number:
            seen[number] = row.number
        branch = branches.get(v.get("branch") or "")
        if v.get("branch") and branch is None:
            errors.append((HEADER_OF["branch"], _("本村没有名为“%(v)s”的党支部。") % {"v": v["branch"]}))
        group = None
        if v.get("group") and branch is not None:
            group = groups.get((branch.pk, v["group"]))
            if group is None:
                errors.append(
                    (HEADER_OF["group"], _("“%(b)s”下没有名为“%(v)s”的党小组。") % {"b": branch.name, "v": v["group"]})
                )
        if not errors and resident is not None and branch is not None:
            member = existing.get(resident.pk) or PartyMember(village=village, resident=resident)
            member.resident = resident
            member.branch, member.group = branch, group
            member.joined_on, member.status = v["joined_on"], v["status"]
            member.floating = bool(v.get("floating"))
            member.away_place = v.get("away_place") or ""
            try:
                services.member_check(member)
            except ValidationError as error:
                errors.extend(_service_errors(error))
            else:
                good.append(member)
        outcome.errors.extend((row.number, column, reason) for column, reason in errors)
    if outcome.errors and all_or_nothing:
        return outcome
    try:
        with transaction.atomic():
            for member in good:
                created = member.pk is None
                services.member_save(by=by, member=member)
                outcome.created += created
                outcome.updated += not created
    except ValidationError as error:  # changed meanwhile (a member added twice): nothing of the file is kept
        outcome.created = outcome.updated = 0
        outcome.errors.append((0, "", " ".join(error.messages)))
        return outcome
    outcome.saved = True
    return outcome

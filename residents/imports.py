"""Registry imports: check a workbook row by row (the plan), then apply it — all or nothing by default,
or only the valid rows. Matching is by household number (户编号, within the village) and ID number
(keyed hash), so importing the same file again changes nothing.

Both steps run in Celery (``tasks.py``); progress goes to the shared cache so the page can show it while
the all-or-nothing transaction is still open.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import trail
from audit.models import AuditAction
from grids.models import MicroGrid, Village

from . import excel, idnumber, services
from .codes import HAN, Political, Relation
from .import_states import ENDED, ImportChanged, InvalidImportTransition, import_file_remove, import_move
from .models import (
    Household,
    ImportJob,
    ImportKind,
    ImportMode,
    ImportStatus,
    KeyPerson,
    Registration,
    Resident,
    Tag,
)
from .signals import registry_bulk_saved

__all__ = [
    "FileGone",
    "ImportChanged",
    "InvalidImportTransition",
    "import_apply",
    "import_cancel",
    "import_files_expire",
    "import_move",
    "import_plan",
]

SAMPLE = 30  # planned changes listed on the preview page
MAX_ERRORS_SHOWN = 500

HOUSEHOLD_FIELDS = ["micro_grid", "villager_group", "natural_village", "address", "phone", "living_status"]
RESIDENT_FIELDS = [
    "name", "relation", "phone", "ethnicity", "political", "marriage", "education", "occupation", "workplace",
    "hukou_place", "current_address", "registration", "inflow_reason", "registered_on", "document_expires",
    "lives_here", "away_place", "away_since",
]  # fmt: skip
KEY_PERSON_FIELDS = [c.key for c in excel.KEY_PERSON_COLUMNS if c.key not in {"id_number", "name"}]
DEFAULTS = {
    "ethnicity": HAN,
    "political": Political.MASSES,
    "registration": Registration.REGISTERED,
    "lives_here": True,
    "living_status": "resident",
    "attention": "medium",
    "supervision_gap": "",
    "incident_history": False,
}
HEADER_OF = {c.key: c.header for c in excel.HOUSEHOLD_COLUMNS + excel.KEY_PERSON_COLUMNS}
HEADER_OF.update({"household": "户编号", "household_phone": "户联系电话"})


@dataclass
class RowPlan:
    number: int
    raw: dict
    errors: list[tuple[str, str]]
    household_action: str = ""  # create / update / unchanged
    action: str = ""  # the row's person: create / update / unchanged
    label: str = ""
    household: dict = field(default_factory=dict)
    person: dict = field(default_factory=dict)
    id_number: str = ""


@dataclass
class Plan:
    rows: list[RowPlan]
    file_error: str = ""

    @property
    def error_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if r.errors]

    @property
    def valid_rows(self) -> list[RowPlan]:
        return [r for r in self.rows if not r.errors]

    def summary(self) -> dict:
        def count(attr, value):
            return sum(1 for r in self.valid_rows if getattr(r, attr) == value)

        errors = [
            {"row": r.number, "column": column, "reason": reason}
            for r in self.error_rows
            for column, reason in r.errors
        ]
        labels = {"create": _("新增"), "update": _("更新"), "unchanged": _("无变化"), "": "—"}
        changes = [
            {"row": r.number, "label": r.label, "action": labels.get(r.action, r.action)}
            for r in self.valid_rows
            if r.action != "unchanged" or r.household_action in ("create", "update")
        ]
        return {
            "file_error": self.file_error,
            "rows": len(self.rows),
            "valid": len(self.valid_rows),
            "error_rows": len(self.error_rows),
            "create": count("action", "create"),
            "update": count("action", "update"),
            "unchanged": count("action", "unchanged"),
            "households_create": len(
                {r.household.get("number") for r in self.valid_rows if r.household_action == "create"}
            ),
            "households_update": len(
                {r.household.get("number") for r in self.valid_rows if r.household_action == "update"}
            ),
            "errors": errors[:MAX_ERRORS_SHOWN],
            "errors_total": len(errors),
            "sample": changes[:SAMPLE],
        }


# --- progress ----------------------------------------------------------------------------------------


def progress_set(job: ImportJob, done: int, total: int, stage: str) -> None:
    cache.set(job.progress_key, {"done": done, "total": total, "stage": stage}, timeout=3600)


def progress_get(job: ImportJob) -> dict | None:
    return cache.get(job.progress_key)


# --- planning -------------------------------------------------------------------------------------------


class _VillageIndex:
    """Everything a row may refer to in the village, loaded once."""

    def __init__(self, village: Village):
        self.village = village
        self.micro: dict[str, MicroGrid] = {}
        micro_names: dict[str, list[MicroGrid]] = {}
        for m in MicroGrid.objects.active().filter(grid__village=village).select_related("grid"):
            self.micro[f"{m.grid.name}/{m.name}"] = m
            micro_names.setdefault(m.name, []).append(m)
        for name, ms in micro_names.items():  # a bare micro-grid name works where it is unique
            if len(ms) == 1:
                self.micro.setdefault(name, ms[0])
        self.groups = {g.name: g for g in village.villager_groups.active()}
        self.naturals = {n.name: n for n in village.natural_villages.active()}
        self.tags = {t.name: t for t in Tag.objects.all()}
        self.households = {h.number: h for h in Household.objects.filter(village=village).prefetch_related("tags")}

    def residents_in(self, rows: Iterable[excel.ReadRow]) -> dict[str, Resident]:
        """Residents already registered (in any village) under the file's ID numbers, by keyed hash."""
        hashes = []
        for row in rows:
            with contextlib.suppress(ValidationError):
                hashes.append(idnumber.lookup_hash(idnumber.parse(row.values.get("id_number", "")).number))
        found: dict[str, Resident] = {}
        for start in range(0, len(hashes), 1000):
            for r in Resident.objects.filter(id_hash__in=hashes[start : start + 1000]):
                found[r.id_hash] = r
        return found


def _split_tags(text: str) -> list[str]:
    return [t for t in re.split(r"[、,，;；\s]+", text or "") if t]


def plan_households(village: Village, data: bytes) -> Plan:
    try:
        read = list(excel.read_rows(data, ImportKind.HOUSEHOLDS))
    except excel.FileError as error:
        return Plan(rows=[], file_error=str(error))
    index = _VillageIndex(village)
    existing = index.residents_in(read)
    seen_ids: dict[str, int] = {}
    seen_households: dict[str, tuple[int, dict]] = {}
    heads: dict[str, int] = {}
    plans = []
    for row in read:
        plan = RowPlan(number=row.number, raw=row.raw, errors=list(row.errors))
        values = row.values
        plan.label = f"{values.get('household_number', '')} {values.get('name', '')}"
        _plan_household(plan, values, index, seen_households)
        _plan_resident(plan, values, index, existing, seen_ids, heads)
        plans.append(plan)
    return Plan(rows=plans)


def _plan_household(plan: RowPlan, values: dict, index: _VillageIndex, seen: dict) -> None:
    number = values.get("household_number", "")
    if not number:
        return  # a person of no household
    for key, header in (
        ("micro_grid", "网格/微网格"),
        ("villager_group", "村民小组"),
        ("address", "门牌地址"),
        ("relation", "与户主关系"),
    ):
        if not values.get(key):
            plan.errors.append((header, _("有户编号时必填。")))
    # The lengths the household table allows, checked here as the resident's are (else saving the row fails).
    own = {"number": number, "address": values.get("address", "")}
    try:
        Household(**own).clean_fields(exclude=[f.name for f in Household._meta.fields if not own.get(f.name)])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            plan.errors.append((HEADER_OF["household_number" if name == "number" else name], " ".join(messages)))
    wanted: dict = {"number": number}
    micro = index.micro.get(values.get("micro_grid", ""))
    if values.get("micro_grid") and micro is None:
        plan.errors.append(
            ("网格/微网格", _("本村没有“%(v)s”，请写成“网格名/微网格名”。") % {"v": values["micro_grid"]})
        )
    group = index.groups.get(values.get("villager_group", ""))
    if values.get("villager_group") and group is None:
        plan.errors.append(("村民小组", _("本村没有村民小组“%(v)s”。") % {"v": values["villager_group"]}))
    natural = index.naturals.get(values.get("natural_village", "")) if values.get("natural_village") else None
    if values.get("natural_village") and natural is None:
        plan.errors.append(("自然村", _("本村没有自然村“%(v)s”。") % {"v": values["natural_village"]}))
    tag_names = _split_tags(values.get("tags", ""))
    unknown = [t for t in tag_names if t not in index.tags]
    if unknown:
        plan.errors.append(("户标签", _("未知的标签：%(t)s。") % {"t": "、".join(unknown)}))
    phone = values.get("household_phone", "")
    if phone and not re.fullmatch(r"1[0-9]{10}", phone):
        plan.errors.append(("户联系电话", _("手机号应为以1开头的11位数字。")))
    wanted.update(
        micro_grid=micro,
        villager_group=group,
        natural_village=natural,
        address=values.get("address", ""),
        phone=phone,
        living_status=values.get("living_status") or DEFAULTS["living_status"],
        tags=sorted(tag_names),
    )
    comparable = {k: (v.pk if hasattr(v, "pk") else v) for k, v in wanted.items()}
    if number in seen:
        first_row, first = seen[number]
        if first != comparable:
            plan.errors.append(("户编号", _("与第%(n)d行的同一户（户编号相同）信息不一致。") % {"n": first_row}))
        plan.household_action = "same-file"
    else:
        seen[number] = (plan.number, comparable)
        current = index.households.get(number)
        if current is None:
            plan.household_action = "create"
        elif current.is_archived:
            plan.errors.append(("户编号", _("户“%(n)s”已归档，请先在系统中恢复。") % {"n": number}))
        else:
            now = {
                f: getattr(current, f"{f}_id" if f in {"micro_grid", "villager_group", "natural_village"} else f)
                for f in HOUSEHOLD_FIELDS
            }
            now["tags"] = sorted(t.name for t in current.tags.all())
            want = {k: comparable[k] for k in now}
            plan.household_action = "unchanged" if now == want else "update"
    plan.household = wanted


def _plan_resident(plan, values, index: _VillageIndex, existing, seen_ids, heads) -> None:
    try:
        facts = idnumber.parse(values.get("id_number", ""))
    except ValidationError as error:
        if values.get("id_number"):
            plan.errors.append(("身份证号码", error.messages[0]))
        return
    plan.id_number = facts.number
    if facts.number in seen_ids:
        plan.errors.append(("身份证号码", _("与第%(n)d行的身份证号码重复。") % {"n": seen_ids[facts.number]}))
        return
    seen_ids[facts.number] = plan.number
    person = {k: values.get(k) for k in RESIDENT_FIELDS if k in values}
    for key, default in DEFAULTS.items():
        if key in RESIDENT_FIELDS and person.get(key) in (None, ""):
            person[key] = default
    plan.person = person
    if person.get("relation") == Relation.HEAD:
        number = values.get("household_number", "")
        if number in heads:
            plan.errors.append(
                ("与户主关系", _("第%(n)d行已是这一户的户主，一户只能有一位户主。") % {"n": heads[number]})
            )
        heads[number] = plan.number
    current = existing.get(idnumber.lookup_hash(facts.number))
    if current is not None and current.village_id != index.village.pk:
        plan.errors.append(("身份证号码", services.id_number_elsewhere()))  # neither where nor whose
        return
    # Whatever the model itself checks (away place, migrant registration date, mobile format…).
    probe = Resident(village=index.village, **{k: v for k, v in person.items() if v is not None})
    try:
        probe.clean_fields(
            exclude=["id_cipher", "id_hash", "id_tail_hash", "gender", "birth_date", "village", "household"]
        )
        probe.clean()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            plan.errors.append((HEADER_OF.get(name, name), " ".join(messages)))
    if current is None:
        plan.action = "create"
    else:
        current_number = current.household.number if current.household_id else ""
        same = all(getattr(current, k) == v for k, v in person.items()) and current_number == values.get(
            "household_number", ""
        )
        plan.action = "unchanged" if same and not current.is_archived else "update"


# --- key persons ---------------------------------------------------------------------------------------


def plan_key_persons(village: Village, data: bytes) -> Plan:
    try:
        read = list(excel.read_rows(data, ImportKind.KEY_PERSONS))
    except excel.FileError as error:
        return Plan(rows=[], file_error=str(error))
    index = _VillageIndex(village)
    residents = index.residents_in(read)
    listings = {
        (kp.resident_id, kp.category, kp.listed_from): kp
        for kp in KeyPerson.objects.filter(resident__in=[r.pk for r in residents.values()])
    }
    plans = []
    for row in read:
        plan = RowPlan(number=row.number, raw=row.raw, errors=list(row.errors))
        values = row.values
        plan.label = f"{values.get('name', '')} {values.get('category', '')}"
        try:
            facts = idnumber.parse(values.get("id_number", ""))
        except ValidationError as error:
            if values.get("id_number"):
                plan.errors.append(("身份证号码", error.messages[0]))
            plans.append(plan)
            continue
        plan.id_number = facts.number
        resident = residents.get(idnumber.lookup_hash(facts.number))
        if resident is None or resident.village_id != village.pk:
            plan.errors.append(("身份证号码", _("本村没有登记该身份证号码的居民，请先导入户籍人口。")))
        elif values.get("name") and values["name"] != resident.name:
            plan.errors.append(("姓名", _("与登记的姓名“%(n)s”不一致。") % {"n": resident.name}))
        person = {k: values.get(k) for k in KEY_PERSON_FIELDS if k in values}
        for key, default in DEFAULTS.items():
            if key in KEY_PERSON_FIELDS and person.get(key) in (None, ""):
                person[key] = default
        plan.person = person
        if resident is not None and not plan.errors:
            probe = KeyPerson(resident=resident, **{k: v for k, v in person.items() if v is not None})
            try:
                probe.full_clean(exclude=["resident"])
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    plan.errors.append((HEADER_OF.get(name, name), " ".join(messages)))
            current = listings.get((resident.pk, person.get("category"), person.get("listed_from")))
            if current is None:
                plan.action = "create"
            else:
                same = all(getattr(current, k) == v for k, v in person.items() if v is not None)
                plan.action = "unchanged" if same else "update"
        plans.append(plan)
    return Plan(rows=plans)


PLANNERS = {ImportKind.HOUSEHOLDS: plan_households, ImportKind.KEY_PERSONS: plan_key_persons}


class FileGone(Exception):
    """The job's uploaded file is no longer there: removed when the job ended (``import_states``)."""


def _file_data(job: ImportJob) -> bytes:
    if not job.file:
        raise FileGone
    try:
        with job.file.open("rb") as file:
            return file.read()
    except FileNotFoundError:
        raise FileGone from None


def _file_gone() -> dict:
    return Plan(rows=[], file_error=_("上传的文件已不在服务器上，请重新上传。")).summary()


def import_plan(*, job: ImportJob) -> ImportJob:
    """Check the uploaded file and store what would happen (nothing is saved to the registry)."""
    try:
        data = _file_data(job)
    except FileGone:
        return import_move(job, ImportStatus.FAILED, changes={"summary": _file_gone()})
    plan = PLANNERS[job.kind](job.village, data)
    return import_move(job, ImportStatus.PLANNED, changes={"summary": plan.summary()})


# --- applying -----------------------------------------------------------------------------------------------


class ImportAborted(Exception):
    pass


def import_apply(*, job: ImportJob) -> ImportJob:
    """Apply a planned import. All-or-nothing: any error (found again now, data may have changed since the
    preview) and nothing is saved. Valid-only: the valid rows are saved, the others reported."""
    try:
        data = _file_data(job)
    except FileGone:
        return _finish(job, ImportStatus.FAILED, _file_gone(), applied=0)
    plan = PLANNERS[job.kind](job.village, data)
    summary = plan.summary()
    if plan.file_error or (job.mode == ImportMode.ALL_OR_NOTHING and plan.error_rows):
        return _finish(job, ImportStatus.FAILED, summary, applied=0)
    rows = plan.valid_rows
    try:
        # The rows are audited as one entry for the import, not one per row (the job keeps what it did:
        # its counts, and each error by row, column and reason).
        with transaction.atomic(), trail.suspended():
            applied = _apply_rows(job, rows)
    except ImportAborted as error:
        summary["file_error"] = str(error)
        return _finish(job, ImportStatus.FAILED, summary, applied=0)
    return _finish(job, ImportStatus.DONE, summary, applied=applied)


def _finish(job: ImportJob, status: str, summary: dict, *, applied: int) -> ImportJob:
    summary["applied"] = applied

    def event():
        with trail.acting_as(user=job.created_by):
            trail.record(
                AuditAction.IMPORT,
                job,
                village_id=job.village_id,
                note=f"{job.get_kind_display()} {job.filename}: {job.get_status_display()}, {applied}",
                changes={"status": [None, status], "applied": [None, applied]},
            )

    import_move(job, status, changes={"summary": summary, "finished_at": timezone.now()}, event=event)
    cache.delete(job.progress_key)
    return job


BATCH = 1000


def _apply_rows(job: ImportJob, rows: list[RowPlan]) -> int:
    if job.kind == ImportKind.HOUSEHOLDS:
        _apply_household_rows(job, rows)
    else:
        for i, row in enumerate(rows):
            _checked(row, _apply_key_person_row, row, job.village)
            if i % 200 == 0:
                progress_set(job, i, len(rows), "apply")
    return sum(1 for row in rows if row.action != "unchanged" or row.household_action in {"create", "update"})


def _checked(row: RowPlan, step, *args, **kwargs):
    """One row's step; a conflict the plan could not see (a change made meanwhile) stops the import, and
    nothing is kept."""
    try:
        return step(*args, **kwargs)
    except ValidationError as error:
        raise ImportAborted(_("第%(n)d行：%(e)s") % {"n": row.number, "e": " ".join(error.messages)}) from None


def _bulk_create(model, objects: list) -> None:
    """New rows in batches (a fresh village's registry is tens of thousands of rows: one INSERT per row took
    14 ms each at a million residents). The plan checked numbers and ID numbers; the unique indexes still decide."""
    try:
        with transaction.atomic():
            model.objects.bulk_create(objects, batch_size=BATCH)
    except IntegrityError:
        raise ImportAborted(
            _("导入期间有人登记了相同的户编号或身份证号码，本次未导入任何数据，请重新检查后导入。")
        ) from None


def _apply_household_rows(job: ImportJob, rows: list[RowPlan]) -> None:
    """New households, and new people of new households, are written in bulk; households and people that
    already exist go through the services one by one (moves keep their history, numbers are re-checked)."""
    village, by, total = job.village, job.created_by, len(rows)
    households: dict[str, Household] = {h.number: h for h in Household.objects.filter(village=village)}
    tags = {t.name: t for t in Tag.objects.all()}
    new_households: list[tuple[Household, list[str]]] = []
    for row in rows:
        if row.household_action == "create":
            household = Household(village=village, number=row.household["number"])
            _set_household(household, row.household)
            _checked(row, services.household_check, household, unique=False)
            new_households.append((household, row.household["tags"]))
    _bulk_create(Household, [h for h, _names in new_households])
    link = Household.tags.through
    _bulk_create(link, [link(household_id=h.pk, tag_id=tags[name].pk) for h, names in new_households for name in names])
    households.update({h.number: h for h, _names in new_households})
    registry_bulk_saved.send(sender=Household, grid_ids={h.grid_id for h, _names in new_households})
    fresh = {h.number for h, _names in new_households}
    progress_set(job, len(new_households), total, "apply")
    new_people: list[Resident] = []
    for i, row in enumerate(rows):
        if row.household_action == "update":
            _checked(row, _update_household, row, households, by)
        if row.action == "create" and (not row.household or row.household["number"] in fresh):
            resident = Resident(village=village)
            _set_person(resident, row.person)
            resident.household = households[row.household["number"]] if row.household else None
            new_people.append(_checked(row, services.resident_check, resident, row.id_number, viewer=by, unique=False))
        elif row.action != "unchanged":
            _checked(row, _apply_resident_row, row, village, households, by)
        if i % 200 == 0:
            progress_set(job, i, total, "apply")
    _bulk_create(Resident, new_people)


def _set_household(household: Household, wanted: dict) -> None:
    for name in ("micro_grid", "villager_group", "natural_village", "address", "phone", "living_status"):
        setattr(household, name, wanted[name])


def _update_household(row: RowPlan, households: dict, by) -> None:
    wanted = row.household
    household = households[wanted["number"]]
    if household.micro_grid_id != wanted["micro_grid"].pk:
        household = services.household_move(by=by, household=household, to=wanted["micro_grid"], note=_("导入"))
    _set_household(household, wanted)
    household = services.household_save(by=by, household=household)
    household.tags.set(list(Tag.objects.filter(name__in=wanted["tags"])))
    households[household.number] = household


def _apply_resident_row(row: RowPlan, village: Village, households: dict, by) -> None:
    wanted = row.household
    resident = Resident.objects.with_id_number(row.id_number).first()
    if resident is None:
        resident = Resident(village=village)
        number = row.id_number
    else:
        number = None
        if resident.is_archived:
            resident.archived_at = None
    _set_person(resident, row.person)
    target = households[wanted["number"]] if wanted else None
    if resident.pk and resident.household_id != (target.pk if target else None):
        relation = row.person.get("relation") or ""
        resident = services.resident_move(by=by, resident=resident, to=target, relation=relation, note=_("导入"))
        _set_person(resident, row.person)  # the move reloaded the row
    resident.household = target
    services.resident_save(by=by, resident=resident, id_number=number)


DATE_FIELDS = {"registered_on", "document_expires", "away_since"}


def _set_person(resident: Resident, person: dict) -> None:
    """An empty cell clears a text field ("") and a date field (None)."""
    for name, value in person.items():
        setattr(resident, name, "" if value is None and name not in DATE_FIELDS else value)


def _apply_key_person_row(row: RowPlan, village: Village) -> None:
    if row.action == "unchanged":
        return
    resident = Resident.objects.with_id_number(row.id_number).get(village=village)
    person = {k: v for k, v in row.person.items() if v is not None}
    key_person = KeyPerson.objects.filter(
        resident=resident, category=person["category"], listed_from=person["listed_from"]
    ).first() or KeyPerson(resident=resident)
    for name, value in person.items():
        setattr(key_person, name, value)
    key_person.full_clean()
    key_person.save()


def error_rows_workbook(job: ImportJob) -> bytes:
    """The rows that were not imported, as written, with the reason beside each: fix and import again.
    Cut from the uploaded file, so only while the job waits for confirmation (``FileGone`` after)."""
    data = _file_data(job)
    plan = PLANNERS[job.kind](job.village, data)
    title, columns = excel.SHEETS[job.kind]
    bad = plan.error_rows
    reasons = {i: "；".join(f"{column}：{reason}" for column, reason in row.errors) for i, row in enumerate(bad)}
    return excel.write_workbook(title, columns, [row.raw for row in bad], errors=reasons)


# --- ending without applying ---------------------------------------------------------------------------


def import_cancel(*, job: ImportJob) -> ImportJob:
    """The user does not confirm a checked import: nothing is saved and the file is removed."""
    return import_move(
        job,
        ImportStatus.CANCELLED,
        changes={"finished_at": timezone.now()},
        event=lambda: trail.record(
            AuditAction.IMPORT, job, village_id=job.village_id, note=_("取消导入 %(file)s") % {"file": job.filename}
        ),
    )


# A checked import waits a week for its confirmation (long enough to come back after a weekend or a
# meeting); then it is cancelled so that its file, with the ID numbers in it, does not stay for good.
PLAN_KEPT = datetime.timedelta(days=7)


def import_files_expire(*, now: datetime.datetime | None = None) -> int:
    """The nightly sweep: cancel the imports left unconfirmed past ``PLAN_KEPT``, and remove any file an
    ended job still holds (jobs that ended before files were removed, or whose removal was interrupted).
    Returns how many imports were cancelled."""
    now = now or timezone.now()
    cancelled = 0
    for job in ImportJob.objects.filter(status=ImportStatus.PLANNED, created_at__lt=now - PLAN_KEPT):
        note = _("导入超过 %(days)d 天未确认，已自动取消：%(file)s") % {"days": PLAN_KEPT.days, "file": job.filename}
        with contextlib.suppress(ImportChanged, InvalidImportTransition):  # confirmed at this very moment
            import_move(
                job,
                ImportStatus.CANCELLED,
                changes={"finished_at": now},
                event=lambda job=job, note=note: trail.record(
                    AuditAction.IMPORT, job, village_id=job.village_id, note=note
                ),
            )
            cancelled += 1
    for job in ImportJob.objects.filter(status__in=ENDED).exclude(file=""):
        import_file_remove(job)
    return cancelled

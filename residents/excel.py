"""The registry's sheets: one column table per sheet (households, key persons, key places) on the shared
reader and writer of ``core.excel``, so the template, the exports and the import agree by construction."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from core.excel import (
    CellError,
    Column,
    FileError,
    ReadRow,
    read_sheet,
    write_workbook,
)
from core.excel import bool_read as _bool_read
from core.excel import bool_write as _bool_write
from core.excel import cell_text as _text
from core.excel import choice as _choice
from core.excel import date_read as _date_read
from core.excel import date_write as _date_write
from core.excel import int_read as _int_read

from .codes import ETHNIC_CHOICES, Education, Marriage, Political, Relation
from .models import (
    Attention,
    CorrectionType,
    KeyCategory,
    LivingStatus,
    Registration,
    SupervisionGap,
    Treatment,
)


def _id_read(cell):
    if isinstance(cell, (int, float)):
        raise CellError(_("身份证号码被 Excel 存成了数字，后几位可能已丢失：请把该列设为“文本”后重新填写。"))
    return _text(cell)


def _phone_read(cell):
    return _text(cell)


LIVING = _choice(LivingStatus.choices)
RELATION = _choice(Relation.choices)
ETHNIC = _choice(ETHNIC_CHOICES)
POLITICAL = _choice(Political.choices)
MARRIAGE = _choice(Marriage.choices)
EDUCATION = _choice(Education.choices)
REGISTRATION = _choice(Registration.choices)
CATEGORY = _choice(KeyCategory.choices)
ATTENTION = _choice(Attention.choices)
TREATMENT = _choice(Treatment.choices)
CORRECTION = _choice(CorrectionType.choices)
GAP = _choice([(v, label) for v, label in SupervisionGap.choices if v])

# Households and their members: one row per resident; the household columns repeat for each member.
HOUSEHOLD_COLUMNS = [
    # The household columns are left empty for a person of no household (e.g. an incoming migrant).
    Column("户编号", "household_number"),
    Column("网格/微网格", "micro_grid", width=20),
    Column("村民小组", "villager_group"),
    Column("自然村", "natural_village"),
    Column("门牌地址", "address", width=20),
    Column("户联系电话", "household_phone", _phone_read),
    Column("居住状态", "living_status", *LIVING),
    Column("户标签", "tags", width=16),
    Column("姓名", "name", required=True),
    Column("身份证号码", "id_number", _id_read, required=True, width=22),
    Column("与户主关系", "relation", *RELATION),
    Column("手机号", "phone", _phone_read),
    Column("民族", "ethnicity", *ETHNIC),
    Column("政治面貌", "political", *POLITICAL),
    Column("婚姻状况", "marriage", *MARRIAGE),
    Column("学历", "education", *EDUCATION),
    Column("职业", "occupation"),
    Column("服务处所", "workplace"),
    Column("户籍地", "hukou_place", width=20),
    Column("现住地", "current_address", width=20),
    Column("人口类型", "registration", *REGISTRATION),
    Column("流入原因", "inflow_reason"),
    Column("登记日期", "registered_on", _date_read, _date_write),
    Column("证件到期日期", "document_expires", _date_read, _date_write),
    Column("在本村居住", "lives_here", _bool_read, _bool_write),
    Column("外出去向", "away_place"),
    Column("外出时间", "away_since", _date_read, _date_write),
]

KEY_PERSON_COLUMNS = [
    Column("身份证号码", "id_number", _id_read, required=True, width=22),
    Column("姓名", "name", required=True),
    Column("类别", "category", *CATEGORY, required=True, width=18),
    Column("关注程度", "attention", *ATTENTION),
    Column("列管开始", "listed_from", _date_read, _date_write, required=True),
    Column("列管结束", "listed_until", _date_read, _date_write),
    Column("危险性评估等级", "risk_level", _int_read),
    Column("监护人", "guardian_name"),
    Column("监护人电话", "guardian_phone", _phone_read),
    Column("有肇祸史", "incident_history", _bool_read, _bool_write),
    Column("治疗情况", "treatment", *TREATMENT),
    Column("矫正类别", "correction_type", *CORRECTION),
    Column("矫正开始日期", "correction_start", _date_read, _date_write),
    Column("矫正结束日期", "correction_end", _date_read, _date_write),
    Column("脱管/漏管", "supervision_gap", *GAP),
    Column("释放日期", "release_date", _date_read, _date_write),
    Column("衔接/安置情况", "resettlement", width=20),
    Column("健康状况", "health"),
    Column("困难及诉求", "difficulties", width=20),
    Column("备注", "note", width=20),
]

KEY_PLACE_COLUMNS = [
    Column("名称", "name", width=20),
    Column("类型", "type", width=18),
    Column("网格", "grid"),
    Column("微网格", "micro_grid"),
    Column("地址", "address", width=20),
    Column("负责人", "person_in_charge"),
    Column("联系电话", "phone"),
    Column("风险隐患", "hazards", width=24),
]

SHEETS = {"households": ("户籍人口", HOUSEHOLD_COLUMNS), "key_persons": ("重点人员", KEY_PERSON_COLUMNS)}


def template(kind: str) -> bytes:
    title, columns = SHEETS[kind]
    return write_workbook(title, columns, [])


def read_rows(data: bytes, kind: str) -> Iterator[ReadRow]:
    """Read the sheet of ``kind`` (or the first sheet); see ``core.excel.read_sheet``."""
    title, columns = SHEETS[kind]
    return read_sheet(data, title, columns)


__all__ = ["CellError", "Column", "FileError", "ReadRow", "read_rows", "template", "write_workbook"]

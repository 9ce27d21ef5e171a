"""Excel in and out (openpyxl), with Chinese column headers.

One column table per sheet says, for each header, which value it carries and how it is read and
written, so the template, the exports and the import agree by construction: an export re-imports.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

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


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in the user's language."""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(choices) -> tuple[Callable, Callable]:
    """Read a code list cell by its label (汉族) or its code (01); write the label."""
    by_label = {str(label): value for value, label in choices}
    by_value = {str(value): value for value, _label in choices}
    labels = {value: str(label) for value, label in choices}

    def read(cell):
        text = _text(cell)
        if not text:
            return ""
        if text in by_label:
            return by_label[text]
        if text in by_value:
            return by_value[text]
        raise CellError(_("“%(v)s”不是可选的值（可填：%(options)s）。") % {"v": text, "options": "、".join(by_label)})

    return read, lambda value: labels.get(value, "")


def _date_read(cell):
    if cell in (None, ""):
        return None
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    text = _text(cell).replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CellError(_("“%(v)s”不是日期，请写成 2026-01-31。") % {"v": text}) from None


def _date_write(value):
    return value.isoformat() if value else ""


def _bool_read(cell):
    text = _text(cell)
    if text in {"是", "1", "Y", "y", "TRUE", "True", "true"}:
        return True
    if text in {"否", "0", "N", "n", "FALSE", "False", "false", ""}:
        return False
    raise CellError(_("请填“是”或“否”。"))


def _bool_write(value):
    return "是" if value else "否"


def _id_read(cell):
    if isinstance(cell, (int, float)):
        raise CellError(_("身份证号码被 Excel 存成了数字，后几位可能已丢失：请把该列设为“文本”后重新填写。"))
    return _text(cell)


def _phone_read(cell):
    return _text(cell)


def _int_read(cell):
    text = _text(cell)
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise CellError(_("“%(v)s”不是整数。") % {"v": text}) from None


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    read: Callable = _text
    write: Callable = _text
    required: bool = False
    width: int = 14


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
ERROR_HEADER = "错误原因"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_workbook(
    title: str, columns: list[Column], rows: Iterable[dict], *, errors: dict[int, str] | None = None
) -> bytes:
    """A workbook with one sheet: bold Chinese headers, then one line per row (values written by column)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    headers = [c.header for c in columns] + ([ERROR_HEADER] if errors is not None else [])
    sheet.append(_styled(sheet, headers))
    for n, row in enumerate(rows):
        if errors is None:
            values = [column.write(row.get(column.key)) for column in columns]
        else:  # rows handed back as the user wrote them, with the reason beside them
            values = [row.get(column.key) for column in columns] + [errors.get(n, "")]
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _styled(sheet, headers):
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cells.append(cell)
    return cells


def template(kind: str) -> bytes:
    title, columns = SHEETS[kind]
    return write_workbook(title, columns, [])


@dataclass
class ReadRow:
    number: int  # the spreadsheet's row number, as the user sees it
    values: dict
    raw: dict  # the cells as written, to hand back in the error workbook
    errors: list[tuple[str, str]]  # (header, reason)


class FileError(ValueError):
    pass


def read_rows(data: bytes, kind: str) -> Iterator[ReadRow]:
    """Read the sheet of ``kind`` (or the first sheet): a header row, then one row per line. Cell faults
    are collected per row, not raised."""
    title, columns = SHEETS[kind]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileError(
            _("无法读取该文件：请上传 .xlsx 格式的 Excel 文件（%(e)s）。") % {"e": type(error).__name__}
        ) from None
    sheet = book[title] if title in book.sheetnames else book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header_line = next(lines, None)
    if header_line is None:
        raise FileError(_("文件是空的。"))
    positions = {_text(h): i for i, h in enumerate(header_line) if _text(h)}
    missing = [c.header for c in columns if c.required and c.header not in positions]
    if missing:
        raise FileError(_("缺少必填列：%(cols)s。请使用下载的模板。") % {"cols": "、".join(missing)})
    for number, line in enumerate(lines, start=2):
        if line is None or all(v in (None, "") for v in line):
            continue
        values, raw, errors = {}, {}, []
        for column in columns:
            if column.header not in positions:
                continue
            index = positions[column.header]
            cell = line[index] if index < len(line) else None
            raw[column.key] = cell
            try:
                values[column.key] = column.read(cell)
            except CellError as error:
                errors.append((column.header, str(error)))
                continue
            if column.required and values[column.key] in ("", None):
                errors.append((column.header, str(_("必填。"))))
        yield ReadRow(number=number, values=values, raw=raw, errors=errors)
    book.close()

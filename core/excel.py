"""Excel in and out (openpyxl), with Chinese column headers: the parts every app's sheets share.

A column table says, for each header, which value it carries and how it is read and written, so a
template, an export and an import built from one table agree by construction: an export re-imports.
Cell faults are collected per row with the reason in the user's language (``CellError``); a file that
is not a readable sheet raises ``FileError``.
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


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in the user's language."""


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def choice(choices) -> tuple[Callable, Callable]:
    """Read a code list cell by its label (汉族) or its code (01); write the label."""
    by_label = {str(label): value for value, label in choices}
    by_value = {str(value): value for value, _label in choices}
    labels = {value: str(label) for value, label in choices}

    def read(cell):
        text = cell_text(cell)
        if not text:
            return ""
        if text in by_label:
            return by_label[text]
        if text in by_value:
            return by_value[text]
        raise CellError(_("“%(v)s”不是可选的值（可填：%(options)s）。") % {"v": text, "options": "、".join(by_label)})

    return read, lambda value: labels.get(value, "")


def date_read(cell):
    if cell in (None, ""):
        return None
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    text = cell_text(cell).replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CellError(_("“%(v)s”不是日期，请写成 2026-01-31。") % {"v": text}) from None


def date_write(value):
    return value.isoformat() if value else ""


def bool_read(cell):
    text = cell_text(cell)
    if text in {"是", "1", "Y", "y", "TRUE", "True", "true"}:
        return True
    if text in {"否", "0", "N", "n", "FALSE", "False", "false", ""}:
        return False
    raise CellError(_("请填“是”或“否”。"))


def bool_write(value):
    return "是" if value else "否"


def int_read(cell):
    text = cell_text(cell)
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
    read: Callable = cell_text
    write: Callable = cell_text
    required: bool = False
    width: int = 14


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
    sheet.append(styled(sheet, headers))
    for n, row in enumerate(rows):
        if errors is None:
            values = [column.write(row.get(column.key)) for column in columns]
        else:  # rows handed back as the user wrote them, with the reason beside them
            values = [row.get(column.key) for column in columns] + [errors.get(n, "")]
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def styled(sheet, headers):
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cells.append(cell)
    return cells


@dataclass
class ReadRow:
    number: int  # the spreadsheet's row number, as the user sees it
    values: dict
    raw: dict  # the cells as written, to hand back in the error workbook
    errors: list[tuple[str, str]]  # (header, reason)


class FileError(ValueError):
    pass


def read_sheet(data: bytes, title: str, columns: list[Column]) -> Iterator[ReadRow]:
    """Read the sheet named ``title`` (or the first sheet): a header row, then one row per line. Cell
    faults are collected per row, not raised."""
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
    positions = {cell_text(h): i for i, h in enumerate(header_line) if cell_text(h)}
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

"""Excel in and out, with Chinese column headers: the parts every app's sheets share. Written with openpyxl;
read with python-calamine (Rust's calamine: a 10,000-row sheet parsed several times faster than openpyxl's
reader, which cost a third of an import's time — docs/performance.md, "Imports").

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

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook


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


# --- Writing: every workbook the portal hands out is written here -------------------------------------------
#
# Text is always written as a string cell, whatever it begins with. openpyxl turns any str that begins
# with "=" into a formula, so a household address such as =HYPERLINK("http://…?"&J2,"详情") typed by one
# person would become a live link, carrying the ID number beside it, in the workbook another person
# downloads; text beginning with "+", "-", "@", a tab or a carriage return is read as a formula by
# spreadsheet programs too (docs/sources.md [P1]). A string cell is never evaluated, whatever it starts
# with, so the text is kept exactly as it was written — no apostrophe or space put in front — and an
# export re-imports as it was exported. Numbers and dates the code writes stay numbers and dates.


def _cell(sheet, value, *, header: bool = False):
    """The value to append to ``sheet``: text as a string cell (see above), anything else as it is."""
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    if not isinstance(value, str):
        return value
    # Control characters other than tab, line feed and carriage return cannot be stored in a workbook
    # at all (openpyxl refuses the whole file); they are dropped rather than failing the export.
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not header and not value.startswith("=") and value not in ERROR_CODES:
        # openpyxl stores any other str as a string cell itself; a cell object for each would make a
        # large export much slower (tests/test_export_formulas.py checks every kind of text either way).
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # set after the value: assigning it makes "=…" a formula ("f"), "#N/A" an error
    if header:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    return cell


def new_workbook() -> Workbook:
    """An empty workbook, written row by row (an export of 50,000 rows never holds them all as cells)."""
    return Workbook(write_only=True)


def add_sheet(book: Workbook, title: str, headers: list, *, widths: dict[str, int] | None = None):
    """A sheet of ``book`` with bold headers on a coloured row; ``widths`` by column letter."""
    sheet = book.create_sheet(title)
    for letter, width in (widths or {}).items():
        sheet.column_dimensions[letter].width = width
    sheet.append([_cell(sheet, header, header=True) for header in headers])
    return sheet


def append_row(sheet, values: Iterable) -> None:
    """One line of ``sheet``: the only way a value from the database goes into a workbook."""
    sheet.append([_cell(sheet, value) for value in values])


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_workbook(
    title: str, columns: list[Column], rows: Iterable[dict], *, errors: dict[int, str] | None = None
) -> bytes:
    """A workbook with one sheet: bold Chinese headers, then one line per row (values written by column)."""
    book = new_workbook()
    headers = [c.header for c in columns] + ([ERROR_HEADER] if errors is not None else [])
    widths = {get_column_letter(i): column.width for i, column in enumerate(columns, start=1)}
    sheet = add_sheet(book, title, headers, widths=widths)
    for n, row in enumerate(rows):
        if errors is None:
            values = [column.write(row.get(column.key)) for column in columns]
        else:  # rows handed back as the user wrote them, with the reason beside them
            values = [row.get(column.key) for column in columns] + [errors.get(n, "")]
        append_row(sheet, values)
    return workbook_bytes(book)


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
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_name(title) if title in book.sheet_names else book.get_sheet_by_index(0)
        lines = (_as_cells(line) for line in sheet.to_python(skip_empty_area=False))
    except Exception as error:  # the reader raises several kinds for a file that is not a workbook
        raise FileError(
            _("无法读取该文件：请上传 .xlsx 格式的 Excel 文件（%(e)s）。") % {"e": type(error).__name__}
        ) from None
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


def _as_cells(line: list) -> tuple:
    """A line as openpyxl gives it, which the columns' readers expect: an empty cell is None and a whole
    number an int (the reader gives every number as a float)."""
    return tuple(
        None if value == "" else int(value) if isinstance(value, float) and value.is_integer() else value
        for value in line
    )

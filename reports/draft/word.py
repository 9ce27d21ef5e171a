"""The draft as a Word document (python-docx), for the village to finish in Word or WPS (docs/scorecard.md).

East Asian text needs its own font name (``w:eastAsia`` in the run fonts): without it Word falls back to a
Latin font and WPS may show boxes. The body is 仿宋 and the headings 黑体, as official reports are set.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from .text import Draft

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"


def _fonts(style_or_run, name: str, size: float | None = None, bold: bool | None = None) -> None:
    font = style_or_run.font
    font.name = name
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    rpr = style_or_run.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def render(draft: Draft) -> bytes:
    document = Document()
    styles = document.styles
    _fonts(styles["Normal"], BODY_FONT, 16)
    for level in (1, 2):
        _fonts(styles[f"Heading {level}"], HEADING_FONT, 16 if level == 1 else 14, bold=True)
        styles[f"Heading {level}"].font.color.rgb = None
    _fonts(styles["Title"], TITLE_FONT, 22, bold=True)
    styles["Title"].font.color.rgb = None

    title = document.add_paragraph(draft.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period = document.add_paragraph(_("（%(p)s）") % {"p": draft.period_label})
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (draft.opening, draft.profile):
        _body(document, text)
    for chapter in draft.chapters:
        document.add_heading(chapter.heading, level=1)
        for text in chapter.paragraphs:
            _body(document, text)
        for table in chapter.tables:
            caption = document.add_paragraph(table.caption)
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header))
            grid.style = "Table Grid"
            for row_index, row in enumerate([table.header, *table.rows]):
                for col, value in enumerate(row):
                    cell = grid.cell(row_index, col)
                    cell.text = value
                    for run in cell.paragraphs[0].runs:
                        _fonts(run, BODY_FONT, 12, bold=row_index == 0)
    _body(document, draft.closing)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _body(document, text: str) -> None:
    if not text:
        return
    paragraph = document.add_paragraph(text)
    paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters of 16 pt
    paragraph.paragraph_format.line_spacing = 1.5

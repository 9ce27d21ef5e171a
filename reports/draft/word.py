"""The draft as a Word document (python-docx), for the village to finish in Word or WPS (docs/scorecard.md).

East Asian text needs its own font name (``w:eastAsia`` in the run fonts): without it Word falls back to a
Latin font and WPS may show boxes. The body is 仿宋 and the headings 黑体, as official reports are set.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
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
    _set_fonts(rfonts, name)


def _set_fonts(rfonts, name: str) -> None:
    # A theme font (w:eastAsiaTheme …) wins over a named one in the same element: drop them.
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _defaults(document) -> None:
    """The document's default run: the body font, and Chinese as the East Asian language, so Word and WPS
    pick the East Asian font for CJK punctuation such as “ ”."""
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr.find(qn("w:rFonts")), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def render(draft: Draft) -> bytes:
    document = Document()
    styles = document.styles
    _defaults(document)
    _fonts(styles["Normal"], BODY_FONT, 16)
    heading = styles["Heading 1"]
    _fonts(heading, HEADING_FONT, 16, bold=True)
    heading.font.color.rgb = None
    title_style = styles["Title"]
    _fonts(title_style, TITLE_FONT, 22, bold=True)
    title_style.font.color.rgb = None
    cell_style = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    cell_style.base_style = styles["Normal"]
    _fonts(cell_style, BODY_FONT, 12)
    # Styles are set by id on the paragraph's XML: python-docx's lookup by name walks every style each time,
    # most of the document's cost (tooling/bench: "governance report docx").
    ids = {
        "title": title_style.style_id,
        "heading": heading.style_id,
        "cell": cell_style.style_id,
        "table": styles["Table Grid"].style_id,
    }

    title = _paragraph(document, draft.title, ids["title"])
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period = _paragraph(document, _("（%(p)s）") % {"p": draft.period_label})
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in (draft.opening, draft.profile):
        _body(document, text)
    for chapter in draft.chapters:
        _paragraph(document, chapter.heading, ids["heading"])
        for text in chapter.paragraphs:
            _body(document, text)
        for table in chapter.tables:
            caption = _paragraph(document, table.caption)
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            grid = document.add_table(rows=1 + len(table.rows), cols=len(table.header))
            grid._tbl.tblStyle_val = ids["table"]  # as ``grid.style = "Table Grid"`` sets it, without the lookup
            for row_index, (row, values) in enumerate(zip(grid.rows, [table.header, *table.rows], strict=True)):
                for cell, value in zip(row.cells, values, strict=True):
                    paragraph = cell.paragraphs[0]
                    paragraph._p.style = ids["cell"]
                    run = paragraph.add_run(value)
                    if row_index == 0:
                        run.bold = True
    _body(document, draft.closing)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _paragraph(document, text: str, style_id: str | None = None):
    paragraph = document.add_paragraph(text)
    if style_id:
        paragraph._p.style = style_id
    return paragraph


def _body(document, text: str) -> None:
    if not text:
        return
    paragraph = document.add_paragraph(text)
    paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters of 16 pt
    paragraph.paragraph_format.line_spacing = 1.5

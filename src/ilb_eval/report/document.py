"""A small document model for the report, rendered to a deterministic A4 PDF.

A :class:`Report` holds ordered :class:`Section` objects; a section holds
blocks: sub-headings, paragraphs, bullet lists, tables (DataFrame + caption +
note), figures (matplotlib ``Figure`` + caption + note) and page breaks. The
PDF (reportlab platypus) has a title page (study, sample, date, package
version), a table of contents, numbered sections, PDF bookmarks, a running
header and a footer with "page x of y". A methods section or a provenance page
is just a section the caller fills.

Fonts
    The DejaVu Sans TTFs that matplotlib ships (``mpl-data/fonts/ttf``) are
    registered and embedded as subsets, so umlauts, "–", "−", "≤", "•" and
    the narrow no-break space render and all text is selectable.
Figures
    Embedded as **vector graphics** when ``svglib`` is installed: the figure
    is saved to SVG in memory with text kept as text (``svg.fonttype =
    "none"``), converted to a reportlab drawing and drawn with the same
    embedded DejaVu fonts, so figure text is selectable too. Without
    ``svglib`` they are embedded as 300 dpi PNG images. :data:`FIGURE_FORMAT`
    says which one is in use.
Determinism
    With ``SOURCE_DATE_EPOCH`` set, identical input gives a byte-identical
    PDF: the creation date and the report date come from it, and the document
    ID is a digest of that date and the metadata. Without it the current time
    is used.
Metadata
    Title, subject, creator and producer (``ilb_eval <version>``) only: no
    author, no keywords, no user or host name, no file path.

Numbers in table cells must already be text (use :mod:`ilb_eval.report.tables`
or :mod:`ilb_eval.formatting`); the few numbers the document itself prints
(page numbers, the date) go through :mod:`ilb_eval.formatting` as well.

Examples
--------
>>> import pandas as pd
>>> report = Report(title="Wirkung der iLB", study="iLB-Begleitforschung", sample="EAP")
>>> intro = report.add_section("Einleitung")
>>> intro.paragraph("Drei Wellen: t1, t3 und t4.")  # doctest: +ELLIPSIS
Section(...)
>>> intro.table(pd.DataFrame({"Welle": ["t1"], "n": ["1.737"]}), caption="Rücklauf")  # doctest: +ELLIPSIS
Section(...)
>>> pdf = report.to_pdf_bytes()
>>> pdf[:5]
b'%PDF-'
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageBreakIfNotEmpty,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus.tableofcontents import TableOfContents

from ilb_eval import __version__
from ilb_eval.files import atomic_write_bytes
from ilb_eval.formatting import MISSING, Lang, format_count, format_date, format_number

__all__ = [
    "FIGURE_FORMAT",
    "Bullets",
    "FigureBlock",
    "Heading",
    "PageBreak",
    "Paragraph",
    "Report",
    "Section",
    "TableBlock",
    "register_fonts",
    "report_date",
]

try:  # optional: vector figures
    from svglib.svglib import svg2rlg as _svg2rlg
except ImportError:  # pragma: no cover - depends on the environment
    _svg2rlg = None

#: How figures are embedded: ``"vector"`` (svglib available) or ``"png"`` (300 dpi).
FIGURE_FORMAT: Literal["vector", "png"] = "vector" if _svg2rlg is not None else "png"

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FONT_BOLD_ITALIC = "DejaVuSans-BoldOblique"

_PAGE_WIDTH, _PAGE_HEIGHT = A4
_MARGIN_X = 2.2 * cm
_MARGIN_TOP = 2.6 * cm
_MARGIN_BOTTOM = 2.3 * cm
#: Width of the text column in points.
TEXT_WIDTH = _PAGE_WIDTH - 2 * _MARGIN_X
_TEXT_HEIGHT = _PAGE_HEIGHT - _MARGIN_TOP - _MARGIN_BOTTOM

_INK = colors.HexColor("#1a1a1a")
_GREY = colors.HexColor("#5f5f5f")
_RULE = colors.HexColor("#9a9a9a")
_ACCENT = colors.HexColor("#0b3c5d")

_WORDS: dict[str, dict[str, str]] = {
    "de": {
        "contents": "Inhalt", "table": "Tabelle", "figure": "Abbildung", "note": "Anmerkung.",
        "page": "Seite {page} von {total}", "study": "Studie", "sample": "Stichprobe",
        "date": "Datum", "software": "Software", "lang": "de-DE",
    },
    "en": {
        "contents": "Contents", "table": "Table", "figure": "Figure", "note": "Note.",
        "page": "Page {page} of {total}", "study": "Study", "sample": "Sample",
        "date": "Date", "software": "Software", "lang": "en-GB",
    },
}


# --------------------------------------------------------------------------- fonts

@cache
def register_fonts() -> str:
    """Register the DejaVu Sans family matplotlib ships with reportlab (and svglib).

    Safe to call repeatedly. Returns the regular font's name.

    >>> register_fonts()
    'DejaVuSans'
    """
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    variants = (
        (FONT, "DejaVuSans.ttf", "normal", "normal"),
        (FONT_BOLD, "DejaVuSans-Bold.ttf", "bold", "normal"),
        (FONT_ITALIC, "DejaVuSans-Oblique.ttf", "normal", "italic"),
        (FONT_BOLD_ITALIC, "DejaVuSans-BoldOblique.ttf", "bold", "italic"),
    )
    font_map = None
    if _svg2rlg is not None:
        from svglib.fonts import get_global_font_map

        font_map = get_global_font_map()
    for name, filename, weight, style in variants:
        if font_map is not None:
            # registers the TTF with reportlab under ``name`` and maps the SVG
            # family matplotlib writes ("DejaVu Sans") to it
            font_map.register_font("DejaVu Sans", str(folder / filename), weight, style,
                                   rlgFontName=name)
        else:  # pragma: no cover - without svglib
            pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC,
                                  boldItalic=FONT_BOLD_ITALIC)
    return FONT


# --------------------------------------------------------------------------- dates

def report_date(value: _dt.date | None = None) -> _dt.date:
    """The date printed on the report.

    ``value`` if given; else the date of ``SOURCE_DATE_EPOCH`` (UTC) when that
    variable is set; else today (UTC).

    >>> import datetime
    >>> report_date(datetime.date(2026, 1, 2))
    datetime.date(2026, 1, 2)
    """
    if value is not None:
        return value
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC).date()
    return _dt.datetime.now(tz=_dt.UTC).date()


# --------------------------------------------------------------------------- blocks

@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section (level 2, numbered "1.1", or level 3, unnumbered)."""

    text: str
    level: Literal[2, 3] = 2


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text (no markup; ``<`` and ``&`` are shown as typed).

    ``style`` is ``"body"`` (default), ``"lead"`` (slightly larger) or
    ``"note"`` (small, grey).
    """

    text: str
    style: Literal["body", "lead", "note"] = "body"


@dataclass(frozen=True)
class Bullets:
    """A bulleted list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class TableBlock:
    """A table: a DataFrame of text cells with a caption and an optional note.

    Parameters
    ----------
    frame:
        The cells; column names are the header. Cells should be text already
        formatted through :mod:`ilb_eval.formatting`; a float or int that
        slips through is formatted with two decimals / as a count, NaN as "–".
    caption:
        The table title (APA: printed under the bold "Tabelle n").
    note:
        Printed under the table after "Anmerkung." / "Note.".
    bold_rows, italic_rows, indent_rows:
        Row positions (0-based, without the header) printed bold (block
        headings), italic (sub-blocks) or indented (rows inside a block).
    align:
        One of "left", "right", "center" per column; default: the first
        column left, a column right when all its cells look numeric, else left.
    """

    frame: pd.DataFrame
    caption: str
    note: str | None = None
    bold_rows: tuple[int, ...] = ()
    indent_rows: tuple[int, ...] = ()
    align: tuple[str, ...] | None = None
    italic_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class FigureBlock:
    """A matplotlib figure with a caption and an optional note.

    ``width`` is the printed width as a share of the text width; ``None``
    keeps the figure's own size (so its font sizes print as designed), shrunk
    to fit the page when needed.
    """

    figure: Figure
    caption: str
    note: str | None = None
    width: float | None = None


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block = Heading | Paragraph | Bullets | TableBlock | FigureBlock | PageBreak


@dataclass
class Section:
    """A numbered (or unnumbered) top-level section and its blocks, in order.

    The adder methods return the section, so calls can be chained.

    >>> s = Section("Methode").paragraph("FIML-Schätzung.").heading("Modelle")
    >>> [type(b).__name__ for b in s.blocks]
    ['Paragraph', 'Heading']
    """

    title: str
    numbered: bool = True
    blocks: list[Block] = field(default_factory=list)

    def heading(self, text: str, level: Literal[2, 3] = 2) -> Section:
        """Add a sub-heading (level 2 is numbered and listed in the contents)."""
        self.blocks.append(Heading(text, level))
        return self

    def paragraph(self, text: str, style: Literal["body", "lead", "note"] = "body") -> Section:
        """Add a paragraph of plain text."""
        self.blocks.append(Paragraph(text, style))
        return self

    def bullets(self, items: Iterable[str]) -> Section:
        """Add a bulleted list."""
        self.blocks.append(Bullets(tuple(items)))
        return self

    def table(self, frame: pd.DataFrame, caption: str, note: str | None = None, *,
              bold_rows: Sequence[int] = (), indent_rows: Sequence[int] = (),
              italic_rows: Sequence[int] = (), align: Sequence[str] | None = None) -> Section:
        """Add a table; see :class:`TableBlock`."""
        self.blocks.append(TableBlock(frame, caption, note, tuple(bold_rows), tuple(indent_rows),
                                      tuple(align) if align is not None else None,
                                      tuple(italic_rows)))
        return self

    def figure(self, figure: Figure, caption: str, note: str | None = None, *,
               width: float | None = None) -> Section:
        """Add a figure; see :class:`FigureBlock`."""
        self.blocks.append(FigureBlock(figure, caption, note, width))
        return self

    def page_break(self) -> Section:
        """Start a new page."""
        self.blocks.append(PageBreak())
        return self


# --------------------------------------------------------------------------- styles

@cache
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13.6, textColor=_INK,
                          spaceAfter=6, alignment=TA_LEFT)
    return {
        "body": body,
        "lead": ParagraphStyle("lead", parent=body, fontSize=10.5, leading=15),
        "note": ParagraphStyle("note", parent=body, fontSize=8, leading=10.6, textColor=_GREY),
        "bullet": ParagraphStyle("bullet", parent=body, spaceAfter=2),
        "h1": ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=15, leading=19,
                             textColor=_ACCENT, spaceBefore=4, spaceAfter=10, keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=11.5, leading=15,
                             textColor=_ACCENT, spaceBefore=10, spaceAfter=5, keepWithNext=1),
        "h3": ParagraphStyle("h3", parent=body, fontName=FONT_BOLD, fontSize=9.5, leading=13,
                             spaceBefore=8, spaceAfter=3, keepWithNext=1),
        "caption_number": ParagraphStyle("caption_number", parent=body, fontName=FONT_BOLD,
                                         spaceBefore=8, spaceAfter=1, keepWithNext=1),
        "caption": ParagraphStyle("caption", parent=body, fontName=FONT_ITALIC, spaceAfter=5,
                                  keepWithNext=1),
        "table_note": ParagraphStyle("table_note", parent=body, fontSize=8, leading=10.6,
                                     textColor=_INK, spaceBefore=4, spaceAfter=10),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.3, leading=10.4, spaceAfter=0),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=24, leading=30,
                                textColor=_ACCENT, spaceAfter=12),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=13, leading=18,
                                   textColor=_GREY, spaceAfter=6),
        "meta": ParagraphStyle("meta", parent=body, fontSize=10, leading=15),
        "toc_title": ParagraphStyle("toc_title", parent=body, fontName=FONT_BOLD, fontSize=15,
                                    leading=19, textColor=_ACCENT, spaceAfter=14),
        "toc1": ParagraphStyle("toc1", parent=body, fontName=FONT_BOLD, fontSize=10, leading=14,
                               leftIndent=22, firstLineIndent=-22, spaceBefore=5),
        "toc2": ParagraphStyle("toc2", parent=body, fontSize=9.5, leading=13, leftIndent=50,
                               firstLineIndent=-28, spaceBefore=1),
    }


_GLUE_AFTER = re.compile(r"([=<>≤≥])[ \u202f](?=[−+,.\d\u2013])|(\d)[ \u202f](?=%)")
_GLUE_BEFORE = re.compile(r"(?<!\S)(\S{1,3}) (?=[=<>≤≥][ \u00a0])")


def _glue(text: str) -> str:
    """No line break inside ``p < ,001``, ``r = ,75**``, ``n = 120`` or ``72 %``.

    reportlab breaks lines at the narrow no-break space, so it becomes a
    no-break space (U+00A0), as do the spaces around comparison signs.

    >>> _glue("Unterschied 0,09, p < ,001 und 72\u202f%") == "Unterschied 0,09, p\u00a0<\u00a0,001 und 72\u00a0%"
    True
    """
    text = _GLUE_AFTER.sub(lambda m: (m.group(1) or m.group(2)) + "\u00a0", text)
    text = text.replace("\u202f", "\u00a0")
    return _GLUE_BEFORE.sub("\\1\u00a0", text)


def _text(value: str) -> str:
    """Plain text -> platypus paragraph markup (escaped, line breaks kept, statistics glued)."""
    return escape(_glue(str(value))).replace("\n", "<br/>")


# --------------------------------------------------------------------------- PDF machinery

class _NeutralInfo(pdfdoc.PDFInfo):
    """PDF info dictionary with title, subject, creator, producer and dates only."""

    def format(self, document):  # noqa: D401 - reportlab API
        entries = {
            "Title": pdfdoc.PDFString(self.title),
            "Subject": pdfdoc.PDFString(self.subject),
            "Creator": pdfdoc.PDFString(self.creator),
            "Producer": pdfdoc.PDFString(self.producer),
            "CreationDate": pdfdoc.PDFDate(ts=document._timeStamp),
            "ModDate": pdfdoc.PDFDate(ts=document._timeStamp),
            "Trapped": pdfdoc.PDFName(self.trapped),
        }
        return pdfdoc.PDFDictionary(entries).format(document)


class _Canvas(rl_canvas.Canvas):
    """A canvas whose info dictionary carries no author and no keywords."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._doc.info = _NeutralInfo()


class _Template(BaseDocTemplate):
    """Doc template: title page without furniture, body pages with header and footer."""

    def __init__(self, buffer: io.BytesIO, report: Report) -> None:
        words = _WORDS[report.lang]
        producer = f"ilb_eval {__version__}"
        super().__init__(
            buffer, pagesize=A4, leftMargin=_MARGIN_X, rightMargin=_MARGIN_X,
            topMargin=_MARGIN_TOP, bottomMargin=_MARGIN_BOTTOM, title=report.title,
            subject=report.subject, author="", creator=producer, producer=producer,
            lang=words["lang"], displayDocTitle=1, initialFontName=FONT,
        )
        self.report = report
        self.words = words
        self.page_total = 0  # total pages of the previous pass ("page x of y")
        self._pages_this_pass = 0
        frame = Frame(_MARGIN_X, _MARGIN_BOTTOM, TEXT_WIDTH, _TEXT_HEIGHT, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate(id="title", frames=[frame], onPage=self._draw_title_furniture),
            PageTemplate(id="body", frames=[frame], onPage=self._draw_furniture),
        ])

    def afterPage(self) -> None:
        self._pages_this_pass = self.page

    def _allSatisfied(self) -> int:
        # one more pass when the page total printed in the footers was not final
        satisfied = super()._allSatisfied() and self.page_total == self._pages_this_pass
        self.page_total = self._pages_this_pass
        return int(satisfied)

    def afterFlowable(self, flowable: Flowable) -> None:
        entry = getattr(flowable, "_toc_entry", None)
        if entry is None:
            return
        level, text, key = entry
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=level > 0)
        self.notify("TOCEntry", (level, _text(text), self.page, key))

    def _draw_title_furniture(self, canv: rl_canvas.Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setFillColor(_ACCENT)
        canv.rect(0, _PAGE_HEIGHT - 1.1 * cm, _PAGE_WIDTH, 1.1 * cm, stroke=0, fill=1)
        canv.restoreState()

    def _draw_furniture(self, canv: rl_canvas.Canvas, doc: BaseDocTemplate) -> None:
        report = self.report
        canv.saveState()
        top = _PAGE_HEIGHT - _MARGIN_TOP + 0.9 * cm
        canv.setFont(FONT, 7.5)
        canv.setFillColor(_GREY)
        canv.drawString(_MARGIN_X, top, _fit(report.title, FONT, 7.5, TEXT_WIDTH * 0.7))
        canv.drawRightString(_PAGE_WIDTH - _MARGIN_X, top, report.sample)
        canv.setStrokeColor(_RULE)
        canv.setLineWidth(0.4)
        canv.line(_MARGIN_X, top - 4, _PAGE_WIDTH - _MARGIN_X, top - 4)
        bottom = _MARGIN_BOTTOM - 1.1 * cm
        canv.line(_MARGIN_X, bottom + 10, _PAGE_WIDTH - _MARGIN_X, bottom + 10)
        canv.drawString(_MARGIN_X, bottom, f"ilb_eval {__version__}")
        total = max(self.page_total, doc.page)
        canv.drawRightString(
            _PAGE_WIDTH - _MARGIN_X, bottom,
            self.words["page"].format(page=format_count(doc.page, report.lang),
                                      total=format_count(total, report.lang)),
        )
        canv.restoreState()


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``width`` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class _TocHeading(RLParagraph):
    """A heading paragraph that reports itself to the contents and the bookmarks."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str, number: str) -> None:
        label = f"{number}\u2003{text}" if number else text
        super().__init__(_text(label), style)
        self._toc_entry = (level, f"{number} {text}".strip(), key)


# --------------------------------------------------------------------------- tables

_NUMERIC = re.compile(r"^[\s+\-−–•<>=≤≥.,;:%\[\]()*\d\u202f]*$")


def _cell_text(value: object, lang: Lang) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and value != value):
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return format_count(value, lang)
    if isinstance(value, float):
        return format_number(value, 2, lang)
    return str(value)


def _table_flowables(block: TableBlock, number: int, lang: Lang) -> list[Flowable]:
    styles = _styles()
    cell = styles["cell"]
    frame = block.frame
    header = [str(c) for c in frame.columns]
    body = [[_cell_text(v, lang) for v in row] for row in frame.itertuples(index=False, name=None)]
    ncol = len(header)
    if block.align is not None:
        if len(block.align) != ncol:
            raise ValueError(f"align has {len(block.align)} entries for {ncol} columns")
        align = list(block.align)
    else:
        align = ["left"] + [
            "right" if all(_NUMERIC.match(r[j]) for r in body) and body else "left"
            for j in range(1, ncol)
        ]
    enums = {"left": TA_LEFT, "right": TA_RIGHT, "center": TA_CENTER}
    bold_rows, indent_rows = set(block.bold_rows), set(block.indent_rows)
    italic_rows = set(block.italic_rows)

    def para(text: str, j: int, *, bold: bool = False, italic: bool = False,
             indent: bool = False) -> RLParagraph:
        font = FONT_BOLD if bold else FONT_ITALIC if italic else FONT
        style = ParagraphStyle(f"c{j}{font}{indent}", parent=cell, alignment=enums[align[j]],
                               fontName=font,
                               leftIndent=9 if indent and j == 0 else 0)
        return RLParagraph(_text(text), style)

    head_style = ParagraphStyle("head", parent=cell, fontName=FONT_BOLD)
    rows = [[RLParagraph(_text(h), ParagraphStyle(f"h{j}", parent=head_style,
                                                  alignment=enums[align[j]]))
             for j, h in enumerate(header)]]
    for i, row in enumerate(body):
        rows.append([para(t, j, bold=i in bold_rows and j == 0,
                          italic=i in italic_rows and j == 0, indent=i in indent_rows)
                     for j, t in enumerate(row)])

    widths = _column_widths(header, body, cell.fontSize, indent=bool(indent_rows))
    table = RLTable(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("LINEABOVE", (0, 0), (-1, 0), 0.9, _INK),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, _INK),
        ("LINEBELOW", (0, -1), (-1, -1), 0.9, _INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 3.5),
        ("TOPPADDING", (0, 0), (-1, 0), 3.5),
    ]
    for i in sorted(bold_rows):
        if i > 0:
            commands.append(("TOPPADDING", (0, i + 1), (-1, i + 1), 6))
    table.setStyle(TableStyle(commands))
    words = _WORDS[lang]
    parts: list[Flowable] = [
        RLParagraph(f"{words['table']} {number}", styles["caption_number"]),
        RLParagraph(_text(block.caption), styles["caption"]),
        table,
    ]
    if block.note:
        parts.append(RLParagraph(f"<i>{words['note']}</i> {_text(block.note)}",
                                 styles["table_note"]))
    else:
        parts.append(Spacer(1, 8))
    return [KeepTogether(parts)]


def _column_widths(header: list[str], body: list[list[str]], size: float, *,
                   indent: bool) -> list[float]:
    """Column widths in points: natural widths when the table fits; otherwise each column keeps room for
    its longest word (a number is never broken) and the space left is shared in proportion to what each
    column would need to stay on one line (the automatic table layout of HTML)."""
    pad = 6.5

    def font(j: int) -> str:
        return FONT_BOLD if j == 0 else FONT

    natural, minimum = [], []
    for j, h in enumerate(header):
        extra = pad + (9 if indent and j == 0 else 0)
        heads = max((pdfmetrics.stringWidth(w, FONT_BOLD, size) for w in h.split()), default=0)
        cells = max((pdfmetrics.stringWidth(r[j], font(j), size) for r in body), default=0)
        words = max((pdfmetrics.stringWidth(w, font(j), size) for r in body for w in r[j].split()), default=0)
        natural.append(max(heads, cells) + extra)
        minimum.append(max(heads, words) + extra)
    total = sum(natural)
    if total <= TEXT_WIDTH:
        extra = TEXT_WIDTH - total
        if len(natural) == 1:
            return [TEXT_WIDTH]
        natural[0] += extra * 0.5
        rest = extra * 0.5 / (len(natural) - 1)
        return [natural[0]] + [w + rest for w in natural[1:]]
    if sum(minimum) >= TEXT_WIDTH:
        return [w * TEXT_WIDTH / sum(minimum) for w in minimum]
    numeric = [j > 0 and _mostly_numbers([r[j] for r in body]) for j in range(len(header))]
    fixed = sum(natural[j] if numeric[j] else minimum[j] for j in range(len(header)))
    if fixed <= TEXT_WIDTH:  # numbers on one line; the text columns wrap into the space left
        need = sum(natural[j] - minimum[j] for j in range(len(header)) if not numeric[j])
        share = (TEXT_WIDTH - fixed) / need if need > 0 else 0.0
        return [natural[j] if numeric[j] else minimum[j] + (natural[j] - minimum[j]) * share
                for j in range(len(header))]
    share = (TEXT_WIDTH - sum(minimum)) / (total - sum(minimum))
    return [lo + (hi - lo) * share for lo, hi in zip(minimum, natural, strict=True)]


_NUMBER_CELL = re.compile(r"^[<>≤≥−+\-]?\s?[\d\[(]")


def _mostly_numbers(cells: list[str]) -> bool:
    """Whether most non-empty cells of a column start like a number, an interval or a p-value."""
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and sum(bool(_NUMBER_CELL.match(c)) for c in filled) * 2 >= len(filled)


# --------------------------------------------------------------------------- figures

def _figure_flowable(block: FigureBlock, figure_format: Literal["vector", "png"]) -> Flowable:
    fig = block.figure
    max_width = TEXT_WIDTH if block.width is None else TEXT_WIDTH * block.width
    max_height = _TEXT_HEIGHT * 0.72
    if figure_format == "vector":
        if _svg2rlg is None:
            raise RuntimeError("vector figures need svglib (pip install svglib); "
                               "use figure_format='png' instead")
        buffer = io.StringIO()
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ilb_eval"}):
            fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        drawing = _svg2rlg(io.BytesIO(_svg_for_svglib(buffer.getvalue()).encode("utf-8")))
        natural_w, natural_h = drawing.width, drawing.height
        scale = min(1.0 if block.width is None else max_width / natural_w,
                    max_width / natural_w, max_height / natural_h)
        drawing.scale(scale, scale)
        drawing.width, drawing.height = natural_w * scale, natural_h * scale
        drawing.hAlign = "CENTER"
        drawing.initialFontName = FONT  # no stray (unembedded) Helvetica in the page resources
        return drawing
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=300, metadata={"Software": None})
    buffer.seek(0)
    width_in, height_in = fig.get_size_inches()
    natural_w, natural_h = width_in * 72, height_in * 72
    scale = min(1.0 if block.width is None else max_width / natural_w,
                max_width / natural_w, max_height / natural_h)
    return Image(buffer, width=natural_w * scale, height=natural_h * scale, hAlign="CENTER")


_NUMERIC_WEIGHT = re.compile(r"font-weight:\s*(?:[6-9]00)\b")
_PLAIN_OPACITY = re.compile(r"(?<![-\w])opacity:\s*([0-9.]+)")


def _svg_for_svglib(svg: str) -> str:
    """Spell two SVG styles matplotlib writes in the way svglib understands.

    Numeric bold weights (``font-weight: 700``) become ``bold``; a plain
    ``opacity`` (legend patches) becomes ``fill-opacity`` and ``stroke-opacity``.

    >>> _svg_for_svglib('style="font-weight: 700; fill: #6b6b6b; opacity: 0.25"')
    'style="font-weight: bold; fill: #6b6b6b; fill-opacity: 0.25; stroke-opacity: 0.25"'
    """
    svg = _NUMERIC_WEIGHT.sub("font-weight: bold", svg)
    return _PLAIN_OPACITY.sub(r"fill-opacity: \1; stroke-opacity: \1", svg)


def _figure_flowables(block: FigureBlock, number: int, lang: Lang,
                      figure_format: Literal["vector", "png"]) -> list[Flowable]:
    styles = _styles()
    words = _WORDS[lang]
    parts: list[Flowable] = [
        RLParagraph(f"{words['figure']} {number}", styles["caption_number"]),
        RLParagraph(_text(block.caption), styles["caption"]),
        _figure_flowable(block, figure_format),
    ]
    if block.note:
        parts.append(RLParagraph(f"<i>{words['note']}</i> {_text(block.note)}",
                                 styles["table_note"]))
    else:
        parts.append(Spacer(1, 8))
    return [KeepTogether(parts)]


# --------------------------------------------------------------------------- report

@dataclass
class Report:
    """A report: title page, contents, then the sections in order.

    Parameters
    ----------
    title:
        Document title (title page, running header, PDF metadata).
    study:
        Name of the study (title page, PDF subject).
    sample:
        Sample label, e.g. ``"EAP"`` (title page, running header).
    subtitle:
        Optional line under the title.
    lang:
        ``"de"`` (default) or ``"en"``: fixed words (Tabelle/Table, Seite/Page)
        and number style.
    date:
        Date printed on the title page; default :func:`report_date`.
    notice:
        Optional short text at the bottom of the title page (e.g. the
        disclosure rule in force).
    figure_format:
        ``"auto"`` (vector when svglib is installed, else PNG), ``"vector"`` or ``"png"``.
    """

    title: str
    study: str
    sample: str
    subtitle: str | None = None
    lang: Lang = "de"
    date: _dt.date | None = None
    notice: str | None = None
    figure_format: Literal["auto", "vector", "png"] = "auto"
    sections: list[Section] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.lang not in _WORDS:
            raise ValueError(f"lang must be 'de' or 'en', got {self.lang!r}")

    @property
    def subject(self) -> str:
        """PDF subject: study and sample."""
        return f"{self.study} – {self.sample}"

    def add_section(self, title: str, *, numbered: bool = True) -> Section:
        """Append a new section and return it for filling."""
        section = Section(title, numbered)
        self.sections.append(section)
        return section

    def section_numbers(self) -> dict[int, str]:
        """``{id(section): "3"}``: the number each numbered section prints under (unnumbered: ``""``).

        >>> r = Report("T", "S", "EAP")
        >>> a, b, c = r.add_section("A"), r.add_section("Anhang", numbered=False), r.add_section("C")
        >>> [r.section_numbers()[id(s)] for s in (a, b, c)]
        ['1', '', '2']
        """
        numbers, chapter = {}, 0
        for section in self.sections:
            chapter += section.numbered
            numbers[id(section)] = str(chapter) if section.numbered else ""
        return numbers

    def _story(self) -> list[Flowable]:
        styles = _styles()
        words = _WORDS[self.lang]
        figure_format: Literal["vector", "png"] = (
            FIGURE_FORMAT if self.figure_format == "auto" else self.figure_format)
        story: list[Flowable] = [
            Spacer(1, 5.2 * cm),
            RLParagraph(_text(self.title), styles["title"]),
        ]
        if self.subtitle:
            story.append(RLParagraph(_text(self.subtitle), styles["subtitle"]))
        story.append(Spacer(1, 1.4 * cm))
        meta = [
            (words["study"], self.study),
            (words["sample"], self.sample),
            (words["date"], format_date(report_date(self.date), self.lang)),
            (words["software"], f"ilb_eval {__version__}"),
        ]
        meta_table = RLTable(
            [[RLParagraph(_text(k), ParagraphStyle("mk", parent=styles["meta"], textColor=_GREY)),
              RLParagraph(_text(v), styles["meta"])] for k, v in meta],
            colWidths=[3.2 * cm, TEXT_WIDTH - 3.2 * cm], hAlign="LEFT",
        )
        meta_table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEABOVE", (0, 0), (-1, 0), 0.6, _ACCENT),
            ("TOPPADDING", (0, 0), (-1, 0), 8),
        ]))
        story.append(meta_table)
        if self.notice:
            story += [Spacer(1, 1.2 * cm), RLParagraph(_text(self.notice), styles["note"])]
        story += [NextPageTemplate("body"), RLPageBreak()]

        toc = TableOfContents(dotsMinLevel=0)
        toc.levelStyles = [styles["toc1"], styles["toc2"]]
        toc.tableStyle = TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), FONT), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ])
        story += [RLParagraph(_text(words["contents"]), styles["toc_title"]), toc]

        tables = figures = 0
        numbers = self.section_numbers()
        for index, section in enumerate(self.sections):
            story.append(PageBreakIfNotEmpty())
            sub = 0
            number = numbers[id(section)]
            story.append(_TocHeading(section.title, styles["h1"], 0, f"s{index}", number))
            for block in section.blocks:
                if isinstance(block, Heading):
                    if block.level == 2:
                        sub += 1
                        sub_number = f"{number}.{sub}" if section.numbered else ""
                        story.append(_TocHeading(block.text, styles["h2"], 1,
                                                 f"s{index}.{sub}", sub_number))
                    else:
                        story.append(RLParagraph(_text(block.text), styles["h3"]))
                elif isinstance(block, Paragraph):
                    story.append(RLParagraph(_text(block.text), styles[block.style]))
                elif isinstance(block, Bullets):
                    story.append(ListFlowable(
                        [ListItem(RLParagraph(_text(item), styles["bullet"]), leftIndent=14)
                         for item in block.items],
                        bulletType="bullet", start="•", bulletFontName=FONT, bulletFontSize=8,
                        leftIndent=14, spaceAfter=6,
                    ))
                elif isinstance(block, TableBlock):
                    tables += 1
                    story += _table_flowables(block, tables, self.lang)
                elif isinstance(block, FigureBlock):
                    figures += 1
                    story += _figure_flowables(block, figures, self.lang, figure_format)
                elif isinstance(block, PageBreak):
                    story.append(PageBreakIfNotEmpty())
                else:  # pragma: no cover - guarded by the type
                    raise TypeError(f"unknown block {block!r}")
        return story

    def to_pdf_bytes(self) -> bytes:
        """Render the report and return the PDF bytes."""
        register_fonts()
        buffer = io.BytesIO()
        template = _Template(buffer, self)
        template.multiBuild(self._story(), canvasmaker=_Canvas)
        return buffer.getvalue()

    def write_pdf(self, path: str | os.PathLike[str]) -> Path:
        """Render the report and write it atomically to ``path``; returns the path."""
        return atomic_write_bytes(path, self.to_pdf_bytes())

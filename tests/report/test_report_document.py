"""The PDF: A4, embedded fonts, extractable German text, neutral metadata, byte-stable."""

import getpass
import io
import os
import socket

import pandas as pd
import pytest
from matplotlib.figure import Figure
from pypdf import PdfReader

from ilb_eval import __version__
from ilb_eval.report.document import FIGURE_FORMAT, Report

UMLAUT_TEXT = "Größere Übergänge in der Ärztekammer – Maß ≤ 0,05 • −0,12 und 72\u202f%"


def _figure() -> Figure:
    fig = Figure(figsize=(5, 2.5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 2, 3], [3.4, 3.6, 3.7])
    ax.set_xlabel("Befragungswelle")
    ax.set_ylabel("Belastbarkeit (Mittelwert)")
    return fig


def _report(**kwargs) -> Report:
    report = Report(title="Wirkung der iLB: Wachstumskurven", study="iLB-Begleitforschung",
                    sample="EAP", subtitle="Ergebnisbericht", **kwargs)
    intro = report.add_section("Einführung")
    intro.paragraph(UMLAUT_TEXT)
    intro.heading("Datengrundlage")
    intro.bullets(["Welle t1", "Welle t3", "Welle t4"])
    intro.table(pd.DataFrame({"Welle": ["t1", "t3"], "n": ["1.737", "1.059"], "Anteil": [0.5, 0.25]}),
                caption="Rücklauf je Welle", note="Personen mit mindestens einer Angabe.")
    results = report.add_section("Ergebnisse")
    results.figure(_figure(), caption="Verlauf der Belastbarkeit", note="Modellimpliziert.")
    results.page_break()
    results.paragraph("Schluss.")
    report.add_section("Provenienz", numbered=False).paragraph("Eingaben und Versionen.")
    return report


@pytest.fixture
def pdf(fixed_epoch) -> bytes:
    return _report().to_pdf_bytes()


def _text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pages_are_a4(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 4
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.01)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.01)


def test_every_font_is_embedded(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                          if "/DescendantFonts" in font else font["/FontDescriptor"])
            assert "/FontFile2" in descriptor.get_object(), font["/BaseFont"]
            seen.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= seen
    assert b"Helvetica" not in pdf


def test_text_is_extractable_with_umlauts(pdf):
    text = _text(PdfReader(io.BytesIO(pdf)))
    for word in ("Größere", "Übergänge", "Ärztekammer", "Maß", "≤", "−0,12", "•", "Einführung",
                 "Rücklauf je Welle", "Anmerkung.", "Tabelle 1", "Abbildung 1"):
        assert word in text, word


def test_title_page_contents_and_numbering(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[0].extract_text()
    assert "iLB-Begleitforschung" in first and "EAP" in first and "01.01.2026" in first
    assert f"ilb_eval {__version__}" in first
    contents = reader.pages[1].extract_text()
    assert "Inhalt" in contents and "1 Einführung" in contents and "1.1 Datengrundlage" in contents
    assert "2 Ergebnisse" in contents and "Provenienz" in contents
    total = len(reader.pages)
    assert f"Seite 3 von {total}" in reader.pages[2].extract_text()
    assert [o.title for o in reader.outline if not isinstance(o, list)][:2] == [
        "1 Einführung", "2 Ergebnisse"]


def test_numbers_in_cells_use_the_formatting_layer(pdf):
    assert "0,50" in _text(PdfReader(io.BytesIO(pdf)))  # a float cell, German style


def test_metadata_is_neutral(pdf, tmp_path):
    reader = PdfReader(io.BytesIO(pdf))
    meta = reader.metadata
    assert meta["/Title"] == "Wirkung der iLB: Wachstumskurven"
    assert meta["/Subject"] == "iLB-Begleitforschung – EAP"
    assert meta["/Creator"] == meta["/Producer"] == f"ilb_eval {__version__}"
    assert "/Author" not in meta and "/Keywords" not in meta
    assert meta["/CreationDate"].startswith("D:20260101000000")
    for secret in {getpass.getuser(), socket.gethostname(), os.getcwd(), str(tmp_path)}:
        if len(secret) >= 4:
            assert secret.encode() not in pdf


def test_byte_identical_under_source_date_epoch(fixed_epoch):
    assert _report().to_pdf_bytes() == _report().to_pdf_bytes()


def test_creation_date_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first = _report().to_pdf_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")
    second = _report().to_pdf_bytes()
    assert first != second
    assert PdfReader(io.BytesIO(second)).metadata["/CreationDate"].startswith("D:20260102")


def test_figures_are_vector_with_selectable_text(pdf):
    assert FIGURE_FORMAT == "vector"  # svglib is a dependency
    reader = PdfReader(io.BytesIO(pdf))
    assert "Belastbarkeit (Mittelwert)" in _text(reader)
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject", {})
        assert not any(x.get_object()["/Subtype"] == "/Image" for x in xobjects.values())


def test_png_figures_when_asked(fixed_epoch):
    reader = PdfReader(io.BytesIO(_report(figure_format="png").to_pdf_bytes()))
    images = [x.get_object() for page in reader.pages
              for x in page["/Resources"].get("/XObject", {}).values()
              if x.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 1 and int(images[0]["/Width"]) >= 1000  # 300 dpi


def test_english_words(fixed_epoch):
    text = _text(PdfReader(io.BytesIO(_report(lang="en").to_pdf_bytes())))
    assert "Contents" in text and "Table 1" in text and "Figure 1" in text and "Note." in text
    assert "1 January 2026" in text


def test_write_pdf_is_atomic_and_leaves_no_temp_files(fixed_epoch, tmp_path):
    target = _report().write_pdf(tmp_path / "bericht.pdf")
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["bericht.pdf"]


def test_bad_language_is_refused():
    with pytest.raises(ValueError, match="lang"):
        Report(title="x", study="y", sample="z", lang="fr")

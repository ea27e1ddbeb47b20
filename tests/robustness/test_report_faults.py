"""The report pipeline (``ilb_eval.report.pipeline.write_report``) under faults and with canaries.

* killed (SIGKILL) while writing report.pdf: earlier runs intact, no run folder under a final
  name, inputs unchanged; the next run leaves no temporary folder or file behind;
* a full disk (ENOSPC) while writing report.pdf: OutputError, nothing partial, earlier runs intact
  (the analysis written is the test session's shared one: the fault is in the writing);
* canary codes and free text planted in the wave files appear in no output byte: PDF text and
  metadata, PNG/SVG, CSV/Markdown/LaTeX tables, results.json, manifest.json.

Each runs the whole EAP analysis (about 10 s), hence ``slow``:
``python -m pytest -m slow tests/robustness``.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from test_nothing_leaked import FREE_TEXT, leaks, scan_folder
from test_nothing_lost import leftovers, run_once, snapshot

from ilb_eval.exceptions import OutputError
from ilb_eval.resources import example_dir

pytestmark = pytest.mark.slow

KILL_CHILD = textwrap.dedent(
    """
    import os, signal, sys, warnings
    import ilb_eval.files
    from ilb_eval.report.pipeline import write_report

    real_fsync = os.fsync

    def fsync(fd):
        if ".report.pdf." in os.readlink(f"/proc/self/fd/{fd}"):  # the PDF's temporary file, written
            os.kill(os.getpid(), signal.SIGKILL)
        return real_fsync(fd)

    ilb_eval.files.os.fsync = fsync
    warnings.simplefilter("ignore")
    write_report(sys.argv[1], studies=("ZP",), out=sys.argv[2], invariance=False)  # the smaller study
    print("NOT KILLED")
    """
)


@pytest.fixture
def data(tmp_path):
    """A copy of the example exports (the report reads only declared files and interviews.csv)."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("eap_t1.csv", "eap_t3.csv", "eap_t4.csv", "zp_t1.sav", "zp_t3.sav", "zp_t4.sav", "interviews.csv"):
        (folder / name).write_bytes((example_dir() / name).read_bytes())
    return folder


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to find the file being written")
def test_report_killed_while_writing_the_pdf(tmp_path, data):
    reports = tmp_path / "reports"
    first = run_once(data, reports, "earlier run\n")
    earlier, inputs = snapshot(first), snapshot(data)
    script = tmp_path / "child.py"
    script.write_text(KILL_CHILD, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script), str(data), str(reports)], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr[-3000:]
    assert sorted(p.name for p in reports.iterdir() if not p.name.startswith(".")) == [first.name]
    (hidden,) = [p for p in reports.iterdir() if p.name.startswith(".")]
    assert (hidden / "figures").is_dir() and any(p.name.startswith(".report.pdf.") for p in hidden.iterdir())
    assert snapshot(first) == earlier and snapshot(data) == inputs
    second = run_once(data, reports, "next run\n")
    assert leftovers(reports) == [] and sorted(p.name for p in reports.iterdir()) == sorted([first.name, second.name])


def test_report_full_disk_while_writing_the_pdf(tmp_path, report_run, data, monkeypatch):
    import ilb_eval.files
    from ilb_eval.report import pipeline
    from ilb_eval.report.pipeline import write_report

    # the fault is in writing: the session's shared analysis will do
    monkeypatch.setattr(pipeline, "run_analysis", lambda *a, **k: report_run.results)
    reports = tmp_path / "reports"
    first = run_once(data, reports, "earlier run\n")
    earlier, inputs = snapshot(first), snapshot(data)
    real_fsync = os.fsync

    def fsync(fd):
        if ".report.pdf." in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(ilb_eval.files.os, "fsync", fsync)
    with warnings.catch_warnings(), pytest.raises(OutputError, match="report.pdf.*No space left"):
        warnings.simplefilter("ignore")
        write_report(data, studies=("EAP",), out=reports, invariance=False)
    monkeypatch.undo()
    assert sorted(p.name for p in reports.iterdir()) == [first.name] and leftovers(reports) == []
    assert snapshot(first) == earlier and snapshot(data) == inputs


PREFIX = "ZQXKANARIE"  # long enough not to occur by chance in compressed PNG/PDF bytes
CANARIES = (PREFIX, "Kanarienvogel")


def _plant(folder: Path) -> None:
    """Prefix every person code with the canary (links are kept) and add a free-text column."""
    for name in ("eap_t1.csv", "eap_t3.csv", "eap_t4.csv"):
        path = folder / name
        lines = path.read_bytes().split(b"\r\n")
        assert lines[0].startswith(b"code;")
        planted = [lines[0] + b";var_x"]
        planted += [PREFIX.encode() + line + b";" + FREE_TEXT.encode("cp1252") if line else line for line in lines[1:]]
        path.write_bytes(b"\r\n".join(planted))


def test_report_outputs_carry_no_canary(tmp_path, data):
    import pypdf

    from ilb_eval.report.pipeline import write_report

    _plant(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run = write_report(data, studies=("EAP",), out=tmp_path / "reports", invariance=False)
    extra = (str(tmp_path),)
    assert scan_folder(run.path, extra, CANARIES) == {}
    reader = pypdf.PdfReader(run.path / "report.pdf")
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    assert len(text) > 1000 and leaks(text, extra, CANARIES) == []
    metadata = {str(k): str(v) for k, v in (reader.metadata or {}).items()}
    assert leaks(repr(metadata), extra, CANARIES) == []
    xmp = reader.xmp_metadata
    assert xmp is None or leaks(str(xmp), extra, CANARIES) == []
    for png in run.path.glob("figures/*.png"):  # text chunks of the PNGs
        chunks = png.read_bytes()
        assert b"tEXt" not in chunks or leaks(chunks, extra, CANARIES) == []
    for path in run.path.rglob("*"):
        if path.is_file():
            assert (path.stat().st_mode & 0o777) in (0o644, 0o600)

"""Nothing lost (issue 8, item 3): inputs unchanged after good and failing runs, no output inside
an input folder, and a run killed while writing (SIGKILL, full disk) leaves earlier runs intact and
no partial run folder or temporary file behind (after the next run).

The ``report`` command is being built in parallel; until it lands these tests drive
:class:`ilb_eval.report.runfolder.RunFolder` directly, in a subprocess for the kill.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import bad_inputs as catalogue
import pytest

from ilb_eval.exceptions import InputError, OutputError
from ilb_eval.io import load_waves
from ilb_eval.report.runfolder import RunFolder, sweep_stale
from ilb_eval.study import load_study


def snapshot(folder: Path) -> dict[str, tuple[str, int, int]]:
    """SHA-256, mtime and mode of every file below ``folder`` (hidden ones included)."""
    return {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns,
                                     p.stat().st_mode)
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def study_data(tmp_path):
    study_path = catalogue.wavefiles.copy_study("EAP", tmp_path / "definition")
    study = load_study(study_path)
    data = tmp_path / "data"
    catalogue.wavefiles.write_study_data(study, data, seed=60, n=12)
    return study, data


def run_once(data: Path, reports: Path, text: str = "ok\n") -> Path:
    with RunFolder(sample="EAP", inputs=[data], reports_dir=reports, settings={"text": text}) as run:
        run.write_text("summary.txt", text)
        run.write_json("tables/table.json", {"n": 12})
    return run.path


def leftovers(reports: Path) -> list[str]:
    return [str(p.relative_to(reports)) for p in reports.rglob("*")
            if p.name.startswith(".") or ".tmp" in p.name]


# ------------------------------------------------------------------ inputs are never changed


def test_inputs_unchanged_after_a_good_and_a_failing_run(tmp_path, study_data):
    study, data = study_data
    before = snapshot(data) | snapshot(tmp_path / "definition")
    load_waves(study, data)
    run_once(data, tmp_path / "reports")
    with pytest.raises(RuntimeError), RunFolder(sample="EAP", inputs=[data], reports_dir=tmp_path / "reports") as run:
        run.write_text("a.txt", "x")
        raise RuntimeError("boom")
    bad = data / "eap_t3.csv"
    bad.write_bytes(bad.read_bytes()[:-200])  # a failing load
    before[str(bad.name)] = snapshot(data)[bad.name]
    with pytest.raises(InputError):
        load_waves(study, data)
    assert snapshot(data) | snapshot(tmp_path / "definition") == before


@pytest.mark.parametrize("where", ["same", "inside", "deeper"])
def test_output_folder_inside_an_input_folder_is_refused(tmp_path, study_data, where):
    _, data = study_data
    reports = {"same": data, "inside": data / "reports", "deeper": data / "a" / "b"}[where]
    before = snapshot(data)
    with pytest.raises(OutputError, match="inside an input folder"):
        with RunFolder(sample="EAP", inputs=[data / "eap_t1.csv"], reports_dir=reports):
            pass
    assert snapshot(data) == before and not (data / "reports").exists() and not (data / "a").exists()


# ------------------------------------------------------------------ a run killed while writing

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import ilb_eval.files
    from ilb_eval.report.runfolder import RunFolder

    data, reports = Path(sys.argv[1]), Path(sys.argv[2])
    real_fsync = os.fsync
    calls = []

    def fsync_then_die(fd):
        calls.append(fd)
        if len(calls) == 3:  # inside the third file's atomic write: data written, not yet renamed
            os.kill(os.getpid(), signal.SIGKILL)
        return real_fsync(fd)

    ilb_eval.files.os.fsync = fsync_then_die
    with RunFolder(sample="EAP", inputs=[data], reports_dir=reports, settings={"run": "killed"}) as run:
        run.write_text("summary.txt", "first\\n")
        run.write_bytes("figures/plot.svg", b"<svg/>" * 1000)
        run.write_bytes("report.pdf", b"%PDF-1.7 " * 200_000)  # killed in here
    print("NOT KILLED")
    """
)


def test_sigkill_mid_write_leaves_earlier_runs_and_no_partial_run_folder(tmp_path, study_data):
    _, data = study_data
    reports = tmp_path / "reports"
    first = run_once(data, reports, "first run\n")
    earlier = snapshot(first)
    inputs = snapshot(data)
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    result = subprocess.run([sys.executable, str(script), str(data), str(reports)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    # the kill could not clean up: only a hidden temporary folder remains, never a final name
    visible = sorted(p.name for p in reports.iterdir() if not p.name.startswith("."))
    assert visible == [first.name]
    hidden = [p for p in reports.iterdir() if p.name.startswith(".")]
    assert len(hidden) == 1 and ".tmp-" in hidden[0].name
    assert any(p.name.startswith(".report.pdf.") for p in hidden[0].iterdir())  # killed mid-write
    assert snapshot(first) == earlier and snapshot(data) == inputs
    # the next run sweeps the leftovers of the killed one
    second = run_once(data, reports, "second run\n")
    assert leftovers(reports) == []
    assert sorted(p.name for p in reports.iterdir()) == sorted([first.name, second.name])
    assert snapshot(first) == earlier


def test_a_live_run_is_not_swept(tmp_path, study_data):
    _, data = study_data
    reports = tmp_path / "reports"
    with RunFolder(sample="EAP", inputs=[data], reports_dir=reports) as live:
        live.write_text("a.txt", "x")
        assert sweep_stale(reports) == [] and live.path.exists()
        run_once(data, reports)  # a concurrent run does not remove the live one
        assert live.path.exists()
    assert (live.path / "a.txt").read_text() == "x" and leftovers(reports) == []


# ------------------------------------------------------------------ a full disk


@pytest.mark.parametrize("failing", ["fsync", "write"])
def test_full_disk_mid_run_discards_the_run_and_keeps_earlier_runs(tmp_path, study_data, monkeypatch, failing):
    _, data = study_data
    reports = tmp_path / "reports"
    first = run_once(data, reports, "first run\n")
    earlier = snapshot(first)
    import ilb_eval.files

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with pytest.raises(OutputError, match="No space left on device") as caught:
        with RunFolder(sample="EAP", inputs=[data], reports_dir=reports, settings={"run": 2}) as run:
            run.write_text("summary.txt", "second\n")
            if failing == "fsync":
                monkeypatch.setattr(ilb_eval.files.os, "fsync", no_space)
            else:  # the buffered write of the temporary file fails
                monkeypatch.setattr(ilb_eval.files.os, "fdopen", lambda fd, mode: _FullDisk(fd))
            run.write_bytes("report.pdf", b"%PDF" * 10_000)
    assert isinstance(caught.value.__cause__, OSError) and caught.value.__cause__.errno == errno.ENOSPC
    monkeypatch.undo()
    assert sorted(p.name for p in reports.iterdir()) == [first.name]
    assert snapshot(first) == earlier and leftovers(reports) == []


class _FullDisk:
    """A file object whose write fails like a full disk (after opening the temp file)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        os.close(self.fd)

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fileno(self):
        return self.fd


def test_full_disk_keeps_the_previous_version_of_a_file(tmp_path, monkeypatch):
    from ilb_eval import files

    target = tmp_path / "results.json"
    files.atomic_write_text(target, '{"version": 1}\n')

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", no_space)
    with pytest.raises(OSError) as caught:
        files.atomic_write_text(target, '{"version": 2}\n' * 1000)
    assert caught.value.errno == errno.ENOSPC
    assert target.read_text() == '{"version": 1}\n' and sorted(tmp_path.iterdir()) == [target]

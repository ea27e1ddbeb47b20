"""Never overwrite inputs (issue 18, item 3): the library guards in ``ilb_eval.files`` and every
writer of the command line (``simulate --out``, ``fit --json``, ``report --out``) in process.

Each refusal is checked for its one line, exit code 2, and for the inputs being byte-identical
(SHA-256, mtime) afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from ilb_eval.cli import main
from ilb_eval.exceptions import OutputError
from ilb_eval.files import (
    check_output_dir,
    check_output_file,
    check_output_folder,
    recorded_outputs,
    refuse_overwriting_inputs,
    sha256_file,
)
from ilb_eval.resources import example_dir

GENERATOR = "ilb_eval.simulate"


def state(folder: Path) -> dict[str, tuple[str, int]]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def cli(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.err.splitlines(), out.out


# --------------------------------------------------------------------------- the library guards


def test_same_file_symlink_and_hard_link_are_refused(tmp_path):
    data = tmp_path / "growth.csv"
    data.write_text("y1,y2\n1,2\n")
    (tmp_path / "alias.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    for target in (data, tmp_path / "alias.csv", tmp_path / "hard.csv", tmp_path / "sub" / ".." / "growth.csv"):
        with pytest.raises(OutputError, match=r"^\[OVERWRITES_INPUT\] .*would replace an input file"):
            refuse_overwriting_inputs([target], [data])
    refuse_overwriting_inputs([tmp_path / "fit.json"], [data])  # a new file beside the input is fine


def test_target_inside_an_input_folder_is_refused(tmp_path):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    for target in (data, data / "report", data / "sub" / "x.json"):
        with pytest.raises(OutputError, match="OVERWRITES_INPUT"):
            refuse_overwriting_inputs([target], [data])
    refuse_overwriting_inputs([tmp_path / "reports"], [data, tmp_path / "missing.csv"])


def _simulate_output(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "eap_t1.csv").write_text("code;fk_1\r\nAB12;3\r\n")
    files = [{"file": "eap_t1.csv", "sha256": sha256_file(folder / "eap_t1.csv")}]
    (folder / "manifest.json").write_text(json.dumps({"generator": GENERATOR, "files": files}))


def test_output_folder_rules(tmp_path):
    check_output_folder(tmp_path / "new", force=False, generator=GENERATOR)
    check_output_folder(tmp_path, force=False, generator=GENERATOR)  # empty
    (tmp_path / "README").write_text("notes")
    with pytest.raises(OutputError, match=r"^\[FOLDER_NOT_EMPTY\] .*--force"):
        check_output_folder(tmp_path, force=False, generator=GENERATOR)
    check_output_folder(tmp_path, force=True, generator=GENERATOR)  # no data file in it
    (tmp_path / "eap_t1.csv").write_text("code;fk_1\r\n")
    with pytest.raises(OutputError, match=r"^\[HOLDS_DATA\] eap_t1\.csv: .*not even with --force"):
        check_output_folder(tmp_path, force=True, generator=GENERATOR)
    with pytest.raises(OutputError, match="NOT_A_FOLDER"):
        check_output_folder(tmp_path / "README", force=True, generator=GENERATOR)


def test_an_unchanged_earlier_simulate_output_may_be_replaced_a_changed_one_not(tmp_path):
    _simulate_output(tmp_path)
    assert set(recorded_outputs(tmp_path, GENERATOR)) == {"eap_t1.csv", "manifest.json"}
    assert recorded_outputs(tmp_path, "another.generator") == {}
    check_output_folder(tmp_path, force=True, generator=GENERATOR)
    with pytest.raises(OutputError, match="FOLDER_NOT_EMPTY"):
        check_output_folder(tmp_path, force=False, generator=GENERATOR)
    (tmp_path / "eap_t1.csv").write_text("code;fk_1\r\nREAL01;4\r\n")  # edited by hand: now real data
    with pytest.raises(OutputError, match="HOLDS_DATA"):
        check_output_folder(tmp_path, force=True, generator=GENERATOR)


def test_output_file_and_folder_paths(tmp_path):
    (tmp_path / "file").write_text("x")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    check_output_file(tmp_path / "new.json")
    for bad, reason in ((tmp_path, "is a folder"), (tmp_path / "nowhere" / "a.json", "does not exist"),
                        (tmp_path / "file" / "a.json", "is a file, not a folder"),
                        (tmp_path / "loop", "points nowhere")):
        with pytest.raises(OutputError, match=reason):
            check_output_file(bad)
    check_output_dir(tmp_path / "a" / "b")
    for bad, reason in ((tmp_path / "file", "existing file"), (tmp_path / "file" / "sub", "is a file"),
                        (tmp_path / "loop" / "x", "points nowhere")):
        with pytest.raises(OutputError, match=reason):
            check_output_dir(bad)


def test_unwritable_folders_are_refused_before_any_work(tmp_path, monkeypatch):
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == tmp_path else real_access(p, mode))
    with pytest.raises(OutputError, match="you may not write into the folder"):
        check_output_file(tmp_path / "fit.json")
    with pytest.raises(OutputError, match="you may not write into the folder"):
        check_output_dir(tmp_path / "reports")


# --------------------------------------------------------------------------- the commands


@pytest.fixture
def exports(tmp_path):
    """A folder holding real-looking wave exports (copies of the example files, not a simulate output)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("eap_t1.csv", "eap_t3.csv", "interviews.csv"):
        (folder / name).write_bytes((example_dir() / name).read_bytes())
    return folder


def test_simulate_never_replaces_wave_exports(capsys, exports):
    before = state(exports)
    code, err, out = cli(capsys, "simulate", "--out", str(exports), "--scale", "0.05")
    assert code == 2 and out == "" and len(err) == 1 and err[0].startswith("error: [FOLDER_NOT_EMPTY] exports:")
    code, err, out = cli(capsys, "simulate", "--out", str(exports), "--scale", "0.05", "--force")
    assert code == 2 and len(err) == 1 and err[0].startswith("error: [HOLDS_DATA] ")
    assert state(exports) == before


def test_simulate_into_a_file_or_under_a_file(capsys, tmp_path):
    (tmp_path / "taken").write_text("x")
    for out in (tmp_path / "taken", tmp_path / "taken" / "sub"):
        code, err, _ = cli(capsys, "simulate", "--out", str(out), "--scale", "0.05")
        assert code == 2 and len(err) == 1 and "[OUTPUT_PATH]" in err[0] and "Traceback" not in err[0]


def test_simulate_force_regenerates_its_own_earlier_output(capsys, tmp_path):
    out = tmp_path / "sim"
    assert cli(capsys, "simulate", "--out", str(out), "--scale", "0.05")[0] == 0
    first = state(out)
    assert cli(capsys, "simulate", "--out", str(out), "--scale", "0.05")[0] == 2  # not empty
    assert cli(capsys, "simulate", "--out", str(out), "--scale", "0.05", "--force")[0] == 0
    assert {k: v[0] for k, v in state(out).items()} == {k: v[0] for k, v in first.items()}  # same seed, same bytes


def test_fit_json_never_over_the_data_and_never_into_a_missing_folder(capsys, tmp_path):
    data = tmp_path / "growth.csv"
    data.write_text("t1,t3,t4\n" + "".join(f"{i % 5},{(i * 3) % 7},{(i * 2) % 5}\n" for i in range(40)))
    before = state(tmp_path)
    args = ["fit", "--data", str(data), "--outcomes", "t1", "t3", "t4", "--time-scores", "0", "2", "3"]
    code, err, out = cli(capsys, *args, "--json", str(data))
    assert code == 2 and out == "" and err == [
        "error: [OVERWRITES_INPUT] growth.csv: this output would replace an input file; nothing was written. "
        "Fix: choose another output name or folder."]
    code, err, out = cli(capsys, *args, "--json", str(tmp_path / "nowhere" / "fit.json"))
    assert code == 2 and out == "" and len(err) == 1 and "[OUTPUT_PATH] fit.json: the folder 'nowhere'" in err[0]
    code, err, out = cli(capsys, *args, "--json", str(tmp_path))
    assert code == 2 and len(err) == 1 and "is a folder" in err[0]
    assert state(tmp_path) == before


def test_report_out_inside_the_data_folder_or_an_existing_file(capsys, exports, tmp_path):
    before = state(exports)
    code, err, _ = cli(capsys, "report", "--data", str(exports), "--out", str(exports / "reports"))
    assert code == 2 and len(err) == 1 and "[OVERWRITES_INPUT]" in err[0]
    (tmp_path / "taken").write_text("x")
    code, err, _ = cli(capsys, "report", "--data", str(exports), "--out", str(tmp_path / "taken"))
    assert code == 2 and len(err) == 1 and "[OUTPUT_PATH] taken: is an existing file" in err[0]
    assert state(exports) == before

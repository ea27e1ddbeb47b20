"""Adversarial inputs and faults for the command line (issue 18): what to try, and what must hold.

Every :class:`Attempt` builds a small study (the helpers of ``bad_inputs.py``) or a growth CSV in
a folder, breaks something (a file, a path, a permission, the disk), and runs one command in
process through :func:`ilb_eval.cli.main`, with a fault injected where the operating system cannot
be made to fail on demand (a full disk, a read-only file system, a folder that cannot be listed:
the test suite may run as root). :func:`run_attempt` checks what must hold for every input:

* no traceback (no exception leaves ``main``) and the expected exit code (2 for anything the user
  must fix, 0 for input the package accepts, such as a Windows-1252 interview table);
* every stderr line is ``error: ...``, ``warning: ...`` or a progress line, at most ``max_errors``
  error lines (one problem, one line) and the expected problem code among them;
* no control character other than the line end in any output (a NUL byte is never echoed raw);
* none of the planted personal data (person codes, a phone number, an e-mail address, a name) in
  any output;
* the inputs are byte-identical afterwards; nothing was written where the command refused.

``tests/robustness/test_adversarial_cli.py`` runs every attempt; ``benchmarks/adversarial_cli.py``
runs them and prints the counts (inputs tried, tracebacks, wrong exit codes, ...); the table in
``docs/BAD_INPUT.md`` is printed by :func:`markdown_table`::

    python tests/robustness/adversarial.py    # the table of docs/BAD_INPUT.md, section "Files, paths, formats"
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import gzip
import hashlib
import io
import os
import re
import sys
import tempfile
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bad_inputs as catalogue  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pyreadstat  # noqa: E402

import ilb_eval.report.runfolder as runfolder_module  # noqa: E402
from ilb_eval.cli import main  # noqa: E402
from ilb_eval.report.runfolder import RunFolder  # noqa: E402
from ilb_eval.resources import example_dir  # noqa: E402

#: Personal data planted in inputs; none may appear in any output.
PHONE = "015123456789"
EMAIL = "anna.schmidt@example.org"
NAME = "Anna Schmidt"
CANARIES = (catalogue.CANARY, PHONE, "15123456789", EMAIL, NAME)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_PROGRESS = re.compile(r"^\[\s*\d+\.\d s\] ")


@dataclass
class Setup:
    """A built input: the command line, the folders whose files must stay unchanged, an optional fault."""

    argv: list[str]
    inputs: list[Path]
    fault: Callable[[], contextlib.AbstractContextManager[object]] | None = None
    must_not_exist: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Attempt:
    """One adversarial input: category, name, how to build it, what the command must answer."""

    category: str
    name: str
    build: Callable[[Path], Setup]
    exit_code: int = 2
    code: str | None = None
    max_errors: int = 1
    also_ok: tuple[int, ...] = ()
    silent: str = "(no message)"
    test: str = "tests/robustness/test_adversarial_cli.py"


@dataclass
class Outcome:
    """What happened, and every rule it broke (empty: all held)."""

    exit_code: int | None
    stdout: str
    stderr: str
    traceback: str | None
    failures: list[str]


# --------------------------------------------------------------------------- faults


@contextlib.contextmanager
def deny_read(target: Path) -> Iterator[None]:
    """``open`` of ``target`` fails with EACCES, as for a file the user may not read."""
    real_open = builtins.open
    resolved = target.resolve()

    def guarded(file, *args, **kwargs):
        if isinstance(file, str | os.PathLike) and Path(file).resolve() == resolved:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    with mock.patch("builtins.open", guarded), mock.patch("io.open", guarded):
        yield


@contextlib.contextmanager
def deny_listing(folder: Path) -> Iterator[None]:
    """Listing ``folder`` fails with EACCES (a folder without read permission)."""
    real_scandir, real_listdir = os.scandir, os.listdir
    resolved = folder.resolve()

    def refuse(real):
        def guarded(path=".", *args, **kwargs):
            if Path(path).resolve() == resolved:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real(path, *args, **kwargs)
        return guarded

    with mock.patch("os.scandir", refuse(real_scandir)), mock.patch("os.listdir", refuse(real_listdir)):
        yield


@contextlib.contextmanager
def disk_full() -> Iterator[None]:
    """Every ``fsync`` fails with ENOSPC: the disk is full when a file is written."""
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    with mock.patch("os.fsync", full):
        yield


@contextlib.contextmanager
def manifest_disk_full() -> Iterator[None]:
    """The disk fills up exactly when a report run writes its manifest."""
    real = runfolder_module.atomic_write_bytes

    def write(path, data, **kwargs):
        if Path(path).name == runfolder_module.MANIFEST_NAME:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data, **kwargs)

    with mock.patch.object(runfolder_module, "atomic_write_bytes", write):
        yield


@contextlib.contextmanager
def not_writable(folder: Path) -> Iterator[None]:
    """``folder`` is not writable for the user (``os.access`` says no; creating files there fails)."""
    real_access, real_mkstemp = os.access, tempfile.mkstemp
    resolved = folder.resolve()

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and Path(path).resolve() == resolved:
            return False
        return real_access(path, mode, *args, **kwargs)

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir).resolve() == resolved:
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)

    with mock.patch("os.access", access), mock.patch("tempfile.mkstemp", mkstemp):
        yield


@contextlib.contextmanager
def read_only_file_system(folder: Path) -> Iterator[None]:
    """Creating a file in ``folder`` fails with EROFS although the early check passed (a remount)."""
    real_mkstemp = tempfile.mkstemp
    resolved = folder.resolve()

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir).resolve() == resolved:
            raise OSError(errno.EROFS, "Read-only file system", str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)

    with mock.patch("tempfile.mkstemp", mkstemp):
        yield


# --------------------------------------------------------------------------- inputs


def _utf8(document):
    for wave in document["waves"]:
        wave["dialect"]["encoding"] = "utf-8"


def study(folder: Path, *, linked: bool = True, edit=None) -> tuple[Path, Path, dict[str, pd.DataFrame]]:
    """A valid small EAP study: (study definition path, data folder, frames); files written."""
    loaded, path, data, frames = catalogue._valid(folder, linked=linked, edit=edit)
    catalogue._write(loaded, data, frames)
    return path, data, frames


def rewrite(folder: Path, frames: dict[str, pd.DataFrame], study_path: Path) -> None:
    catalogue._write(catalogue.load_study(study_path), folder, frames)


def validate(study_path: Path, data: Path, *extra: str) -> list[str]:
    return ["validate", "--study", str(study_path), "--data", str(data), *extra]


def growth_csv(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "growth.csv"
    catalogue.growth_frame().to_csv(path, index=False)
    return path


FIT = ["--outcomes", "t1", "t3", "t4", "--time-scores", "0", "2", "3", "--n-starts", "0"]


def _xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["code", "fk_1"])
    book.active.append(["AB12", 3])
    book.save(path)


def _sav(path: Path) -> None:
    pyreadstat.write_sav(pd.DataFrame({"code": ["AB12"], "fk_1": [3.0]}), str(path))


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("eap_t1.csv", "code;fk_1\r\nAB12;3\r\n")


BINARY = {
    "an Excel workbook": _xlsx,
    "a gzip archive": lambda p: p.write_bytes(gzip.compress(p.read_bytes())),
    "a zip archive": _zip,
    "an SPSS .sav file": _sav,
    "a PDF document": lambda p: p.write_bytes(b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n"),
    "a web page saved by the survey tool's login screen": lambda p: p.write_bytes(
        b"<!DOCTYPE html><html><head><title>Login</title></head></html>"),
}


def wave_as(kind: str) -> Callable[[Path], Setup]:
    def build(folder: Path) -> Setup:
        path, data, _ = study(folder)
        BINARY[kind](data / "eap_t1.csv")
        return Setup(validate(path, data), [folder])
    return build


def fs_data_missing(folder):
    path, _, _ = study(folder)
    return Setup(validate(path, folder / "exports"), [folder])


def fs_data_is_file(folder):
    path, data, _ = study(folder)
    return Setup(validate(path, data / "eap_t1.csv"), [folder])


def fs_data_loop(folder):
    path, _, _ = study(folder)
    (folder / "loop").symlink_to(folder / "loop")
    return Setup(validate(path, folder / "loop"), [folder])


def fs_data_unlistable(folder):
    path, data, _ = study(folder)
    return Setup(validate(path, data), [folder], fault=lambda: deny_listing(data))


def fs_wave_is_folder(folder):
    path, data, _ = study(folder)
    (data / "eap_t1.csv").unlink()
    (data / "eap_t1.csv").mkdir()
    return Setup(validate(path, data), [folder])


def fs_wave_broken_link(folder):
    path, data, _ = study(folder)
    (data / "eap_t1.csv").unlink()
    (data / "eap_t1.csv").symlink_to(data / "eap_t1.csv")
    return Setup(validate(path, data), [folder])


def fs_wave_unreadable(folder):
    path, data, _ = study(folder)
    return Setup(validate(path, data), [folder], fault=lambda: deny_read(data / "eap_t3.csv"))


def fs_study_missing(folder):
    _, data, _ = study(folder)
    return Setup(validate(folder / "nowhere.study.json", data), [folder])


def fs_study_is_folder(folder):
    _, data, _ = study(folder)
    (folder / "eap.study.json").mkdir()
    return Setup(validate(folder / "eap.study.json", data), [folder])


def fs_study_gzip(folder):
    path, data, _ = study(folder)
    packed = folder / "packed.study.json"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    return Setup(validate(packed, data), [folder])


def fs_describe_missing(folder):
    path, _, _ = study(folder)
    return Setup(["describe", "--study", str(path), "--data", str(folder / "exports")], [folder])


def fs_fit_missing(folder):
    growth_csv(folder)
    return Setup(["fit", "--data", str(folder / "nowhere.csv"), *FIT], [folder])


def fs_fit_folder(folder):
    growth_csv(folder)
    return Setup(["fit", "--data", str(folder), *FIT], [folder])


def fs_fit_unreadable(folder):
    data = growth_csv(folder)
    return Setup(["fit", "--data", str(data), *FIT], [folder], fault=lambda: deny_read(data))


def fs_fit_loop(folder):
    growth_csv(folder)
    (folder / "loop.csv").symlink_to(folder / "loop.csv")
    return Setup(["fit", "--data", str(folder / "loop.csv"), *FIT], [folder])


def fit_json(target: Callable[[Path, Path], Path], fault=None) -> Callable[[Path], Setup]:
    def build(folder: Path) -> Setup:
        data = growth_csv(folder / "in")
        out = target(folder, data)
        return Setup(["fit", "--data", str(data), *FIT, "--json", str(out)], [folder / "in"],
                     fault=(lambda: fault(out.parent)) if fault else None)
    return build


def _hard_link(folder: Path, data: Path) -> Path:
    os.link(data, folder / "in" / "hard.json")
    return folder / "in" / "hard.json"


def _out_folder(folder: Path, _data: Path) -> Path:
    (folder / "out").mkdir(exist_ok=True)
    return folder / "out" / "fit.json"


def simulate(out_of: Callable[[Path], Path], *extra: str, fault=None, inputs_of=None) -> Callable[[Path], Setup]:
    def build(folder: Path) -> Setup:
        out = out_of(folder)
        inputs = inputs_of(folder) if inputs_of else [folder / "keep"]
        (folder / "keep").mkdir(exist_ok=True)
        (folder / "keep" / "notes.txt").write_text("must stay")
        return Setup(["simulate", "--out", str(out), "--scale", "0.01", *extra], inputs,
                     fault=(lambda: fault(out)) if fault else None)
    return build


def _existing_file(folder: Path) -> Path:
    (folder / "taken").write_text("x")
    return folder / "taken"


def _exports(folder: Path) -> Path:
    exports = folder / "exports"
    exports.mkdir(exist_ok=True)
    for name in ("eap_t1.csv", "eap_t3.csv"):
        (exports / name).write_bytes((example_dir() / name).read_bytes())
    return exports


def report(out_of: Callable[[Path, Path], Path], fault=None, stub: bool = False) -> Callable[[Path], Setup]:
    def build(folder: Path) -> Setup:
        path, data, _ = study(folder)
        out = out_of(folder, data)
        argv = ["report", "--study", str(path), "--data", str(data), "--out", str(out)]
        faults = [f for f in ((lambda: fault(out)) if fault else None, _stub_pipeline if stub else None) if f]

        @contextlib.contextmanager
        def combined() -> Iterator[None]:
            with contextlib.ExitStack() as stack:
                for f in faults:
                    stack.enter_context(f())
                yield

        return Setup(argv, [data, path.parent], fault=combined if faults else None,
                     must_not_exist=[out] if stub else [])
    return build


@contextlib.contextmanager
def _stub_pipeline() -> Iterator[None]:
    """``write_report`` without the analysis (too slow for the suite): a real run folder and manifest."""
    def write_report(data_dir, *, studies, out, **_settings):
        with RunFolder(sample="EAP", inputs=[Path(data_dir)], reports_dir=out, settings={"stub": True}) as run:
            run.write_text("report.txt", "the analysis is stubbed in this test\n")
        raise AssertionError("the manifest was written although the disk is full")

    with mock.patch("ilb_eval.report.pipeline.write_report", write_report):
        yield


def sem_json(target: Callable[[Path, Path, Path], Path]) -> Callable[[Path], Setup]:
    """``sem --model FILE --data FILE --json OUT`` with OUT chosen by ``target(folder, data, model)``."""
    def build(folder: Path) -> Setup:
        data = growth_csv(folder / "in")
        model = folder / "in" / "growth.lav"
        model.write_text("i =~ 1*t1 + 1*t3 + 1*t4\ns =~ 0*t1 + 2*t3 + 3*t4\n")
        out = target(folder, data, model)
        return Setup(["sem", "--model", str(model), "--data", str(data), "--function", "growth", "--json", str(out)],
                     [folder / "in"])
    return build


def sem_model_folder(folder: Path) -> Setup:
    data = growth_csv(folder / "in")
    return Setup(["sem", "--model", str(folder / "in"), "--data", str(data), "--function", "growth"], [folder])


def init_into_exports(folder: Path) -> Setup:
    _, data, _ = study(folder)
    exports = _exports(folder)
    return Setup(["init", "--data", str(data), "--out", str(exports), "--force"], [folder])


def balance_over(target: str) -> Callable[[Path], Setup]:
    def build(folder: Path) -> Setup:
        built = catalogue._balance_csv(folder / "in", catalogue.balance_frame())
        out = built.csv if target == "out" else folder / "weighted.csv"
        json_out = ["--json", str(built.csv)] if target == "json" else []
        return Setup(["balance", "--data", str(built.csv), *built.fit_args, "--out", str(out), *json_out],
                     [folder / "in"])
    return build


def _report_reports(folder: Path, _data: Path) -> Path:
    return folder / "reports"


def interviews(kind: str) -> Callable[[Path], Setup]:
    def build(folder: Path) -> Setup:
        path, data, _ = study(folder)
        table = pd.read_csv(example_dir() / "interviews.csv")
        target = data / "interviews.csv"
        if kind == "excel":  # German Excel: Windows-1252, semicolons, CRLF
            target.write_bytes(table.to_csv(sep=";", index=False, lineterminator="\r\n").encode("cp1252"))
        else:
            _xlsx(target)
        return Setup(validate(path, data), [folder])
    return build


def header_with(name: str) -> Callable[[Path], Setup]:
    def build(folder: Path) -> Setup:
        path, data, frames = study(folder, edit=_utf8)
        frames["t1"] = frames["t1"].rename(columns={"fk_1": name})
        rewrite(data, frames, path)
        return Setup(validate(path, data), [folder])
    return build


def nul_in_cells(folder):
    path, data, _ = study(folder)
    file = data / "eap_t3.csv"
    lines = file.read_bytes().split(b"\r\n")
    lines[3] = lines[3].replace(b";", b"\x00\x1b[31m;", 2)
    file.write_bytes(b"\r\n".join(lines))
    return Setup(validate(path, data), [folder])


def empty_wave(folder):
    path, data, frames = study(folder)
    frame = frames["t3"]
    for column in frame.columns:
        if column != "code":
            frame[column] = float("nan")
    rewrite(data, frames, path)
    return Setup(validate(path, data), [folder])


def phone_in_numeric(folder):
    path, data, frames = study(folder)
    frames["t1"].loc[5, "age"] = float(PHONE)
    rewrite(data, frames, path)
    return Setup(validate(path, data), [folder])


def codes_replaced(values: list[str]) -> Callable[[Path], Setup]:
    def build(folder: Path) -> Setup:
        path, data, frames = study(folder)
        frame = frames["t1"].astype({"code": object})
        for i, value in enumerate(values):
            frame.iloc[3 + i, frame.columns.get_loc("code")] = value
        frames["t1"] = frame
        rewrite(data, frames, path)
        return Setup(validate(path, data), [folder])
    return build


def invisible_variants(folder):
    """t3 writes every code with a zero-width space, t4 in fullwidth letters: the same persons."""
    path, data, frames = study(folder, edit=_utf8)
    fullwidth = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
    frames["t3"]["code"] = [c[:2] + "\u200b" + c[2:] for c in frames["t3"]["code"]]
    frames["t4"]["code"] = [c.translate(fullwidth) for c in frames["t4"]["code"]]
    rewrite(data, frames, path)
    return Setup(["describe", "--study", str(path), "--data", str(data), "--json"], [folder])


def look_alikes(folder):
    """Person codes with a Cyrillic 'А' and an emoji: they cannot link, and validate says so (a warning)."""
    path, data, frames = study(folder, edit=_utf8)
    frame = frames["t1"].astype({"code": object})
    frame.iloc[2, frame.columns.get_loc("code")] = "\u0410" + frame.iloc[2]["code"][1:]
    frame.iloc[4, frame.columns.get_loc("code")] = frame.iloc[4]["code"] + "\U0001f600"
    frames["t1"] = frame
    rewrite(data, frames, path)
    return Setup(validate(path, data), [folder])


def unlinked_wave(folder):
    path, data, frames = study(folder)
    frames["t4"]["code"] = [f"{catalogue.CANARY}{k:04d}QQQ" for k in range(len(frames["t4"]))]
    rewrite(data, frames, path)
    return Setup(["describe", "--study", str(path), "--data", str(data)], [folder])


ATTEMPTS: tuple[Attempt, ...] = (
    # file system: paths, permissions, links, a full disk
    Attempt("file system", "validate --data: folder missing", fs_data_missing, code="DATA_FOLDER"),
    Attempt("file system", "validate --data: a file, not a folder", fs_data_is_file, code="DATA_FOLDER"),
    Attempt("file system", "validate --data: symbolic link loop", fs_data_loop, code="DATA_FOLDER"),
    Attempt("file system", "validate --data: folder cannot be listed (EACCES)", fs_data_unlistable,
            code="DATA_FOLDER"),
    Attempt("file system", "a wave file is a folder", fs_wave_is_folder, code="FILE_NOT_FOUND"),
    Attempt("file system", "a wave file is a link to itself", fs_wave_broken_link, code="FILE_NOT_FOUND"),
    Attempt("file system", "a wave file cannot be read (EACCES)", fs_wave_unreadable, code="UNREADABLE_FILE"),
    Attempt("file system", "--study: file missing", fs_study_missing),
    Attempt("file system", "--study: a folder", fs_study_is_folder),
    Attempt("file system", "--study: a gzip archive", fs_study_gzip),
    Attempt("file system", "describe --data: folder missing", fs_describe_missing, code="DATA_FOLDER"),
    Attempt("file system", "fit --data: file missing", fs_fit_missing, code="FILE_NOT_FOUND"),
    Attempt("file system", "fit --data: a folder", fs_fit_folder, code="FILE_NOT_FOUND"),
    Attempt("file system", "fit --data: cannot be read (EACCES)", fs_fit_unreadable, code="UNREADABLE_FILE"),
    Attempt("file system", "fit --data: symbolic link loop", fs_fit_loop, code="FILE_NOT_FOUND"),
    Attempt("file system", "fit --json: folder missing", fit_json(lambda f, d: f / "nowhere" / "fit.json"),
            code="OUTPUT_PATH"),
    Attempt("file system", "fit --json: an existing folder", fit_json(lambda f, d: f), code="OUTPUT_PATH"),
    Attempt("file system", "fit --json: under a file", fit_json(lambda f, d: d / "fit.json"), code="OUTPUT_PATH"),
    Attempt("file system", "fit --json: the data file itself", fit_json(lambda f, d: d), code="OVERWRITES_INPUT"),
    Attempt("file system", "fit --json: a hard link to the data file", fit_json(_hard_link),
            code="OVERWRITES_INPUT"),
    Attempt("file system", "fit --json: folder not writable", fit_json(_out_folder, not_writable),
            code="OUTPUT_PATH"),
    Attempt("file system", "fit --json: disk full while writing", fit_json(_out_folder, lambda _f: disk_full()),
            code="FILE_SYSTEM"),
    Attempt("file system", "fit --json: read-only file system at the write", fit_json(_out_folder,
            read_only_file_system), code="FILE_SYSTEM"),
    Attempt("file system", "simulate --out: an existing file", simulate(_existing_file), code="OUTPUT_PATH"),
    Attempt("file system", "simulate --out: under a file", simulate(lambda f: _existing_file(f) / "sub"),
            code="OUTPUT_PATH"),
    Attempt("file system", "simulate --out: a non-empty folder", simulate(lambda f: f / "keep"),
            code="FOLDER_NOT_EMPTY"),
    Attempt("file system", "simulate --out --force: a folder with wave exports", simulate(
        _exports, "--force", inputs_of=lambda f: [f / "exports"]), code="HOLDS_DATA"),
    Attempt("file system", "simulate --out: folder not writable", simulate(lambda f: f / "new", fault=lambda o: (
        o.mkdir(), not_writable(o))[1]), code="OUTPUT_PATH"),
    Attempt("file system", "simulate --out: disk full while writing", simulate(
        lambda f: f / "new", fault=lambda _o: disk_full()), code="FILE_SYSTEM"),
    Attempt("file system", "sem --json: the data file itself", sem_json(lambda f, d, m: d), code="OVERWRITES_INPUT"),
    Attempt("file system", "sem --json: the model file itself", sem_json(lambda f, d, m: m),
            code="OVERWRITES_INPUT"),
    Attempt("file system", "sem --model: a folder", sem_model_folder, code="FILE_NOT_FOUND"),
    Attempt("file system", "init --out --force: a folder with wave exports", init_into_exports, code="HOLDS_DATA"),
    Attempt("file system", "balance --out: the data file itself", balance_over("out"), code="OVERWRITES_INPUT"),
    Attempt("file system", "balance --json: the data file itself", balance_over("json"), code="OVERWRITES_INPUT"),
    Attempt("file system", "report --out: an existing file", report(lambda f, d: _existing_file(f)),
            code="OUTPUT_PATH"),
    Attempt("file system", "report --out: inside the data folder", report(lambda f, d: d / "reports"),
            code="OVERWRITES_INPUT"),
    Attempt("file system", "report --out: folder not writable", report(_report_reports, fault=lambda o: (
        o.mkdir(), not_writable(o))[1]), code="OUTPUT_PATH"),
    Attempt("file system", "report: disk full while writing the manifest (analysis stubbed)", report(
        _report_reports, fault=lambda _o: manifest_disk_full(), stub=True), code="FILE_SYSTEM"),
    # formats recognised by signature
    *(Attempt("formats", f"eap_t1.csv is {kind}", wave_as(kind), code="WRONG_FORMAT") for kind in BINARY),
    Attempt("formats", "fit --data: an Excel workbook named .csv", lambda f: Setup(
        ["fit", "--data", str((_xlsx(f / "growth.csv"), f / "growth.csv")[1]), *FIT], [f]), code="WRONG_FORMAT"),
    Attempt("formats", "interviews.csv saved by German Excel (Windows-1252, ';')", interviews("excel"),
            exit_code=0, silent="(no problem: read as Windows-1252 with ';', as validate and the report do)"),
    Attempt("formats", "interviews.csv is an Excel workbook", interviews("xlsx"), code="WRONG_FORMAT"),
    # messages: control characters, one problem one line
    Attempt("messages", "a NUL byte and an escape sequence in a column name", header_with("fk_1\x00\x1b[2J"),
            max_errors=2),
    Attempt("messages", "a right-to-left override and a zero-width space in a column name",
            header_with("fk\u202e_1\u200b"), max_errors=2),
    Attempt("messages", "NUL bytes and escape sequences inside cells", nul_in_cells, max_errors=3),
    Attempt("messages", "a wave with person codes only (no answers)", empty_wave, code="NO_ANSWERS"),
    # personal data
    Attempt("personal data", "a phone number typed into a numeric field", phone_in_numeric, code="OUT_OF_RANGE"),
    Attempt("personal data", "e-mail addresses as person codes", codes_replaced([EMAIL, "x.y@example.org"]),
            code="DIRECT_IDENTIFIER"),
    Attempt("personal data", "phone numbers as person codes", codes_replaced([PHONE, "+49 30 1234567"]),
            code="DIRECT_IDENTIFIER"),
    Attempt("personal data", "names as person codes", codes_replaced([NAME, "Schmidt, Anna", "Mueller"]),
            code="DIRECT_IDENTIFIER"),
    # rows lost
    Attempt("rows lost", "person codes with zero-width spaces and fullwidth letters", invisible_variants,
            exit_code=0, silent="(no problem: normalised before linkage, 24 persons in all three waves)"),
    Attempt("rows lost", "person codes with look-alike letters and emoji", look_alikes, exit_code=0,
            code="UNUSUAL_CODE"),
    Attempt("rows lost", "a wave whose persons link to nobody", unlinked_wave, code="UNLINKED_WAVE"),
)


def _catalogue_attempt(case: catalogue.Case) -> Attempt:
    """A case of the bad-input catalogue (``bad_inputs.py``) through the command that meets it first."""
    def build(folder: Path) -> Setup:
        built = case.build(folder)
        if case.stage == "growth":
            return Setup(["fit", "--data", str(built.csv), *built.fit_args], [folder])
        if case.stage == "balance":
            out = folder.parent / f"{folder.name}-weighted.csv"
            return Setup(["balance", "--data", str(built.csv), *built.fit_args, "--out", str(out)], [folder])
        if case.stage == "init":
            return Setup(["init", "--data", str(built.data_dir), "--out", str(folder.parent / f"{folder.name}-study")],
                         [folder])
        if case.stage in ("table", "table-warning"):
            read = built.read_args
            if read.get("long"):
                args = ["--long", "--id", read["id"], "--time", read["time"], "--outcomes", *read["varying"],
                        "--time-scores", "0", "2", "3", "--covariates", *read["constant"]]
            else:
                args = ["--outcomes", *read["numeric"], "--time-scores", "0", "2", "3"]
            return Setup(["fit", "--data", str(built.csv), *args, "--n-starts", "0"], [folder])
        command = "describe" if case.stage == "prep" else "validate"
        return Setup([command, "--study", str(built.study_path), "--data", str(built.data_dir)], [folder])

    error = issubclass(case.error, catalogue.IlbEvalError)
    exit_code = {"io-warning": 0, "table-warning": 0}.get(case.stage, 2 if error else 3 if case.stage == "growth" else 0)
    return Attempt("catalogue", case.name, build, exit_code=exit_code, code=case.code, max_errors=3,
                   test="tests/robustness/test_catalogue.py")


#: The catalogue of bad inputs through the command line (the benchmark tries them as well).
CATALOGUE_ATTEMPTS: tuple[Attempt, ...] = tuple(_catalogue_attempt(case) for case in catalogue.CASES)


def mutated_attempt(seed: int) -> Attempt:
    """A valid study whose wave file ``eap_t1.csv`` got random byte mutations (``fuzz_harness.mutate_bytes``),
    through ``validate``: exit 0 or 2, and every other rule holds."""
    import random

    import fuzz_harness

    def build(folder: Path) -> Setup:
        path, data, _ = study(folder)
        file = data / "eap_t1.csv"
        file.write_bytes(fuzz_harness.mutate_bytes(file.read_bytes(), random.Random(seed)))
        return Setup(validate(path, data), [folder])

    return Attempt("mutations", f"eap_t1.csv with random byte mutations (seed {seed})", build, exit_code=2,
                   also_ok=(0,), max_errors=10_000)


# --------------------------------------------------------------------------- running


def _hashes(paths: list[Path]) -> dict[str, str]:
    found = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        for p in files:
            found[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return found


def run_attempt(attempt: Attempt, folder: Path) -> Outcome:
    """Build the input in ``folder``, run the command in process, check every rule."""
    folder.mkdir(parents=True, exist_ok=True)
    setup = attempt.build(folder)
    before = _hashes(setup.inputs)
    out, err = io.StringIO(), io.StringIO()
    code, trace = None, None
    fault = setup.fault() if setup.fault else contextlib.nullcontext()
    with fault, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(setup.argv)
        except BaseException:  # noqa: BLE001 - anything leaving main is a traceback for the user
            trace = traceback.format_exc()
    stdout, stderr = out.getvalue(), err.getvalue()
    failures = []
    if trace is not None:
        failures.append("traceback: " + trace.strip().splitlines()[-1])
    elif code != attempt.exit_code and code not in attempt.also_ok:
        failures.append(f"exit code {code}, expected {attempt.exit_code}")
    text = stdout + stderr
    if _CONTROL.search(text):
        failures.append("raw control or format character in the output")
    leaked = [c for c in CANARIES if c in text]
    if leaked:
        failures.append(f"personal data in the output: {len(leaked)} planted value(s)")
    lines = stderr.splitlines()
    stray = [line for line in lines if not line.startswith(("error: ", "warning: ")) and not _PROGRESS.match(line)]
    if stray:
        failures.append(f"{len(stray)} stderr line(s) that are not 'error:'/'warning:' lines")
    errors = [line for line in lines if line.startswith("error: ")]
    problem_lines = errors + [line for line in stdout.splitlines() if line.lstrip().startswith("error [")]
    if code == 2 and not problem_lines:
        failures.append("no error line")
    if len(problem_lines) > attempt.max_errors:
        failures.append(f"{len(problem_lines)} error lines for one problem (at most {attempt.max_errors})")
    if attempt.code and f"[{attempt.code}]" not in text:
        failures.append(f"the code [{attempt.code}] is not named")
    if _hashes(setup.inputs) != before:
        failures.append("an input changed")
    for path in setup.must_not_exist:
        if path.exists() and any(p for p in path.iterdir() if not p.name.startswith(".")):
            failures.append(f"{path.name} holds a partial output")
    return Outcome(code, stdout, stderr, trace, failures)


def first_line(outcome: Outcome, code: str | None, silent: str = "(no message)") -> str:
    """The line the user sees for the attempt's problem (stderr first, then the validate report)."""
    lines = [line.strip() for line in (outcome.stderr + outcome.stdout).splitlines()]
    wanted = [line for line in lines if code and f"[{code}]" in line] or [
        line for line in lines if line.startswith(("error", "warning"))] or [silent]
    return wanted[0]


def markdown_table(root: Path) -> str:
    """The attempts as a Markdown table: category, input, exit code, the line shown (run on fresh inputs)."""
    rows = ["| Category | Input or fault | Exit | What the user sees |", "|---|---|---|---|"]
    for i, attempt in enumerate(ATTEMPTS):
        outcome = run_attempt(attempt, root / f"attempt{i:02d}")
        line = first_line(outcome, attempt.code, attempt.silent).replace("|", "/").replace(str(root), "…")
        if outcome.failures:
            line += " **FAILED: " + "; ".join(outcome.failures) + "**"
        rows.append(f"| {attempt.category} | {attempt.name} | {outcome.exit_code} | {line} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as root:
        sys.stdout.write(markdown_table(Path(root)))

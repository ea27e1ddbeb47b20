"""Run folders: every report run writes into a new folder, atomically, with a manifest.

A :class:`RunFolder` is a context manager. On entry it hashes the inputs and
creates a hidden temporary folder (``.<name>.tmp-…``) in the reports folder;
the caller writes its outputs through :meth:`RunFolder.write_bytes` /
:meth:`~RunFolder.write_text` / :meth:`~RunFolder.write_json` /
:meth:`~RunFolder.write_pdf` (each file itself written atomically). On a
normal exit ``manifest.json`` is written last and the folder is renamed to its
final name ``<YYYYmmdd-HHMMSS>-<sample>-<hash>`` (time from
``SOURCE_DATE_EPOCH`` when set; hash over settings, input and study file
hashes); a name that is taken gets a
numbered suffix (``-2``, ``-3``, …), so an earlier run is never overwritten.
On any exception, including ``KeyboardInterrupt``, the temporary folder is
removed and nothing else is touched. A run that is killed (SIGKILL, power
loss) cannot clean up: its hidden temporary folder stays, never under a
final name, and the next run removes it (:func:`sweep_stale`). A live run
holds an exclusive ``flock`` on its temporary folder, so a concurrent run
never removes the folder of a run that is still writing.

The manifest (JSON, sorted keys, so identical runs give identical bytes)
holds: the inputs with SHA-256 and size (file names relative to the input
folder, never absolute paths), the study definition and schema hashes, the
package and dependency versions, the seed, the settings (with
``min_cell_size`` and whether it was lowered), the per-model status records
and warnings the caller passes in, and the outputs with SHA-256.

Examples
--------
>>> import tempfile, pathlib, json
>>> base = pathlib.Path(tempfile.mkdtemp())
>>> (base / "data").mkdir(); _ = (base / "data" / "t1.csv").write_text("a;b\\n1;2\\n")
>>> with RunFolder(sample="EAP", inputs=[base / "data"], reports_dir=base / "reports",
...                settings={"lang": "de"}, seed=20240501) as run:
...     _ = run.write_text("summary.txt", "ok\\n")
>>> sorted(p.name for p in run.path.iterdir())
['manifest.json', 'summary.txt']
>>> manifest = json.loads((run.path / "manifest.json").read_text())
>>> manifest["inputs"][0]["name"], manifest["settings"]["min_cell_size"]
('data/t1.csv', 10)
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import hashlib
import json
import math
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any

try:  # POSIX; elsewhere stale folders are left alone
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from ilb_eval import __version__
from ilb_eval.exceptions import OutputError
from ilb_eval.files import atomic_write_bytes, sha256_file
from ilb_eval.privacy import CellRule

__all__ = ["DEPENDENCIES", "MANIFEST_NAME", "RunFolder", "default_reports_dir", "json_text", "run_timestamp",
           "sweep_stale"]

#: File name of the manifest inside each run folder.
MANIFEST_NAME = "manifest.json"
#: Distributions whose versions the manifest records (besides Python and ilb_eval).
DEPENDENCIES: tuple[str, ...] = (
    "numpy", "scipy", "pandas", "matplotlib", "reportlab", "statsmodels", "svglib",
)
_MANIFEST_FORMAT = "ilb_eval-run-manifest/1"


def run_timestamp() -> _dt.datetime:
    """The time a run is stamped with: ``SOURCE_DATE_EPOCH`` (UTC) when set, else now (UTC).

    >>> import os
    >>> os.environ["SOURCE_DATE_EPOCH"] = "0"
    >>> run_timestamp().isoformat()
    '1970-01-01T00:00:00+00:00'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC)
    return _dt.datetime.now(tz=_dt.UTC).replace(microsecond=0)


def default_reports_dir(start: str | os.PathLike[str] | None = None) -> Path:
    """``reports/`` in the git repository that contains ``start`` (default: the
    working directory), or ``<start>/reports`` outside a repository."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder / "reports"
    return here / "reports"


_TMP_MARK = ".tmp-"


def _try_lock(folder: Path) -> int | None:
    """An exclusive, non-blocking ``flock`` on a folder: the fd, or None if another process holds it."""
    if fcntl is None:  # pragma: no cover - Windows
        return None
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def sweep_stale(reports_dir: str | os.PathLike[str]) -> list[str]:
    """Remove the hidden temporary folders of killed runs from a reports folder.

    A temporary run folder (``.<name>.tmp-…``) whose lock no process holds
    belongs to a run that died without cleaning up (SIGKILL, power loss).
    Folders of live runs are locked and left alone. Returns the names removed.

    >>> import tempfile, pathlib
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> (base / ".20260101-000000-EAP-ab12cd34.tmp-x1y2").mkdir()
    >>> sweep_stale(base), sorted(base.iterdir())
    (['.20260101-000000-EAP-ab12cd34.tmp-x1y2'], [])
    """
    removed = []
    folder = Path(reports_dir)
    if fcntl is None or not folder.is_dir():  # pragma: no cover - Windows
        return removed
    for entry in sorted(folder.iterdir()):
        if not (entry.name.startswith(".") and _TMP_MARK in entry.name) or entry.is_symlink() or not entry.is_dir():
            continue
        try:
            fd = _try_lock(entry)
        except OSError:
            continue
        if fd is None:
            continue  # a run that is still writing
        try:
            shutil.rmtree(entry, ignore_errors=True)
        finally:
            os.close(fd)
        if not entry.exists():
            removed.append(entry.name)
    return removed


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "ilb_eval": __version__}
    for name in DEPENDENCIES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def _safe_name(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in text).strip("-")
    return cleaned or "run"


class RunFolder:
    """A new run folder under the reports folder, filled under a temporary name.

    Parameters
    ----------
    sample:
        Sample name, part of the folder name (e.g. ``"EAP"``).
    inputs:
        Input files or folders (a folder stands for all regular, non-hidden
        files below it). Hashed on entry and again before the rename: a
        changed input aborts the run.
    reports_dir:
        Parent of the run folders; default :func:`default_reports_dir`.
        Created if missing. Must not be, or lie inside, an input folder.
    settings:
        JSON-serialisable run settings (language, model options, …); part of
        the folder hash and of the manifest.
    study_files:
        Study definition and table schema files, hashed into the manifest
        (``study``), e.g. ``[study.path, *[w.table_schema.path for w in study.waves]]``.
    seed:
        The seed (or ``SeedSequence`` entropy) of the run.
    rule:
        The minimum cell size rule in force; recorded with whether it was lowered.

    Attributes
    ----------
    path:
        The temporary folder while the run is open; the final folder after a
        successful exit.
    name:
        The final folder name (known after a successful exit).
    """

    def __init__(
        self,
        *,
        sample: str,
        inputs: Sequence[str | os.PathLike[str]],
        reports_dir: str | os.PathLike[str] | None = None,
        settings: Mapping[str, Any] | None = None,
        study_files: Sequence[str | os.PathLike[str]] = (),
        seed: int | Sequence[int] | None = None,
        rule: CellRule | None = None,
    ) -> None:
        self.sample = sample
        self.inputs = [Path(p) for p in inputs]
        self.reports_dir = Path(reports_dir) if reports_dir is not None else default_reports_dir()
        self.settings = dict(settings or {})
        self.study_files = [Path(p) for p in study_files]
        self.seed = list(seed) if isinstance(seed, Sequence) and not isinstance(seed, str) else seed
        self.rule = rule or CellRule()
        self.models: list[dict[str, Any]] = []
        self.warnings: list[str] = []
        self._outputs: dict[str, str] = {}
        self._input_records: list[dict[str, Any]] = []
        self._tmp: Path | None = None
        self._lock: int | None = None
        self.path: Path | None = None
        self.name: str | None = None

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> RunFolder:
        reports = self.reports_dir.resolve()
        for item in self.inputs:
            if not item.exists():
                raise OutputError(f"input {item.name!r} does not exist; check the input paths.")
            folder = item.resolve() if item.is_dir() else item.resolve().parent
            if _inside(reports, folder):
                raise OutputError(
                    "the reports folder is equal to or inside an input folder; choose a "
                    "reports folder outside the data folder (inputs are never written to)."
                )
        self._input_records = self._hash_inputs()
        self._stamp = run_timestamp()
        reports.mkdir(parents=True, exist_ok=True)
        sweep_stale(reports)
        base = f"{self._stamp:%Y%m%d-%H%M%S}-{_safe_name(self.sample)}-{self._short_hash()}"
        self._base_name = base
        self._tmp = Path(tempfile.mkdtemp(prefix=f".{base}{_TMP_MARK}", dir=reports))
        self._lock = _try_lock(self._tmp)
        self.path = self._tmp
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self._discard()
            return
        try:
            if self._hash_inputs() != self._input_records:
                raise OutputError("an input file changed during the run; the run was discarded.")
            self._write_manifest()
            self._publish()
        except BaseException:
            self._discard()
            raise
        finally:
            self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def _discard(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
        self._unlock()
        self.path = None

    def _publish(self) -> None:
        assert self._tmp is not None
        _fsync_dir(self._tmp)
        parent = self._tmp.parent
        for attempt in range(1, 1000):
            name = self._base_name if attempt == 1 else f"{self._base_name}-{attempt}"
            target = parent / name
            if target.exists() or target.is_symlink():
                continue
            try:
                os.rename(self._tmp, target)
            except OSError as error:  # taken in the meantime (non-empty) -> next suffix
                if error.errno in (errno.EEXIST, errno.ENOTEMPTY):
                    continue
                raise
            _fsync_dir(parent)
            self.name, self.path, self._tmp = name, target, None
            return
        raise OutputError(f"no free run folder name for {self._base_name!r} in the reports folder.")

    # ------------------------------------------------------------------ hashing
    def _hash_inputs(self) -> list[dict[str, Any]]:
        records = []
        for item in self.inputs:
            if item.is_dir():
                files = sorted(p for p in item.rglob("*") if p.is_file() and not any(
                    part.startswith(".") for part in p.relative_to(item).parts))
                for file in files:
                    rel = PurePosixPath(item.name, *file.relative_to(item).parts)
                    records.append({"name": str(rel), "sha256": sha256_file(file),
                                    "bytes": file.stat().st_size})
            else:
                records.append({"name": item.name, "sha256": sha256_file(item),
                                "bytes": item.stat().st_size})
        return sorted(records, key=lambda r: r["name"])

    def _short_hash(self) -> str:
        digest = hashlib.sha256()
        digest.update(json.dumps(self._settings_record(), sort_keys=True, default=str).encode())
        for record in self._input_records:
            digest.update(f"{record['name']}\0{record['sha256']}\n".encode())
        for file in self.study_files:
            digest.update(f"{file.name}\0{sha256_file(file)}\n".encode())
        return digest.hexdigest()[:8]

    def _settings_record(self) -> dict[str, Any]:
        return {**self.settings, "min_cell_size": self.rule.min_cell_size,
                "min_cell_size_lowered": self.rule.lowered}

    # ------------------------------------------------------------------ writing
    def _target(self, name: str) -> Path:
        if self._tmp is None:
            raise OutputError("the run folder is not open; use 'with RunFolder(...) as run:'.")
        rel = PurePosixPath(name)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts or name == MANIFEST_NAME:
            raise OutputError(f"output name {name!r} must be a relative path inside the run "
                              f"folder (not {MANIFEST_NAME!r}).")
        target = self._tmp.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_bytes(self, name: str, data: bytes, *, private: bool = False) -> Path:
        """Write an output file (relative name, ``/`` for subfolders) atomically.

        A failing write (full disk, quota, I/O error) raises :class:`OutputError`;
        leaving the ``with`` block then discards the whole run.
        """
        try:
            target = atomic_write_bytes(self._target(name), data, private=private)
        except OutputError:
            raise
        except OSError as error:
            reason = os.strerror(error.errno) if error.errno else type(error).__name__
            raise OutputError(
                f"could not write {name!r} into the run folder ({reason}); the run is discarded, "
                "earlier runs are untouched. Free disk space or choose another reports folder."
            ) from error
        self._outputs[str(PurePosixPath(name))] = hashlib.sha256(data).hexdigest()
        return target

    def write_text(self, name: str, text: str) -> Path:
        """Write a UTF-8 text output (``\\n`` line ends)."""
        return self.write_bytes(name, text.encode("utf-8"))

    def write_json(self, name: str, payload: Any) -> Path:
        """Write JSON with sorted keys and two-space indent (byte-stable)."""
        return self.write_text(name, json_text(payload))

    def write_pdf(self, name: str, report: Any) -> Path:
        """Render a :class:`~ilb_eval.report.document.Report` into the run folder."""
        return self.write_bytes(name, report.to_pdf_bytes())

    def add_model(self, record: Mapping[str, Any]) -> None:
        """Record one model's status (e.g. outcome, converged, warnings, n)."""
        self.models.append(dict(record))

    def add_warnings(self, messages: Iterable[str]) -> None:
        """Record warnings of the run (messages must not contain identifiers)."""
        self.warnings.extend(str(m) for m in messages)

    # ------------------------------------------------------------------ manifest
    def manifest(self) -> dict[str, Any]:
        """The manifest as a dictionary (what :data:`MANIFEST_NAME` will hold)."""
        study = {}
        for file in self.study_files:
            study[file.name] = sha256_file(file)
        combined = hashlib.sha256("".join(f"{k}\0{v}\n" for k, v in sorted(study.items()))
                                  .encode()).hexdigest() if study else None
        return {
            "format": _MANIFEST_FORMAT,
            "created": self._stamp.isoformat(),
            "sample": self.sample,
            "inputs": self._input_records,
            "study": {"files": study, "sha256": combined},
            "versions": _versions(),
            "platform": {"system": platform.system(), "machine": platform.machine(),
                         "python_implementation": sys.implementation.name},
            "seed": self.seed,
            "settings": self._settings_record(),
            "models": self.models,
            "warnings": self.warnings,
            "outputs": [{"name": k, "sha256": v} for k, v in sorted(self._outputs.items())],
        }

    def _write_manifest(self) -> None:
        assert self._tmp is not None
        atomic_write_bytes(self._tmp / MANIFEST_NAME, json_text(self.manifest()).encode("utf-8"))


def json_text(payload: Any) -> str:
    """JSON as the run folder writes it: sorted keys, two-space indent, non-finite numbers as ``null``.

    >>> print(json_text({"share": 0.5, "n": float("nan")}), end="")
    {
      "n": null,
      "share": 0.5
    }
    """
    return json.dumps(_clean(payload), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False,
                      default=_json_default) + "\n"


def _clean(value: Any) -> Any:
    """Non-finite floats become ``null`` (strict JSON); containers are walked."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and hasattr(value, "dtype"):  # numpy scalar
        return _clean(value.item())
    return value


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, Path | PurePosixPath):
        return value.name
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

"""Safe file output: write to a temporary file, then rename; never over an input.

All files ilb_eval writes go through these helpers, so a crash, a kill or a
full disk never leaves a truncated file under a final name. Raw inputs are
never opened for writing anywhere in the package, and every command that
writes checks its targets first:

* :func:`refuse_overwriting_inputs` (every writer: report run folders,
  ``fit --json``, ``simulate``, ``init``, ...): no target may be an input file
  (also through a symbolic or hard link) or lie inside an input folder;
* :func:`check_output_folder` (``simulate``): a non-empty folder only when
  the caller says so explicitly, and never a folder holding data files that
  are not unchanged outputs of an earlier run of the same generator;
* :func:`os_error_line` turns a file-system error (permissions, missing or
  read-only paths, a full disk, link loops, a folder where a file is
  expected) into one line in the user's words, for the command line.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ilb_eval.exceptions import InputError, OutputError, Problem, printable

__all__ = [
    "DATA_SUFFIXES",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_input_folder",
    "check_output_dir",
    "check_output_file",
    "check_output_folder",
    "os_error_line",
    "path_problem",
    "recorded_outputs",
    "refuse_overwriting_inputs",
    "sha256_file",
]

#: Endings of files that hold survey data or study definitions. A folder
#: holding one of them is never written into by ``simulate``, even with
#: ``--force``, unless the file is an unchanged output of an earlier run.
DATA_SUFFIXES: tuple[str, ...] = (
    ".csv", ".tsv", ".txt", ".sav", ".zsav", ".por", ".xlsx", ".xlsm", ".xls", ".ods", ".dta",
    ".json", ".parquet", ".feather", ".rds", ".rdata", ".sas7bdat", ".zip", ".gz",
)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, private: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (temp file, fsync, ``os.replace``).

    Parameters
    ----------
    path:
        Final file name. Its folder must exist.
    data:
        The bytes to write.
    private:
        Make the file readable by its owner only (mode 0600): use it for
        anything that holds microdata.

    Returns
    -------
    Path
        The final path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(folder / "a.txt", b"hello").read_bytes()
    b'hello'
    """
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600 if private else 0o644)
        os.replace(tmp_name, target)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(error, OSError) and not error.filename:
            error.filename = str(target)  # a full disk at fsync names no file; the user needs to know which
        raise
    return target


def atomic_write_text(
    path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", private: bool = False
) -> Path:
    """Write text atomically; see :func:`atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode(encoding), private=private)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex digest of a file, read in binary mode only."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def refuse_overwriting_inputs(
    targets: Iterable[str | os.PathLike[str]], inputs: Iterable[str | os.PathLike[str]]
) -> None:
    """Raise :class:`~ilb_eval.exceptions.OutputError` if a target would write over an input.

    Every writer calls this with the paths it is about to write (files, or
    the folder it creates files in) and the paths it read. A target
    conflicts with an input when both are the same file (compared after
    resolving symbolic links, and by device and inode, so a hard link is
    caught too), or when the input is a folder (all files in it are inputs)
    and the target is that folder or lies inside it.

    Parameters
    ----------
    targets:
        Files or folders the command will write.
    inputs:
        Files or folders the command reads (missing paths are ignored).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> data = folder / "growth.csv"; _ = data.write_text("y1,y2\\n1,2\\n")
    >>> refuse_overwriting_inputs([folder / "fit.json"], [data])   # fine: a new file
    >>> try:
    ...     refuse_overwriting_inputs([data], [data])
    ... except OutputError as error:
    ...     print(error)
    [OVERWRITES_INPUT] growth.csv: this output would replace an input file; nothing was written. Fix: choose another output name or folder.
    """
    resolved_inputs = [(Path(p), Path(p).resolve()) for p in inputs]
    for target in (Path(t) for t in targets):
        where = target.resolve()
        for given, source in resolved_inputs:
            if not given.exists():
                continue
            if where == source or _same_file(target, given):
                what = "folder" if given.is_dir() else "file"
                raise OutputError(
                    f"[OVERWRITES_INPUT] {printable(target.name)}: this output would replace an input {what}; "
                    "nothing was written. Fix: choose another output name or folder."
                )
            if given.is_dir() and _inside(where, source):
                raise OutputError(
                    f"[OVERWRITES_INPUT] {printable(target.name)}: this output would be written into the input "
                    f"folder {printable(given.name)!r}, whose files are all inputs; nothing was written. "
                    "Fix: choose an output folder outside the data folder."
                )


def recorded_outputs(folder: str | os.PathLike[str], generator: str) -> dict[str, str]:
    """Files an earlier run of ``generator`` wrote into ``folder`` and that are unchanged.

    The run's ``manifest.json`` names its generator (``"generator":
    "ilb_eval.simulate"``) and lists its files with their SHA-256; a file
    counts only while its bytes still match. Returns ``{name: sha256}``;
    empty when there is no such manifest.

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("x")
    >>> files = [{"file": "a.csv", "sha256": sha256_file(folder / "a.csv")}]
    >>> _ = (folder / "manifest.json").write_text(json.dumps({"generator": "g", "files": files}))
    >>> list(recorded_outputs(folder, "g")), recorded_outputs(folder, "other")
    (['a.csv', 'manifest.json'], {})
    """
    manifest = Path(folder) / "manifest.json"
    try:
        document = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(document, dict) or document.get("generator") != generator:
        return {}
    found: dict[str, str] = {}
    for entry in document.get("files") or ():
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            continue
        path = Path(folder) / entry["file"]
        if path.parent == Path(folder) and path.is_file() and not path.is_symlink():
            with contextlib.suppress(OSError):
                if sha256_file(path) == entry.get("sha256"):
                    found[entry["file"]] = str(entry["sha256"])
    if found:
        found["manifest.json"] = sha256_file(manifest)
    return found


def check_output_folder(folder: str | os.PathLike[str], *, force: bool, generator: str, option: str = "--force") -> None:
    """Check a folder a generator writes several files into (``simulate --out``).

    * A path that exists and is not a folder is refused.
    * A non-empty folder is refused unless ``force`` is given.
    * Even with ``force``, a folder that holds a data or study-definition
      file (ending in one of :data:`DATA_SUFFIXES`) is refused, unless that
      file is an unchanged output of an earlier run of the same generator
      (:func:`recorded_outputs`): real wave exports are never replaced.

    Raises
    ------
    OutputError
        One line naming the folder, the reason and the fix; nothing is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_folder(folder, force=False, generator="ilb_eval.simulate")   # empty: fine
    >>> _ = (folder / "eap_t1.csv").write_text("code;fk_1\\n")
    >>> try:
    ...     check_output_folder(folder, force=True, generator="ilb_eval.simulate")
    ... except OutputError as error:
    ...     print(str(error)[:91])
    [HOLDS_DATA] eap_t1.csv: the output folder holds data files that this command did not write
    """
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise OutputError(
            f"[NOT_A_FOLDER] {printable(path.name)}: the output path is an existing file, not a folder; "
            "nothing was written. Fix: give a new or empty folder."
        )
    if not path.is_dir():
        return
    entries = sorted(path.iterdir())
    if not entries:
        return
    if not force:
        raise OutputError(
            f"[FOLDER_NOT_EMPTY] {printable(path.name)}: the output folder is not empty ({len(entries)} entries); "
            f"nothing was written. Fix: give a new or empty folder, or pass {option} to write into it "
            "(files of the same names are replaced; data files are never replaced)."
        )
    known = recorded_outputs(path, generator)
    data = [e for e in entries if e.suffix.lower() in DATA_SUFFIXES and e.name not in known]
    if data:
        more = f" and {len(data) - 1} more" if len(data) > 1 else ""
        raise OutputError(
            f"[HOLDS_DATA] {printable(data[0].name)}{more}: the output folder holds data files that this command "
            f"did not write (or that changed since), so it is never written into, not even with {option}; "
            "nothing was written. Fix: give a new or empty folder."
        )


def check_output_file(path: str | os.PathLike[str], *, option: str = "--json") -> None:
    """Check, before any work is done, that a single output file can be written at ``path``.

    Refused: an existing folder, a path whose folder does not exist (or is
    not a folder), and a folder the user may not write into. A missing
    folder is not created: a typing error in the path should not create
    folders.

    Raises
    ------
    OutputError
        One line naming the path, the reason and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_file(folder / "fit.json")
    >>> try:
    ...     check_output_file(folder / "nowhere" / "fit.json")
    ... except OutputError as error:
    ...     print(error)
    [OUTPUT_PATH] fit.json: the folder 'nowhere' does not exist; nothing was written. Fix: create the folder first or correct the path given with --json.
    """
    target = Path(path)
    name = printable(target.name or str(target))
    parent = target.parent
    fix = f"correct the path given with {option}"
    if target.is_dir():
        reason = "is a folder, where a file name is expected"
    elif target.is_symlink() and not target.exists():
        reason = "is a symbolic link that points nowhere (or in a loop)"
    elif not parent.exists():
        reason = f"the folder {printable(parent.name)!r} does not exist"
        fix = f"create the folder first or {fix}"
    elif not parent.is_dir():
        reason = f"{printable(parent.name)!r} is a file, not a folder"
    elif not os.access(parent, os.W_OK | os.X_OK):
        reason = f"you may not write into the folder {printable(parent.name)!r}"
        fix = f"choose a folder you may write into, or {fix}"
    elif target.exists() and not os.access(target, os.W_OK):
        reason = "the file exists and is read-only"
        fix = f"choose another name, or {fix}"
    else:
        return
    raise OutputError(f"[OUTPUT_PATH] {name}: {reason}; nothing was written. Fix: {fix}.")


def check_output_dir(path: str | os.PathLike[str], *, option: str = "--out") -> None:
    """Check, before any work is done, that a folder can be written into (created if missing).

    Refused: an existing file, a symbolic link that points nowhere or in a
    loop, a path through a file, and a folder (or, for a new folder, its
    nearest existing parent) the user may not write into.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_dir(folder / "reports" / "2026")
    >>> _ = (folder / "taken").write_text("x")
    >>> try:
    ...     check_output_dir(folder / "taken")
    ... except OutputError as error:
    ...     print(error)
    [OUTPUT_PATH] taken: is an existing file, where a folder is expected; nothing was written. Fix: correct the path given with --out.
    """
    target = Path(path)
    name = printable(target.name or str(target))
    fix = f"correct the path given with {option}"
    existing = target
    while not existing.exists() and not existing.is_symlink() and existing != existing.parent:
        existing = existing.parent
    if existing.is_symlink() and not existing.exists():
        reason = f"{printable(existing.name)!r} is a symbolic link that points nowhere (or in a loop)"
    elif not existing.is_dir():
        reason = ("is an existing file, where a folder is expected" if existing == target
                  else f"{printable(existing.name)!r} is a file, not a folder")
    elif not os.access(existing, os.W_OK | os.X_OK):
        reason = f"you may not write into the folder {printable(existing.name)!r}"
        fix = f"choose a folder you may write into, or {fix}"
    else:
        return
    raise OutputError(f"[OUTPUT_PATH] {name}: {reason}; nothing was written. Fix: {fix}.")


def path_problem(path: str | os.PathLike[str], *, folder: bool = False) -> str | None:
    """What keeps ``path`` from being read as a file (or, with ``folder``, as a folder); ``None`` if nothing.

    Tells apart the cases that a bare "not found" would hide: a folder where
    a file is expected (and the reverse), a symbolic link that points
    nowhere or in a loop, a path through a file.

    >>> import tempfile, pathlib
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> (base / "loop").symlink_to(base / "loop")
    >>> path_problem(base), path_problem(base / "loop"), path_problem(base / "none.csv"), path_problem(base, folder=True)
    ('is a folder, not a file', 'is a symbolic link that points nowhere or in a loop', 'does not exist', None)
    """
    target = Path(path)
    try:
        if target.is_symlink() and not target.exists():
            return "is a symbolic link that points nowhere or in a loop"
        if not target.exists():
            existing = target.parent
            while not existing.exists() and existing != existing.parent:
                existing = existing.parent
            if existing.exists() and not existing.is_dir():
                return f"does not exist ({printable(existing.name)!r} is a file, not a folder)"
            return "does not exist"
        if folder and not target.is_dir():
            return "is a file, not a folder"
        if not folder and target.is_dir():
            return "is a folder, not a file"
    except OSError as error:  # a loop further up the path, a name too long, ...
        return _os_reason(error)[0]
    return None


def check_input_folder(path: str | os.PathLike[str], *, option: str = "--data") -> None:
    """Check a data folder before reading: it exists, is a folder and can be listed.

    Raises
    ------
    InputError
        One ``DATA_FOLDER`` problem naming the folder, what is wrong and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_input_folder(folder)
    >>> try:
    ...     check_input_folder(folder / "exports")
    ... except InputError as error:
    ...     print(error)
    [DATA_FOLDER] exports: the data folder does not exist. Fix: pass the folder that holds the wave files with --data.
    """
    target = Path(path)
    problem = path_problem(target, folder=True)
    if problem is None:
        try:
            with os.scandir(target):
                pass
        except OSError as error:
            problem = f"cannot be listed ({_os_reason(error)[0]})"
    if problem is not None:
        raise InputError([Problem(
            code="DATA_FOLDER", message=f"the data folder {problem}", file=printable(target.name or str(target)),
            fix=f"pass the folder that holds the wave files with {option}",
        )])


_OS_ERRORS: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("does not exist", "check the path"),
    errno.EACCES: ("permission denied", "check that you may read (inputs) or write (outputs) there"),
    errno.EPERM: ("operation not permitted", "check the permissions of the file and its folder"),
    errno.EROFS: ("is on a read-only file system", "choose a writable place for the output"),
    errno.ENOSPC: ("no space left on the device", "free disk space or choose another place for the output"),
    errno.EDQUOT: ("disk quota exceeded", "free disk space or choose another place for the output"),
    errno.ELOOP: ("symbolic links that point in a loop", "correct or remove the symbolic link"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "check the path"),
    errno.EISDIR: ("is a folder where a file is expected", "give the path of a file"),
    errno.EEXIST: ("already exists", "choose a new name"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
    errno.EIO: ("input/output error (a failing disk or network drive)", "check the disk or network drive"),
    errno.EMFILE: ("too many open files", "close other programs and try again"),
    errno.ENFILE: ("too many open files", "close other programs and try again"),
    errno.EXDEV: ("cannot be moved across file systems", "write the output on the same drive"),
    errno.ENOTEMPTY: ("the folder is not empty", "choose a new or empty folder"),
    errno.EBUSY: ("is in use", "close the program that uses it and try again"),
    errno.ETXTBSY: ("is in use", "close the program that uses it and try again"),
}


def _os_reason(error: OSError) -> tuple[str, str]:
    """What happened, in plain words, and the fix."""
    if error.errno in _OS_ERRORS:
        return _OS_ERRORS[error.errno]
    return f"the file system reported: {error.strerror or type(error).__name__}", "check the path and the permissions"


def os_error_line(error: OSError) -> str:
    """A file-system error as one line for the command line, without a traceback.

    Names the file (its last path component, control characters escaped),
    says what happened in plain words and how to fix it.

    Examples
    --------
    >>> os_error_line(FileNotFoundError(errno.ENOENT, "No such file or directory", "/data/wave1.csv"))
    '[FILE_SYSTEM] wave1.csv: does not exist. Fix: check the path.'
    >>> os_error_line(OSError(errno.ENOSPC, "No space left on device"))
    '[FILE_SYSTEM] no space left on the device. Fix: free disk space or choose another place for the output.'
    """
    text, fix = _os_reason(error)
    names = [Path(str(n)).name or str(n) for n in (error.filename, error.filename2) if n not in (None, "")]
    where = " -> ".join(printable(n) for n in names)
    return f"[FILE_SYSTEM] {where + ': ' if where else ''}{text}. Fix: {fix}."

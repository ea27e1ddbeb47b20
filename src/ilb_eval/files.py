"""Safe file output: write to a temporary file, then rename.

All files ilb_eval writes go through these helpers, so a crash, a kill or a
full disk never leaves a truncated file under a final name. Raw inputs are
never opened for writing anywhere in the package.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text", "sha256_file"]


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
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
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

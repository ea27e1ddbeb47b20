"""Atomic writes leave either the old complete file or the new one, never a partial file."""

import os
import stat

import pytest

from ilb_eval.files import atomic_write_bytes, atomic_write_text, sha256_file


def test_writes_and_replaces(tmp_path):
    target = tmp_path / "out.json"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_private_files_are_owner_only(tmp_path):
    target = atomic_write_bytes(tmp_path / "micro.csv", b"a,b\n", private=True)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600


def test_failed_write_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "table.csv"
    atomic_write_text(target, "complete old version")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(target, "new version that never lands")
    assert target.read_text() == "complete old version"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_sha256_of_known_bytes(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"abc")
    # SHA-256("abc"), FIPS 180-2 test vector
    assert sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

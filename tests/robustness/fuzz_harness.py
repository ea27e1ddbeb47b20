"""Fuzzing harness for the loaders and validators (issue 8, item 2; R-3.8).

Targets (each gets bytes or a mutated document, and must either succeed or raise one of the
package's own errors, :class:`~ilb_eval.exceptions.IlbEvalError`, within a time limit):

* ``wave``: a mutated or random wave export (CSV, .sav or .xlsx) in a study folder whose other
  waves are valid -> :func:`ilb_eval.io.load_waves` and :func:`ilb_eval.io.validate_study_data`;
* ``study``: a mutated copy of the study definition JSON -> :func:`ilb_eval.study.load_study`;
* ``table``: a mutated copy of one table schema JSON -> :func:`ilb_eval.study.load_study`.

Mutations are driven by a :class:`random.Random`, so the suite (through Hypothesis'
``st.randoms()``) and ``benchmarks/fuzz_loaders.py --minutes N`` share them.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import json
import random
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ilb_eval.exceptions import IlbEvalError
from ilb_eval.io import load_waves, validate_study_data
from ilb_eval.resources import schemas_dir
from ilb_eval.study import load_study

_spec = importlib.util.spec_from_file_location(
    "io_wavefiles_fuzz", Path(__file__).resolve().parents[1] / "io" / "conftest.py"
)
wavefiles = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wavefiles)

#: Seconds one input may take before it counts as a hang.
TIME_LIMIT = 10.0
TARGETS = ("wave", "study", "table")
_CHUNKS = [b'"', b";", b",", b"\t", b"\r", b"\n", b"\r\n", b"\x00", b"\xe4", b"\xfc", b"\x81", b"\xef\xbb\xbf",
           b"-99", b"99", b"0", b"6", b"1e308", b"nan", b"x", b"", b"\xff\xfe", b"'", b"\\", b"=1+1", b"\xc3"]


class Hang(Exception):
    """An input took longer than :data:`TIME_LIMIT`."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def expire(signum, frame):
        raise Hang(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def mutate_bytes(data: bytes, rng: random.Random, n: int | None = None) -> bytes:
    """Replace, insert, delete, duplicate or truncate at random places."""
    for _ in range(n if n is not None else rng.randint(1, 8)):
        kind = rng.choice(["replace", "insert", "delete", "truncate", "duplicate", "flip"])
        at = rng.randint(0, len(data)) if data else 0
        chunk = rng.choice(_CHUNKS)
        if kind == "replace":
            data = data[:at] + chunk + data[at + len(chunk):]
        elif kind == "insert":
            data = data[:at] + chunk + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + rng.randint(1, 40):]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "duplicate":
            end = min(len(data), at + rng.randint(1, 200))
            data = data[:end] + data[at:end] + data[end:]
        elif data:
            i = rng.randrange(len(data))
            data = data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
    return data


def _random_json(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 2 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 2, 5, 99, -99, 10**12, 0.5, -0.0, 1e308])
    if kind == 3:
        return rng.choice(["", "t1", "t9", "x", "code", "../etc", "ä", "integer", "string", "number", "\x00", "1"])
    if kind == 4:
        return float(rng.choice(["nan", "inf"])) if rng.random() < 0.3 else rng.uniform(-1e3, 1e3)
    if kind == 5:
        return "k" * rng.randint(0, 300)
    if kind in (6, 7):
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["name", "type", "fields", "waves", "x"]): _random_json(rng, depth + 1)
            for _ in range(rng.randint(0, 3))}


def _paths(document, prefix=()):
    yield prefix
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            yield from _paths(value, (*prefix, i))


def mutate_json(document, rng: random.Random, n: int | None = None):
    """Replace, delete, duplicate or retype values at random JSON paths (a deep copy)."""
    document = copy.deepcopy(document)
    for _ in range(n if n is not None else rng.randint(1, 4)):
        paths = [p for p in _paths(document) if p]
        if not paths:
            return _random_json(rng)
        path = rng.choice(paths)
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = rng.choice(["replace", "delete", "duplicate", "stringify"])
        if action == "replace":
            parent[key] = _random_json(rng)
        elif action == "delete":
            del parent[key]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            parent[key] = json.dumps(parent[key]) if rng.random() < 0.5 else parent[key]
    return document


@dataclass
class Fixture:
    """A scratch folder with a valid EAP study copy and valid wave files (CSV t1, .xlsx/.sav variants)."""

    root: Path
    study_json: dict
    tables: dict[str, dict]
    waves: dict[str, bytes]

    @classmethod
    def create(cls, root: Path | None = None) -> Fixture:
        root = Path(root or tempfile.mkdtemp(prefix="ilb-fuzz-"))
        study_doc = json.loads((schemas_dir() / "eap.study.json").read_text(encoding="utf-8"))
        tables = {w["table_schema"]: json.loads((schemas_dir() / w["table_schema"]).read_text(encoding="utf-8"))
                  for w in study_doc["waves"]}
        study = load_study("EAP")
        waves = {}
        with tempfile.TemporaryDirectory() as folder:
            for i, wave in enumerate(study.waves):
                frame = wavefiles.make_frame(wave, n=30, seed=70 + i)
                waves[wave.file] = wavefiles.write_wave(frame, Path(folder) / wave.file, wave).read_bytes()
            t1 = study.wave("t1")
            frame = wavefiles.make_frame(t1, n=4, seed=79)
            waves["xlsx"] = wavefiles.write_xlsx(frame, Path(folder) / "t1.xlsx").read_bytes()
        return cls(root, study_doc, tables, waves)

    def _write_definition(self, folder: Path, study_doc, tables) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, document in tables.items():
            (folder / name).write_bytes(document if isinstance(document, bytes) else
                                        json.dumps(document, ensure_ascii=False).encode("utf-8"))
        path = folder / "eap.study.json"
        path.write_bytes(study_doc if isinstance(study_doc, bytes) else
                         json.dumps(study_doc, ensure_ascii=False).encode("utf-8"))
        return path

    def run(self, target: str, rng: random.Random) -> str:
        """One fuzz input for ``target``; returns "ok" or the code/class of the package's error.

        Raises anything that is not an IlbEvalError (a bug), and :class:`Hang`.
        """
        case = Path(tempfile.mkdtemp(dir=self.root))
        try:
            with time_limit(TIME_LIMIT):
                return self._run(target, rng, case)
        finally:
            shutil.rmtree(case, ignore_errors=True)

    def _run(self, target: str, rng: random.Random, case: Path) -> str:
        study_doc, tables = self.study_json, self.tables
        excel = target == "wave" and rng.random() < 0.2
        if excel:  # wave t1 declared as an Excel export
            study_doc = copy.deepcopy(study_doc)
            study_doc["waves"][0]["file"] = "eap_t1.xlsx"
        if target == "study":
            study_doc = (mutate_bytes(json.dumps(study_doc).encode(), rng, rng.randint(1, 3))
                         if rng.random() < 0.3 else mutate_json(study_doc, rng))
        elif target == "table":
            name = rng.choice(sorted(tables))
            tables = dict(tables)
            tables[name] = (mutate_bytes(json.dumps(tables[name]).encode(), rng, rng.randint(1, 3))
                            if rng.random() < 0.3 else mutate_json(tables[name], rng))
        path = self._write_definition(case / "definition", study_doc, tables)
        try:
            study = load_study(path)
        except IlbEvalError as error:
            return type(error).__name__
        if target != "wave":
            return "ok"
        data = case / "data"
        data.mkdir()
        for name, content in self.waves.items():
            if name.endswith(".csv"):
                (data / name).write_bytes(content)
        if excel:
            (data / "eap_t1.csv").unlink()
            t1 = data / "eap_t1.xlsx"
            t1.write_bytes(mutate_bytes(self.waves["xlsx"], rng, rng.randint(1, 3)))
        else:
            t1 = data / "eap_t1.csv"
            if rng.random() < 0.15:
                t1.write_bytes(rng.randbytes(rng.randint(0, 2000)))
            else:
                t1.write_bytes(mutate_bytes(t1.read_bytes(), rng, rng.choice([1, 1, 2, 4, 8])))
        if rng.random() < 0.1:
            (data / "eap_t5.csv").write_bytes(t1.read_bytes())  # an undeclared wave file
        before = {p.name: p.read_bytes() for p in data.iterdir()}
        report = validate_study_data(study, data)
        report.as_text()
        try:
            load_waves(study, data)
            outcome = "ok"
        except IlbEvalError as error:
            outcome = type(error).__name__
        assert {p.name: p.read_bytes() for p in data.iterdir()} == before, "an input file was changed"
        return outcome


def fuzz_for(seconds: float, seed: int = 0, root: Path | None = None, progress: bool = True) -> dict[str, dict]:
    """Fuzz every target for ``seconds`` in all; returns counts of outcomes per target."""
    fixture = Fixture.create(root)
    rng = random.Random(seed)
    counts: dict[str, dict[str, int]] = {t: {} for t in TARGETS}
    stop = time.monotonic() + seconds
    n = 0
    try:
        while time.monotonic() < stop:
            target = TARGETS[n % len(TARGETS)]
            case_seed = rng.randrange(2**63)
            try:
                outcome = fixture.run(target, random.Random(case_seed))
            except Exception as error:
                raise AssertionError(
                    f"fuzz input {n} ({target}) raised {type(error).__name__}: {error}; replay with "
                    f"Fixture.create().run({target!r}, random.Random({case_seed}))"
                ) from error
            counts[target][outcome] = counts[target].get(outcome, 0) + 1
            n += 1
            if progress and n % 200 == 0:
                print(f"{n} inputs, {stop - time.monotonic():.0f} s left: {counts}", flush=True)
    finally:
        shutil.rmtree(fixture.root, ignore_errors=True)
    return counts

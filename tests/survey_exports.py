"""The shipped example exports, re-exported as survey tools write them (issue 17, "What it must show").

Nothing here is committed as data: the tests call these functions to write
the re-exports into tmp_path from ``data/example`` (EAP: German Excel CSV;
ZP: SPSS .sav), read with pandas/pyreadstat, i.e. outside the code under test.

* :func:`sosci_survey`: EAP as SoSci Survey's "CSV for Excel": UTF-16 with
  BOM, tab-separated, variables ``SC01_01`` (the code), ``FK01_01`` ..
  ``SW01_04``, ``ZU01_01`` .., tool columns ``CASE``, ``STARTED``, ...;
  missing codes -9 and -1 as SoSci writes them.
* :func:`limesurvey`: ZP as LimeSurvey's CSV export with question codes:
  UTF-8, every field quoted, ``FK[SQ001]`` .., tool columns ``id``,
  ``submitdate``, ...; unanswered questions empty.
* :func:`qualtrics`: EAP as Qualtrics' CSV export: UTF-8 with BOM, commas,
  three header rows (names, question texts, import ids), ``Q10_1`` ..,
  unanswered questions recoded as -99 (Qualtrics' "seen but unanswered").

Each returns an :class:`Exported` naming the person-code column, the export
names of every scale's items by example scale and the reverse-keyed item the
example data were made with (the fourth of each competence scale).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from ilb_eval.resources import example_dir

#: The competence scales of the example study, by their item prefix.
SCALES = ("fk", "re", "zo", "an", "lf", "ss", "be", "gf", "ig", "sw")
#: Blocks of single feedback items (no index in the example names) and their items.
FEEDBACK = {
    "zuf": ("zuf_dauer_termine", "zuf_freistellung", "zuf_qualifikation", "zuf_inhalte", "zuf_lernzeit",
            "zuf_entlastung_selbst", "zuf_entlastung_team", "zuf_werbung_image"),
    "verb": ("verb_dauer_termine", "verb_freistellung", "verb_qualifikation", "verb_inhalte", "verb_lernzeit",
             "verb_entlastung_selbst", "verb_entlastung_team", "verb_werbung_image"),
    "nutzen": ("nutzen_beruf", "nutzen_qualitaet", "nutzen_transfer"),
    "lk": ("lk_offene_lernkultur", "lk_freistellung", "lk_entlastung", "lk_lernzeiten", "lk_dauer",
           "lk_ausgleich_team"),
}


@dataclass(frozen=True)
class Exported:
    """What a re-export wrote: files in wave order, the code column, the scales' export names."""

    files: tuple[Path, ...]
    code: str
    scales: dict[str, tuple[str, ...]]  # example scale prefix -> export names of its 4 items
    reverse: dict[str, str]  # example scale prefix -> export name of its reverse-keyed item


def eap_wave(wave: str) -> pd.DataFrame:
    return pd.read_csv(example_dir() / f"eap_{wave}.csv", sep=";", decimal=",", encoding="cp1252",
                       dtype={"code": str})


def zp_wave(wave: str) -> tuple[pd.DataFrame, object]:
    frame, meta = pyreadstat.read_sav(str(example_dir() / f"zp_{wave}.sav"), user_missing=True)
    return frame, meta


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sosci_names() -> dict[str, str]:
    names = {"code": "SC01_01", "gender": "SD01", "age": "SD02_01", "staatsangehoerigkeit": "SD03",
             "abschluss": "SD04", "programm": "PR01", "ilb_genutzt": "IL01", "ilb_termine": "IL02_01",
             "ilb_modus": "IL03", "ilb_freistellung": "IL04", "ilb_dauer_termin": "IL05_01",
             "ilb_dauer_monate": "IL06_01", "nutzen_tempo": "NU02", "wieder_nutzen": "NU03",
             "fuehrung_unterstuetzung": "FU01"}
    for scale in SCALES:
        names.update({f"{scale}_{k}": f"{scale.upper()}01_0{k}" for k in range(1, 5)})
    for stem, items in zip(("ZU01", "VB01", "NU01", "LK01"), FEEDBACK.values(), strict=True):
        names.update({item: f"{stem}_{k:02d}" for k, item in enumerate(items, start=1)})
    return names


def sosci_survey(folder: Path, waves: tuple[str, ...] = ("t1", "t3", "t4"), *, names=None) -> Exported:
    """EAP as SoSci Survey writes "CSV for Excel" (UTF-16, tab); ``names`` the file names (default per wave)."""
    folder.mkdir(parents=True, exist_ok=True)
    mapping = _sosci_names()
    files = []
    for i, wave in enumerate(waves):
        source = "t4" if wave not in ("t1", "t3", "t4") else wave  # an added wave repeats the t4 answers
        frame = eap_wave(source).rename(columns=mapping)
        meta = pd.DataFrame({"CASE": np.arange(1, len(frame) + 1), "SERIAL": "", "REF": "",
                             "QUESTNNR": "ilb", "MODE": "interview", "STARTED": f"2023-0{i + 1}-15 09:30:00"})
        frame = pd.concat([meta, frame, pd.DataFrame({"TIME001": 31, "FINISHED": 1, "LASTPAGE": 9},
                                                     index=frame.index)], axis=1)
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\r\n")
        writer.writerow(frame.columns)
        for row in frame.itertuples(index=False):
            writer.writerow([_cell(v) for v in row])
        path = folder / (names[i] if names else f"data_ilb_{wave}.csv")
        path.write_bytes(buffer.getvalue().encode("utf-16"))
        files.append(path)
    scales = {s: tuple(mapping[f"{s}_{k}"] for k in range(1, 5)) for s in SCALES}
    return Exported(tuple(files), "SC01_01", scales, {s: mapping[f"{s}_4"] for s in SCALES})


def _lime_names(columns) -> dict[str, str]:
    names = {"code": "CODE", "gender": "G01", "age": "AGE", "staatsangehoerigkeit": "NAT", "abschluss": "EDU",
             "ilb_termine": "ILBTERM", "ilb_modus": "ILBMODE", "ilb_freistellung": "ILBFREI",
             "ilb_dauer_termin": "ILBMIN", "ilb_dauer_monate": "ILBMON", "nutzen_tempo": "TEMPO",
             "wieder_nutzen": "AGAIN", "fuehrung_unterstuetzung": "LEAD"}
    for scale in SCALES:
        names.update({f"{scale}_{k}": f"{scale.upper()}[SQ00{k}]" for k in range(1, 5)})
    for stem, items in zip(("ZUF", "VERB", "NUTZ", "LK"), FEEDBACK.values(), strict=True):
        names.update({item: f"{stem}[SQ{k:03d}]" for k, item in enumerate(items, start=1)})
    return {c: names[c] for c in columns}


#: LimeSurvey names an export after the survey id; every wave is a survey of its own.
SURVEY_IDS = {"t1": 118273, "t3": 245511, "t4": 391846}


def limesurvey(folder: Path, waves: tuple[str, ...] = ("t1", "t3", "t4")) -> Exported:
    """ZP as LimeSurvey's CSV export (question codes, every field quoted, unanswered empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for wave in waves:
        frame, meta = zp_wave(wave)
        numeric = frame.select_dtypes("number").columns
        frame[numeric] = frame[numeric].where(~frame[numeric].isin([-99, -77]))  # unanswered: empty
        mapping = _lime_names(frame.columns)
        frame = frame.rename(columns=mapping)
        tool = pd.DataFrame({"id": np.arange(1, len(frame) + 1), "submitdate": "2023-03-01 10:00:00",
                             "lastpage": 7, "startlanguage": "de", "seed": 123456789})
        frame = pd.concat([tool, frame], axis=1)
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(frame.columns)
        for row in frame.itertuples(index=False):
            writer.writerow([_cell(v) for v in row])
        path = folder / f"results-survey{SURVEY_IDS[wave]}.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        files.append(path)
    scales = {s: tuple(f"{s.upper()}[SQ00{k}]" for k in range(1, 5)) for s in SCALES}
    return Exported(tuple(files), "CODE", scales, {s: f"{s.upper()}[SQ004]" for s in SCALES})


def _qualtrics_names(columns) -> dict[str, str]:
    names = {"code": "Q1", "gender": "Q2", "age": "Q3", "staatsangehoerigkeit": "Q4", "abschluss": "Q5",
             "programm": "Q6", "ilb_genutzt": "Q7", "ilb_termine": "Q8", "ilb_modus": "Q9",
             "ilb_freistellung": "Q10", "ilb_dauer_termin": "Q11", "ilb_dauer_monate": "Q12",
             "nutzen_tempo": "Q30", "wieder_nutzen": "Q31", "fuehrung_unterstuetzung": "Q32"}
    for i, scale in enumerate(SCALES):
        names.update({f"{scale}_{k}": f"Q{13 + i}_{k}" for k in range(1, 5)})
    for q, items in zip((33, 34, 35, 36), FEEDBACK.values(), strict=True):
        names.update({item: f"Q{q}_{k}" for k, item in enumerate(items, start=1)})
    return {c: names[c] for c in columns}


def qualtrics(folder: Path, waves: tuple[str, ...] = ("t1", "t3", "t4")) -> Exported:
    """EAP as Qualtrics' CSV export: BOM, commas, three header rows, -99 for seen but unanswered."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i, wave in enumerate(waves):
        frame = eap_wave(wave)
        numeric = frame.select_dtypes("number").columns
        frame[numeric] = frame[numeric].where(~frame[numeric].isin([-9, -1]), -99.0)
        frame = frame.rename(columns=_qualtrics_names(frame.columns))
        tool = pd.DataFrame({"StartDate": f"2023-0{i + 1}-15 09:30:00", "EndDate": f"2023-0{i + 1}-15 09:45:00",
                             "Status": 0, "Progress": 100, "Duration (in seconds)": 900, "Finished": 1,
                             "RecordedDate": f"2023-0{i + 1}-15 09:45:01",
                             "ResponseId": [f"R_{wave}{k:06d}" for k in range(len(frame))],
                             "DistributionChannel": "anonymous", "UserLanguage": "DE"}, index=frame.index)
        frame = pd.concat([tool, frame], axis=1)
        texts = [f"Frage {c}: Wie sehr trifft das zu?" if c.startswith("Q") else c for c in frame.columns]
        ids = [json.dumps({"ImportId": c.replace("Q", "QID")} if c.startswith("Q") else {"ImportId": c.lower()})
               for c in frame.columns]
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        for header in (list(frame.columns), texts, ids):
            writer.writerow(header)
        for row in frame.itertuples(index=False):
            writer.writerow([_cell(v) for v in row])
        path = folder / f"iLB Befragung {wave}_15. Mai 2023_10.15.csv"
        path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
        files.append(path)
    scales = {s: tuple(f"Q{13 + i}_{k}" for k in range(1, 5)) for i, s in enumerate(SCALES)}
    return Exported(tuple(files), "Q1", scales, {s: f"Q{13 + i}_4" for i, s in enumerate(SCALES)})

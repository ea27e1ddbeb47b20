"""The shipped example study is exactly what the default seed generates."""

from __future__ import annotations

import json

import pyreadstat

from ilb_eval.files import sha256_file
from ilb_eval.simulate import simulate_study
from ilb_eval.simulate.settings import load_settings, settings_hash

SHIPPED = ("eap_t1.csv", "eap_t3.csv", "eap_t4.csv", "zp_t1.sav", "zp_t3.sav", "zp_t4.sav",
           "interviews.csv", "true_parameters.csv", "manifest.json")


def test_regenerating_with_the_default_seed_gives_byte_identical_files(example, tmp_path):
    result = simulate_study(tmp_path)
    assert set(result.files) == set(SHIPPED)
    for name in SHIPPED:
        assert (tmp_path / name).read_bytes() == (example / name).read_bytes(), name


def test_sav_files_carry_the_fixed_header_stamp_and_read_back_equal(example, tmp_path):
    # ReadStat writes the clock into the header; the writer overwrites it, so two
    # runs agree byte for byte. Data and metadata read back must agree as well.
    simulate_study(tmp_path, scale=0.05)
    stamp = load_settings()["sav"]
    header = (tmp_path / "zp_t1.sav").read_bytes()[:176]
    assert header[92:101].decode() == stamp["creation_date"]
    assert header[101:109].decode() == stamp["creation_time"]
    again = tmp_path / "again"
    simulate_study(again, scale=0.05)
    for wave in ("t1", "t3", "t4"):
        first, meta1 = pyreadstat.read_sav(str(tmp_path / f"zp_{wave}.sav"), user_missing=True)
        second, meta2 = pyreadstat.read_sav(str(again / f"zp_{wave}.sav"), user_missing=True)
        assert first.equals(second)
        assert meta1.variable_value_labels == meta2.variable_value_labels
        assert meta1.missing_ranges == meta2.missing_ranges
        assert (tmp_path / f"zp_{wave}.sav").read_bytes() == (again / f"zp_{wave}.sav").read_bytes()


def test_manifest_lists_every_file_with_its_hash(example):
    manifest = json.loads((example / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == load_settings()["seed"]
    assert manifest["scale"] == 1.0
    assert manifest["synthetic"] is True
    assert manifest["settings_sha256"] == settings_hash(load_settings())
    listed = {entry["file"]: entry["sha256"] for entry in manifest["files"]}
    assert set(listed) == set(SHIPPED) - {"manifest.json"}
    for name, digest in listed.items():
        assert sha256_file(example / name) == digest


def test_another_seed_gives_other_data(tmp_path):
    simulate_study(tmp_path / "a", scale=0.05, seed=1)
    simulate_study(tmp_path / "b", scale=0.05, seed=2)
    assert (tmp_path / "a" / "eap_t1.csv").read_bytes() != (tmp_path / "b" / "eap_t1.csv").read_bytes()

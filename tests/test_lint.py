"""ruff's security rules on the package: no pickle, marshal, unsafe YAML, eval/exec or hard-coded /tmp.

The rules are configured in pyproject.toml ([tool.ruff.lint]); this test runs
them on src/ and fails on any finding, and proves on a planted file that each
rule is really active (a rule silently switched off would pass vacuously).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SECURITY_RULES = ("S301", "S302", "S403", "S506", "S307", "S102", "S108")


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("ruff")
    if found:
        return [found]
    pytest.skip("ruff is not installed (pip install -e .[test])")


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_ruff(), "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), "--output-format", "json", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )


def test_security_rules_are_selected_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert set(SECURITY_RULES) <= set(config["select"])
    # S403 is a preview rule; preview is enabled for explicitly selected rules only
    assert config.get("preview") is True and config.get("explicit-preview-rules") is True
    ignored = set(config.get("ignore", ()))
    for pattern, codes in config.get("per-file-ignores", {}).items():
        if pattern.startswith("src"):
            ignored |= set(codes)
    assert not ignored & {*SECURITY_RULES, "S"}


def test_no_security_findings_in_src():
    result = _check("--select", ",".join(SECURITY_RULES), "src")
    findings = [f"{f['filename']}:{f['location']['row']}: {f['code']} {f['message']}" for f in json.loads(result.stdout)]
    assert result.returncode == 0 and not findings, "\n".join(findings) + result.stderr


def test_every_rule_fires_on_a_planted_file(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        "import marshal\nimport pickle\n\nimport yaml\n\n"
        "a = pickle.loads(b'')\n"
        "b = marshal.loads(b'')\n"
        "c = yaml.load('x')\n"
        "d = eval('1')\n"
        "exec('e = 1')\n"
        "f = open('/tmp/ilb_eval_out.csv')\n",
        encoding="utf-8",
    )
    result = _check("--select", ",".join(SECURITY_RULES), str(planted))
    assert result.returncode == 1
    fired = {finding["code"] for finding in json.loads(result.stdout)}
    assert fired == set(SECURITY_RULES), result.stdout

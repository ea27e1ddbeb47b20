"""The command line dispatcher."""

import subprocess
import sys

from ilb_eval.cli import COMMAND_MODULES


def run(*args):
    return subprocess.run([sys.executable, "-m", "ilb_eval", *args], capture_output=True, text=True, timeout=120)


def test_help_lists_every_subcommand():
    result = run("--help")
    assert result.returncode == 0
    for name in COMMAND_MODULES:
        assert name in result.stdout


def test_version():
    result = run("--version")
    assert result.returncode == 0 and result.stdout.startswith("ilb_eval ")


def test_unknown_command_exits_nonzero():
    result = run("no-such-command")
    assert result.returncode != 0
    assert "invalid choice" in result.stderr

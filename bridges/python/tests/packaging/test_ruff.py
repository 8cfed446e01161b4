"""The package is ruff clean under pyproject.toml's [tool.ruff] rules (the tests are not held to it yet)."""
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]


def test_package_is_ruff_clean():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "bridges/python/crucial"], cwd=REPO,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]

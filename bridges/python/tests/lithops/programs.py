"""Runs small Python programs in a fresh interpreter, the way a user runs a script: no node exported
(``CRUCIAL_DSO`` unset) unless the caller gives one, so the embedded default is what is exercised."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, Optional

PACKAGE_PARENT = Path(__file__).resolve().parents[2]


def run_program(source: str, env: Optional[Dict[str, str]] = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """
    Runs ``source`` with ``python -c`` and returns the finished process (stdout and stderr as text).

    :param source: the program (dedented here)
    :param env: variables to set on top of this environment less ``CRUCIAL_DSO``, ``CRUCIAL_WORKER`` and Lithops's own
    :param timeout: seconds before the program is killed (the test then fails with TimeoutExpired)
    """
    # Lithops exports its session id and executor count into the environment of the process that used
    # it (this pytest process); inherited, two programs would name their executors alike and read each
    # other's stored results. A user's fresh program has none of them.
    base = {k: v for k, v in os.environ.items()
            if k not in ("CRUCIAL_DSO", "CRUCIAL_WORKER") and not k.startswith(("__LITHOPS_", "LITHOPS_"))}
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), base.get("PYTHONPATH")]))
    base["CRUCIAL_PROGRESSBAR"] = "0"
    return subprocess.run([sys.executable, "-c", textwrap.dedent(source)], env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=timeout, cwd=PACKAGE_PARENT)

"""Another checkout's ``crucial`` package loaded beside this one, as ``crucial_base``, for in-process A/Bs."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_base(base: Path) -> ModuleType:
    """Imports ``base/bridges/python/crucial`` as ``crucial_base`` (its submodules as ``crucial_base.*``)."""
    pkg = base / "bridges" / "python" / "crucial"
    spec = importlib.util.spec_from_file_location("crucial_base", pkg / "__init__.py", submodule_search_locations=[str(pkg)])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["crucial_base"] = mod
    spec.loader.exec_module(mod)
    return mod

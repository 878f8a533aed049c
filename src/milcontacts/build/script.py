"""The loading script (scripts/milcontacts_fr.py): found and imported by path.

The script is the single source of the features and of the rows: the build
imports it and calls the functions its ``_generate_examples`` calls, so the
Parquet files and the script cannot disagree.  It uses the script that ships
with this package (the repository's ``scripts/`` in a checkout, a copy inside
the wheel otherwise), never one found under ROOT: ROOT is data.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPT_NAME = "milcontacts_fr.py"


def script_path() -> Path:
    """The loading script that ships with this package (see the module docstring)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_hf" / SCRIPT_NAME, here.parent.parent / "scripts" / SCRIPT_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{SCRIPT_NAME} not found in the milcontacts package or the repository's scripts/")


def load_script(path: Path | None = None) -> ModuleType:
    """Import the loading script by path (it is not a module of this package)."""
    path = path or script_path()
    spec = importlib.util.spec_from_file_location("milcontacts_fr_loading_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered like a normal import: datasets re-imports a builder's module by
    # name when one instantiates the builder class (to patch it for streaming).
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------
# Parquet shards
# --------------------------------------------------------------------------

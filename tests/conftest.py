"""Shared fixtures: the repository root and a throw-away copy of a small valid corpus."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

# Nothing in the test suite may reach a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def valid_root(tmp_path: Path) -> Path:
    """A writable copy of tests/data/valid_root (one valid document)."""
    dest = tmp_path / "root"
    shutil.copytree(DATA / "valid_root", dest)
    return dest

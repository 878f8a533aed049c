"""Shared fixtures: the repository root and a throw-away copy of a small valid corpus."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

MINI = DATA / "mini_corpus"

# Nothing in the test suite may reach a hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

# Hypothesis keeps its example database and caches outside the checkout (not in .hypothesis/).
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "milcontacts-hypothesis"))
try:
    from hypothesis import settings
    from hypothesis.database import DirectoryBasedExampleDatabase

    settings.register_profile("milcontacts", database=DirectoryBasedExampleDatabase(
        os.path.join(tempfile.gettempdir(), "milcontacts-hypothesis")))
    settings.load_profile("milcontacts")
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass

#: Test files whose tests build datasets, run subprocesses, spaCy or datasets: the integration tier.
INTEGRATION = {"test_build.py", "test_dataset_script.py", "test_parquet_readers.py", "test_journey.py",
               "test_atomic.py", "test_benchmarks.py", "test_baseline.py", "test_leaderboard.py", "test_render.py"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tiers: ``-m "not integration"`` runs the fast unit tests; ``-m docs`` the in-sync checks."""
    for item in items:
        if item.path.name in INTEGRATION:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def session_build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``build(root, **kwargs)`` once per test session: the one shared build fixture."""
    from milcontacts import build as mbuild

    cache: dict[tuple[str, tuple[Any, ...]], Path] = {}

    def build(root: Path, **kwargs: Any) -> Path:
        key = (str(root), tuple(sorted(kwargs.items())))
        if key not in cache:
            out = tmp_path_factory.mktemp("hf") / "milcontacts-fr"
            mbuild.build(root, out, progress=False, **kwargs)
            cache[key] = out
        return cache[key]

    return build


@pytest.fixture(scope="session")
def built(session_build: Any) -> Path:
    """The mini corpus (tests/data/mini_corpus), built once per session."""
    return session_build(MINI)


@pytest.fixture(scope="session")
def built_real(session_build: Any) -> Path:
    """The repository's corpus, built once per session."""
    return session_build(REPO)


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def valid_root(tmp_path: Path) -> Path:
    """A writable copy of tests/data/valid_root (one valid document)."""
    dest = tmp_path / "root"
    shutil.copytree(DATA / "valid_root", dest)
    return dest

"""Every input the fuzzer (fuzz/fuzz_validate.py) ever crashed on stays a test."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_properties import check_run

CRASHES = sorted(p for p in (Path(__file__).resolve().parent.parent / "fuzz" / "crashes").glob("*")
                 if not p.name.startswith("."))
SEEDS = sorted((Path(__file__).resolve().parent.parent / "fuzz" / "corpus").glob("*"))
DOC = Path(__file__).resolve().parent.parent / "annotations" / "2017-02-17-xinhua-dunford-gerasimov-bakou.yaml"


@pytest.mark.parametrize("path", CRASHES + SEEDS, ids=lambda p: p.name)
def test_kept_fuzz_inputs_give_diagnostics(path):
    check_run(DOC, path.read_bytes())

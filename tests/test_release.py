"""One dataset version everywhere (package, pyproject, loading script, CHANGELOG, CITATION.cff),
and CITATION.cff valid against the Citation File Format 1.2.0 schema.

The schema (tests/data/cff/schema-1.2.0.json) is the one cffconvert 2.0.0 ships and
validates with (`cffconvert --validate` accepts this CITATION.cff); cffconvert itself
cannot be in the test extra: it pins jsonschema ~= 3.2, the package needs >= 4.23.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

import milcontacts
from milcontacts.build import load_script

REPO = Path(__file__).resolve().parent.parent


def test_one_version_everywhere() -> None:
    version = milcontacts.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"] == version
    assert load_script().VERSION == version
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["version"] == version and cff["date-released"] == milcontacts.RELEASE_DATE
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## \[([^\]]+)\] — (\S+)$", changelog, re.M)
    assert first and first.groups() == (version, milcontacts.RELEASE_DATE)
    assert "## [Unreleased]" not in changelog.split(first.group(0))[0]


def test_every_schema_change_has_an_update_note() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    section = changelog.split("### Dataset schema 2.0", 1)[1].split("\n### ", 1)[0]
    items = [i for i in re.split(r"\n- ", section)[1:] if i.startswith("**")]
    assert len(items) >= 6
    for item in items:
        assert "*How to update your code:*" in item or item.startswith(("**Croissant**", "**One version**")), item[:60]


def test_citation_cff_is_valid() -> None:
    import jsonschema

    schema = json.loads((REPO / "tests" / "data" / "cff" / "schema-1.2.0.json").read_text(encoding="utf-8"))
    # YAML dates stay strings: the CFF schema wants "YYYY-MM-DD" text.
    data = yaml.load((REPO / "CITATION.cff").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)

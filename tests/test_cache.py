"""The validator's cache: a warm run gives exactly the diagnostics of a cold run.

Two kinds of entries (see ``milcontacts.validate.validate_file``): the
diagnostics of a file, keyed by everything they depend on, and the parsed
data of a file, keyed by its bytes.  Every input a diagnostic depends on is
changed here once, with the cache warm, and the result must equal a run
without cache; entries that are stale, corrupt or misfiled must be ignored.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

from milcontacts import io as yio
from milcontacts import validate as V
from milcontacts.limits import Limits
from milcontacts.validate import validate_corpus

ANN = "annotations/sample-doc.yaml"
TXT = "corpus/sample-doc.txt"
KB = "annotations/kb.yaml"


def full(diags: list[Any]) -> list[tuple[Any, ...]]:
    """Every field of every diagnostic (``subject`` is not part of equality)."""
    return [(d.file, d.line, d.column, d.severity, d.code, d.message, d.subject) for d in diags]


class Parses:
    """Counts the annotation files the validator parses (YAML), by display name."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.names: list[str] = []
        orig: Callable[..., Any] = yio.load_yaml_bytes

        def counting(raw: bytes, display: str, *a: Any, **kw: Any) -> Any:
            self.names.append(display)
            return orig(raw, display, *a, **kw)

        monkeypatch.setattr(yio, "load_yaml_bytes", counting)

    def documents(self) -> list[str]:
        names, self.names = [n for n in self.names if n.startswith("annotations/") and not n.endswith("kb.yaml")], []
        return names


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def check(root: Path, cache: Path, **kw: Any) -> list[tuple[Any, ...]]:
    """Validate with the cache and without; both must agree. Returns the diagnostics."""
    cached = full(validate_corpus(root, cache_dir=cache, **kw).diagnostics)
    cold = full(validate_corpus(root, **kw).diagnostics)
    assert cached == cold
    return cached


def codes(diags: list[tuple[Any, ...]]) -> set[str]:
    return {d[4] for d in diags}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_warm_run_parses_nothing_and_agrees(valid_root, cache, monkeypatch):
    assert check(valid_root, cache) == []
    parses = Parses(monkeypatch)
    assert full(validate_corpus(valid_root, cache_dir=cache).diagnostics) == []
    assert parses.documents() == []  # answered from the diagnostics entries


def test_changed_annotation_is_reparsed_alone(tmp_path, cache, monkeypatch):
    root = tmp_path / "root"
    shutil.copytree(Path(__file__).parent / "data" / "valid_root", root)
    second = root / "annotations" / "sample-two.yaml"
    text = (root / ANN).read_text(encoding="utf-8").replace("id: sample-doc", "id: sample-two")
    second.write_text(text, encoding="utf-8")
    shutil.copyfile(root / TXT, root / "corpus" / "sample-two.txt")
    (root / "splits.yaml").write_text("splits:\n  train: [sample-doc, sample-two]\n", encoding="utf-8")
    assert check(root, cache) == []
    edit(root / ANN, "start: 140, end: 147", "start: 141, end: 147")
    parses = Parses(monkeypatch)
    after = full(validate_corpus(root, cache_dir=cache).diagnostics)
    assert parses.documents() == [ANN]
    assert codes(after) == {"T009"}
    assert after == full(validate_corpus(root).diagnostics)


def test_changed_raw_text_invalidates(valid_root, cache):
    assert check(valid_root, cache) == []
    edit(valid_root / TXT, "jeudi", "Jeudi")
    assert {"T006", "T009"} <= codes(check(valid_root, cache))


def test_deleted_and_restored_raw_text(valid_root, cache):
    assert check(valid_root, cache) == []
    saved = (valid_root / TXT).read_bytes()
    (valid_root / TXT).unlink()
    assert codes(check(valid_root, cache)) == {"T001"}
    (valid_root / TXT).write_bytes(saved)
    assert check(valid_root, cache) == []


def test_kb_id_removed_or_retyped_invalidates(valid_root, cache):
    assert check(valid_root, cache) == []
    kb = valid_root / KB
    saved = kb.read_text(encoding="utf-8")
    edit(kb, "  - id: pentagone\n    type: ORG", "  - id: pentagone\n    type: GPE")
    assert codes(check(valid_root, cache)) == {"R008"}
    kb.write_text(saved.replace("id: bakou", "id: baku"), encoding="utf-8")
    assert codes(check(valid_root, cache)) == {"R003", "C007"}  # bakou dangles; baku is linked to by nothing


def test_kb_broken_then_fixed(valid_root, cache):
    assert check(valid_root, cache) == []
    kb = valid_root / KB
    saved = kb.read_text(encoding="utf-8")
    kb.write_text(saved.replace("schema_version: 1", "schema_version: 2"), encoding="utf-8")
    broken = check(valid_root, cache)
    assert codes(broken) == {"S002"}  # kb links are not checked while kb.yaml is broken
    kb.write_text(saved.replace("id: bakou", "id: baku"), encoding="utf-8")
    assert codes(check(valid_root, cache)) == {"R003", "C007"}  # bakou dangles; baku is linked to by nothing


def test_kb_change_reuses_parsed_data(valid_root, cache, monkeypatch):
    assert check(valid_root, cache) == []
    edit(valid_root / KB, "events:\n", "  - {id: new-entity, type: ORG, name: New, aliases: [], wikidata: null}\n"
                                        "events:\n")
    parses = Parses(monkeypatch)
    # the new entry is linked to by no document (C007), and nothing else changed
    assert [d.code for d in validate_corpus(valid_root, cache_dir=cache).diagnostics] == ["C007"]
    assert parses.documents() == []  # diagnostics recomputed from the cached parse


def test_validator_fingerprint_change_invalidates(valid_root, cache, monkeypatch):
    assert check(valid_root, cache) == []
    key = (V.CACHE_VERSION, V.DEFAULT)
    parse_fp, check_fp = V.fingerprints()
    monkeypatch.setitem(V._FINGERPRINTS, key, (parse_fp + "-new", check_fp + "-new"))
    parses = Parses(monkeypatch)
    assert full(validate_corpus(valid_root, cache_dir=cache).diagnostics) == []
    assert parses.documents() == [ANN]


def test_fingerprint_covers_sources_and_limits():
    assert V.fingerprints(Limits()) == V.fingerprints(Limits())
    assert V.fingerprints(Limits(max_spans=10))[0] != V.fingerprints(Limits())[0]
    assert V.fingerprints(Limits(max_spans=10))[1] != V.fingerprints(Limits())[1]
    assert "validate" in V._CHECK_SOURCES and "corpus" in V._CHECK_SOURCES and "io.py" in V._PARSE_SOURCES


def test_limits_are_part_of_the_key(valid_root, cache):
    assert check(valid_root, cache) == []
    small = Limits(max_spans=3)
    assert codes(check(valid_root, cache, limits=small)) == {"Y009"}
    assert check(valid_root, cache) == []


def test_renamed_file_is_checked_under_its_new_name(valid_root, cache):
    assert check(valid_root, cache) == []
    (valid_root / ANN).rename(valid_root / "annotations" / "sample-doc-2.yaml")
    diags = check(valid_root, cache)
    # and splits.yaml now names a document that has no file, and misses the new one
    assert codes(diags) == {"R005", "T001", "C002", "C004"}


def test_renamed_file_with_no_text_is_reported_under_its_new_name(valid_root, cache):
    """A file name that is not a document id reads no text: only the name tells the entries apart."""
    (valid_root / ANN).rename(valid_root / "annotations" / "Bad_Name.yaml")
    first = check(valid_root, cache)
    assert {(d[0], d[4]) for d in first} >= {("annotations/Bad_Name.yaml", "R006")}
    (valid_root / "annotations" / "Bad_Name.yaml").rename(valid_root / "annotations" / "Other_Name.yaml")
    second = check(valid_root, cache)
    assert {d[0] for d in second} - {"splits.yaml"} == {"annotations/Other_Name.yaml"}


@pytest.mark.parametrize("damage", ["garbage", "truncate", "swap", "bad-shape", "empty", "flipped"])
def test_damaged_entries_are_ignored_and_rewritten(valid_root, cache, damage, monkeypatch):
    edit(valid_root / ANN, "start: 140, end: 147", "start: 141, end: 147")  # a file with a diagnostic
    expected = check(valid_root, cache)
    assert codes(expected) == {"T009"}
    packs = sorted(cache.rglob("*.pack"))
    # one pack each: the file's parsed data, its diagnostics, kb.yaml's check
    assert sorted(p.parent.name for p in packs) == ["diagnostics", "diagnostics", "parse"]
    blobs = {p: p.read_bytes() for p in packs}
    for p, blob in blobs.items():
        if damage == "garbage":
            p.write_text("{not json", encoding="utf-8")
        elif damage == "truncate":
            p.write_bytes(blob[: len(blob) // 2])
        elif damage == "swap":  # each file holds another's (well-formed) pack
            other = next(q for q in blobs if q.parent.name != p.parent.name)
            p.write_bytes(blobs[other])
        elif damage == "bad-shape":  # well-formed entries whose diagnostics are not lists of 7 fields
            if p.parent.name == "diagnostics":
                magic, size, rest = blob.split(b"\n", 2)
                index = V.cache.json.loads(rest[: int(size)])
                payload = b'[["x", 1]]'
                head = V.cache.json.dumps([[key, 0, len(payload), V.cache.entry_digest(key, payload)]
                                           for key, *_ in index[:1]]).encode()
                p.write_bytes(magic + b"\n%d\n" % len(head) + head + payload)
        elif damage == "flipped":
            p.write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
        else:
            p.write_bytes(b"")
    V.cache.PROCESS_CACHES.clear()  # as a new process: only the files
    assert full(validate_corpus(valid_root, cache_dir=cache).diagnostics) == expected
    V.cache.PROCESS_CACHES.clear()
    parses = Parses(monkeypatch)
    assert full(validate_corpus(valid_root, cache_dir=cache).diagnostics) == expected
    assert parses.documents() == []  # the unusable entries were written again: the next run is warm


def test_data_json_would_change_is_not_cached(valid_root, cache):
    """An unquoted date is a datetime.date for YAML; JSON cannot keep it (it used to crash)."""
    edit(valid_root / ANN, 'title: "Bakou : les chefs militaires se parlent"', "title: 2017-02-16")
    diags = check(valid_root, cache)
    assert codes(diags) == {"S001"}
    assert check(valid_root, cache) == diags
    assert (cache / "diagnostics").is_dir() and not (cache / "parse").exists()  # no parse entry for that file


def test_allowlist_applies_to_cached_diagnostics(valid_root, cache):
    # "Bakou" annotated at 12, left bare at 113: warning W001, subject Bakou@113
    edit(valid_root / ANN, "      - {start: 113, end: 118, text: Bakou, kind: NAM}\n", "")
    diags = check(valid_root, cache)
    assert [(d[4], d[6]) for d in diags] == [("W001", "Bakou@113")]
    allow = valid_root / "annotations" / "allowlist.yaml"
    allow.write_text('allow:\n  - {doc: sample-doc, code: W001, subject: "Bakou@113", reason: "test"}\n',
                     encoding="utf-8")
    report = validate_corpus(valid_root, cache_dir=cache)
    assert report.diagnostics == [] and report.allowlisted == 1
    allow.unlink()
    assert [(d[4], d[6]) for d in check(valid_root, cache)] == [("W001", "Bakou@113")]


def test_parallel_workers_share_the_cache(tmp_path, cache):
    root = tmp_path / "root"
    shutil.copytree(Path(__file__).parent / "data" / "valid_root", root)
    for i in range(3):
        doc = f"sample-doc-{i}"
        text = (root / ANN).read_text(encoding="utf-8").replace("id: sample-doc", f"id: {doc}")
        (root / "annotations" / f"{doc}.yaml").write_text(text, encoding="utf-8")
        shutil.copyfile(root / TXT, root / "corpus" / f"{doc}.txt")
    edit(root / "annotations" / "sample-doc-1.yaml", "start: 140, end: 147", "start: 141, end: 147")
    cold = full(validate_corpus(root).diagnostics)
    assert full(validate_corpus(root, jobs=2, cache_dir=cache).diagnostics) == cold
    assert full(validate_corpus(root, jobs=2, cache_dir=cache).diagnostics) == cold
    assert full(validate_corpus(root, jobs=1, cache_dir=cache).diagnostics) == cold

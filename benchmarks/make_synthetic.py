"""Write a synthetic MilContacts-FR corpus of N documents, for benchmarks.

    python benchmarks/make_synthetic.py N OUT [--seed S] [--force]

OUT becomes a corpus root (``annotations/*.yaml``, ``annotations/kb.yaml``,
``corpus/*.txt``, ``splits.yaml``) that ``milcontacts validate OUT`` accepts
with 0 errors.  Generate it outside the repository (e.g. under /tmp).

How documents are made.  The real documents of the repository are the
templates: for each text in ``corpus/``, the most complete annotation of it
(``annotations/<id>.yaml`` or one of the independent passes in
``annotations/passes/*/``, whichever has the most spans and validates) is
used, so sizes and layer counts are those of real files (annotation files
of 17-36 KB, texts of 2.3-6.5 KB, 40-200 spans).  Synthetic document ``i``
takes template ``i mod T`` and varies it deterministically with a
``random.Random`` seeded by ``(seed, i)``:

* a boilerplate zone of varying length is put before the text, and one or
  two more between zones (at places no span crosses), so the text, its
  sha256 and every offset differ from the template and from each other;
* all zones are renumbered, every offset is shifted, every span keeps
  ``text == raw[start:end]``;
* the document id is ``<template id>-s<i>`` and the split is the template's
  (documents of one story stay in one split, as in the real corpus).

Boilerplate zones hold no annotation and are exempt from the consistency
warnings, so a synthetic file has exactly the template's warnings (none for
the shipped templates).  The output depends only on N, the seed and the
templates: the same command writes the same bytes.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import random
import shutil
import sys
import unicodedata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

import yaml  # noqa: E402

from milcontacts import io as yio  # noqa: E402
from milcontacts.validate import KB, check_document, iter_spans, load_kb  # noqa: E402

DEFAULT_SEED = 7

# Neutral page furniture (no names: nothing here may look like an entity).
_WORDS = (
    "Partager", "Imprimer", "Envoyer", "Lire aussi", "Abonnez-vous", "Newsletter",
    "Publicité", "Accueil", "Rubrique", "Archives", "Mentions légales", "Contact",
    "Plan du site", "Recevoir les alertes", "Commenter", "Réagir", "Voir plus",
    "Article suivant", "Article précédent", "Mis à jour", "Taille du texte",
    "Votre avis", "Nous suivre", "Fil info", "En continu", "Vidéos", "Photos",
    "Services", "Se connecter", "Créer un compte", "Offre numérique", "Édition du jour",
)


# --------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------

def _load(path: Path) -> Any:
    with open(path, "rb") as fh:
        return yaml.load(fh, Loader=yio._BaseLoader)


def merged_kb(repo: Path) -> dict[str, Any]:
    """annotations/kb.yaml, plus any id only the passes' kb files define."""
    main = _load(repo / "annotations" / "kb.yaml")
    for extra in sorted((repo / "annotations" / "passes").glob("*/kb.yaml")):
        data = _load(extra)
        for layer in ("entities", "events"):
            have = {item["id"] for item in main[layer]}
            main[layer].extend(item for item in data.get(layer) or [] if item["id"] not in have)
    return main


def _kb_of(kb_data: dict[str, Any]) -> KB:
    return KB({e["id"]: e["type"] for e in kb_data["entities"]},
              {e["id"]: e["type"] for e in kb_data["events"]})


def templates(repo: Path, kb_data: dict[str, Any]) -> list[tuple[dict[str, Any], str, str]]:
    """(annotation data, raw text, split) of each real document, most complete version first."""
    kb = _kb_of(kb_data)
    split_of: dict[str, str] = {}
    splits = _load(repo / "splits.yaml").get("splits") or {}
    for name, ids in splits.items():
        for doc_id in ids or []:
            split_of[doc_id] = name
    out = []
    for txt in sorted((repo / "corpus").glob("*.txt")):
        doc_id = txt.stem
        raw = txt.read_bytes().decode("utf-8")
        candidates = [repo / "annotations" / f"{doc_id}.yaml"]
        candidates += sorted((repo / "annotations" / "passes").glob(f"*/{doc_id}.yaml"))
        best: tuple[int, dict[str, Any]] | None = None
        for path in candidates:
            if not path.is_file():
                continue
            data = _load(path)
            diags = check_document(data, raw, str(path), lambda p: (1, 1), kb, doc_id)
            if any(d.severity == "error" for d in diags) or not data.get("zones"):
                continue
            n = sum(1 for _ in iter_spans(data))
            if best is None or n > best[0]:
                best = (n, data)
        if best is not None:
            out.append((best[1], raw, split_of.get(doc_id, "train")))
    if not out:
        raise SystemExit(f"no valid template document under {repo}")
    return out


# --------------------------------------------------------------------------
# One synthetic document
# --------------------------------------------------------------------------

def _furniture(rng: random.Random, i: int, words: int) -> str:
    parts = [f"Réf. MC-{i:06d}"] + [rng.choice(_WORDS) for _ in range(words)]
    return unicodedata.normalize("NFC", " · ".join(parts))


def _all_spans(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [span for _, span in iter_spans(data)]


def make_document(template: dict[str, Any], raw: str, i: int, seed: int) -> tuple[dict[str, Any], str]:
    """Synthetic document ``i`` made from ``template`` (a deep copy is changed)."""
    rng = random.Random(f"milcontacts-synthetic:{seed}:{i}")
    data = copy.deepcopy(template)
    spans = _all_spans(data)
    zones = data["zones"]
    # Insertion points: before the first zone, and after zones no span crosses.
    free = [z["end"] for z in zones[:-1]
            if not any(s["start"] < z["end"] < s["end"] for s in spans)]
    inserts: list[tuple[int, str]] = [(0, _furniture(rng, i, rng.randint(2, 14)) + "\n\n")]
    for pos in sorted(rng.sample(free, min(len(free), rng.randint(1, 2)))):
        inserts.append((pos, "\n" + _furniture(rng, i, rng.randint(1, 8))))
    # New text and the zones of the inserted furniture (in new offsets).
    pieces, new_zones, prev, shift = [], [], 0, 0
    for pos, piece in inserts:
        pieces.append(raw[prev:pos])
        body = piece.strip("\n")
        start = pos + shift + piece.index(body)
        new_zones.append({"id": "", "type": "boilerplate", "start": start, "end": start + len(body), "text": body})
        pieces.append(piece)
        shift += len(piece)
        prev = pos
    pieces.append(raw[prev:])
    text = "".join(pieces)

    def moved(offset: int, is_end: bool) -> int:
        return offset + sum(len(p) for pos, p in inserts if (pos < offset if is_end else pos <= offset))

    for span in spans:
        span["start"], span["end"] = moved(span["start"], False), moved(span["end"], True)
        assert text[span["start"]:span["end"]] == span["text"], (i, span)
    zones = sorted(zones + new_zones, key=lambda z: z["start"])
    for n, z in enumerate(zones, 1):
        z["id"] = f"z{n}"
    data["zones"] = zones

    doc = data["document"]
    doc_id = f"{doc['id']}-s{i:05d}"
    doc["id"] = doc_id
    doc["text_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return data, text


# --------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------

def generate(n: int, out: Path, seed: int = DEFAULT_SEED, repo: Path = REPO, force: bool = False) -> dict[str, Any]:
    """Write ``n`` synthetic documents under ``out``; returns a small summary."""
    out = Path(out)
    if (out / "annotations").exists() or (out / "corpus").exists():
        if not force:
            raise SystemExit(f"{out} already holds a corpus; pass --force to replace it")
        shutil.rmtree(out / "annotations", ignore_errors=True)
        shutil.rmtree(out / "corpus", ignore_errors=True)
    (out / "annotations").mkdir(parents=True)
    (out / "corpus").mkdir(parents=True)
    kb_data = merged_kb(repo)
    tpls = templates(repo, kb_data)
    (out / "annotations" / "kb.yaml").write_text(
        yio.dump_yaml(kb_data, header="Synthetic corpus: kb.yaml of the repository (with the passes' ids)"),
        encoding="utf-8")
    splits: dict[str, list[str]] = {"train": [], "validation": [], "test": []}
    ann_bytes = txt_bytes = 0
    for i in range(n):
        template, raw, split = tpls[i % len(tpls)]
        data, text = make_document(template, raw, i, seed)
        doc_id = data["document"]["id"]
        header = f"Synthetic benchmark document {i} (seed {seed}), made from {template['document']['id']}"
        ann = yio.dump_yaml(data, header=header).encode("utf-8")
        txt = text.encode("utf-8")
        (out / "annotations" / f"{doc_id}.yaml").write_bytes(ann)
        (out / "corpus" / f"{doc_id}.txt").write_bytes(txt)
        splits.setdefault(split, []).append(doc_id)
        ann_bytes += len(ann)
        txt_bytes += len(txt)
    (out / "splits.yaml").write_text(
        "# Synthetic corpus: each document is in the split of its template.\n"
        + yio.dump_yaml({"splits": {k: v for k, v in splits.items()}}), encoding="utf-8")
    return {"documents": n, "templates": len(tpls), "seed": seed,
            "mean_annotation_bytes": ann_bytes / max(n, 1), "mean_text_bytes": txt_bytes / max(n, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("out", type=Path, help="output corpus root (created)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="replace an existing corpus under OUT")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    summary = generate(args.n, args.out, args.seed, force=args.force)
    print(f"{summary['documents']} documents from {summary['templates']} templates under {args.out} "
          f"(seed {summary['seed']}; mean annotation file {summary['mean_annotation_bytes'] / 1024:.1f} KB, "
          f"mean text {summary['mean_text_bytes'] / 1024:.1f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

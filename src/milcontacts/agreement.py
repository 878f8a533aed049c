"""Inter-annotator agreement between two annotation passes.

``milcontacts agreement DIR_A DIR_B`` compares the files with the same name in
two folders (one pass each) layer by layer:

* **span layers** (name mentions, timexes, event triggers, attribution cues,
  attribution contents, event arguments) — pairwise F1: with one pass taken as
  reference, precision and recall swap, so F1 = 2·|A∩B| / (|A|+|B|) is the
  symmetric figure (Hripcsak & Rothschild 2005);
  reported both for the exact span and for span + label;
* **labels on matched spans** — Cohen's kappa (scikit-learn's implementation)
  for entity type, event type, modality and attribution type, computed on the
  items both passes marked with the same span; raw agreement beside it;
* **timex values** — accuracy of the normalised value on span-matched timexes.

Kappa is only meaningful on matched items (there is no "not an entity"
category to count chance agreement on for unmatched spans), which is why it
stands beside the F1 and does not replace it.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from . import checks
from . import io as yio
from .corpus.layout import NOT_DOCUMENTS, text_path
from .diagnostics import EXIT_INVALID, EXIT_OK, EXIT_USAGE, line
from .limits import DEFAULT
from .spans import items, iter_spans, matches, span_key

Key = tuple  # a hashable description of an annotated item


@dataclass
class SpanAgreement:
    """Agreement on one span layer."""

    a: int = 0
    b: int = 0
    matched: int = 0

    @property
    def f1(self) -> float:
        return 2 * self.matched / (self.a + self.b) if (self.a + self.b) else 1.0

    def add(self, other: "SpanAgreement") -> None:
        self.a += other.a
        self.b += other.b
        self.matched += other.matched

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "matched": self.matched, "f1": round(self.f1, 4)}


@dataclass
class LabelAgreement:
    """Agreement on a label over items both passes have."""

    pairs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def observed(self) -> float:
        return sum(x == y for x, y in self.pairs) / len(self.pairs) if self.pairs else 1.0

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa; None when undefined (fewer than 2 items or one label only)."""
        if len(self.pairs) < 2:
            return None
        labels = {x for p in self.pairs for x in p}
        if len(labels) < 2:
            return None  # perfect agreement on a single category: kappa is 0/0
        from sklearn.metrics import cohen_kappa_score

        a, b = zip(*self.pairs)
        return float(cohen_kappa_score(list(a), list(b)))

    def to_json(self) -> dict[str, Any]:
        k = self.kappa
        return {"n": len(self.pairs), "observed": round(self.observed, 4),
                "kappa": None if k is None else round(k, 4)}


def _span(d: Any) -> tuple[int, int] | None:
    return span_key(d)


def _list(data: dict, key: str) -> list[dict]:
    return [item for _, item in items(data, key)]


# --------------------------------------------------------------------------
# Items of each layer, as {span key: label}
# --------------------------------------------------------------------------

def names(data: dict) -> dict[Key, str]:
    return {_span(m): e.get("type") for e in _list(data, "entities") for m in _list(e, "mentions")
            if m.get("kind") == "NAM" and _span(m)}


def mentions_all(data: dict) -> dict[Key, str]:
    return {_span(m): m.get("kind") for e in _list(data, "entities") for m in _list(e, "mentions") if _span(m)}


def timexes(data: dict) -> dict[Key, str]:
    return {_span(t): t.get("type") for t in _list(data, "timexes") if _span(t)}


def timex_values(data: dict) -> dict[Key, str]:
    return {_span(t): str(t.get("value")) for t in _list(data, "timexes") if _span(t)}


def triggers(data: dict) -> dict[Key, str]:
    return {_span(v.get("trigger")): v.get("type") for v in _list(data, "events") if _span(v.get("trigger"))}


def modalities(data: dict) -> dict[Key, str]:
    return {_span(v.get("trigger")): v.get("modality") for v in _list(data, "events") if _span(v.get("trigger"))}


def cues(data: dict) -> dict[Key, str]:
    return {_span(a.get("cue")): a.get("type") for a in _list(data, "attributions") if _span(a.get("cue"))}


def contents(data: dict) -> dict[Key, str]:
    return {_span(c): "content" for a in _list(data, "attributions") for c in _list(a, "content") if _span(c)}


def _referent_spans(data: dict) -> dict[str, frozenset]:
    """Entity or timex id -> the set of its mention spans (what a ref means)."""
    out: dict[str, frozenset] = {}
    for e in _list(data, "entities"):
        out[str(e.get("id"))] = frozenset(s for s in (_span(m) for m in _list(e, "mentions")) if s)
    for t in _list(data, "timexes"):
        if _span(t):
            out[str(t.get("id"))] = frozenset([_span(t)])
    return out


def arguments(data: dict) -> list[tuple[Key, str, frozenset]]:
    """(trigger span, role, spans the argument can be recognised by)."""
    ref = _referent_spans(data)
    out = []
    for v in _list(data, "events"):
        trig = _span(v.get("trigger"))
        for arg in _list(v, "arguments"):
            spans = ref.get(str(arg.get("ref")), frozenset()) if "ref" in arg else frozenset([_span(arg)])
            out.append((trig, str(arg.get("role")), spans))
    return out


def sources(data: dict) -> list[tuple[Key, frozenset]]:
    """(cue span, spans the source can be recognised by)."""
    ref = _referent_spans(data)
    out = []
    for a in _list(data, "attributions"):
        src = a.get("source")
        spans = ref.get(str(src.get("ref")), frozenset()) if isinstance(src, dict) and "ref" in src else frozenset([_span(src)])
        out.append((_span(a.get("cue")), spans))
    return out


def _match_sets(a: list, b: list, same: Callable[[Any, Any], bool]) -> int:
    """Greedy one-to-one matching count (items are few per document)."""
    used = [False] * len(b)
    n = 0
    for x in a:
        for j, y in enumerate(b):
            if not used[j] and same(x, y):
                used[j] = True
                n += 1
                break
    return n


# --------------------------------------------------------------------------
# Comparing two passes
# --------------------------------------------------------------------------

SPAN_LAYERS: dict[str, Callable[[dict], dict[Key, str]]] = {
    "names": names,
    "mentions_all_kinds": mentions_all,
    "timexes": timexes,
    "event_triggers": triggers,
    "attribution_cues": cues,
    "attribution_contents": contents,
}
LABELS: dict[str, tuple[Callable[[dict], dict[Key, str]], str]] = {
    "entity_type": (names, "names"),
    "mention_kind": (mentions_all, "mentions_all_kinds"),
    "timex_type": (timexes, "timexes"),
    "timex_value": (timex_values, "timexes"),
    "event_type": (triggers, "event_triggers"),
    "event_modality": (modalities, "event_triggers"),
    "attribution_type": (cues, "attribution_cues"),
}


@dataclass
class Result:
    """Agreement of two passes over some documents."""

    documents: list[str] = field(default_factory=list)
    spans: dict[str, SpanAgreement] = field(default_factory=dict)
    labelled: dict[str, SpanAgreement] = field(default_factory=dict)
    labels: dict[str, LabelAgreement] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "span_f1": {k: v.to_json() for k, v in self.spans.items()},
            "span_and_label_f1": {k: v.to_json() for k, v in self.labelled.items()},
            "labels_on_matched_spans": {k: v.to_json() for k, v in self.labels.items()},
        }


def compare(a: dict, b: dict) -> Result:
    """Agreement between two annotations of the same text."""
    res = Result()
    for layer, get in SPAN_LAYERS.items():
        ia, ib = get(a), get(b)
        common = set(ia) & set(ib)
        res.spans[layer] = SpanAgreement(len(ia), len(ib), len(common))
        res.labelled[layer] = SpanAgreement(len(ia), len(ib), sum(ia[k] == ib[k] for k in common))
    for name, (get, _) in LABELS.items():
        ia, ib = get(a), get(b)
        res.labels[name] = LabelAgreement([(str(ia[k]), str(ib[k])) for k in sorted(set(ia) & set(ib))])
    args_a, args_b = arguments(a), arguments(b)
    res.spans["event_arguments"] = SpanAgreement(len(args_a), len(args_b), _match_sets(
        args_a, args_b, lambda x, y: x[0] == y[0] and x[1] == y[1] and bool(x[2] & y[2])))
    src_a, src_b = sources(a), sources(b)
    res.spans["attribution_sources"] = SpanAgreement(len(src_a), len(src_b), _match_sets(
        src_a, src_b, lambda x, y: x[0] == y[0] and bool(x[1] & y[1])))
    return res


def merge(results: Iterable[tuple[str, Result]]) -> Result:
    total = Result()
    for doc_id, r in results:
        total.documents.append(doc_id)
        for table, source in ((total.spans, r.spans), (total.labelled, r.labelled)):
            for k, v in source.items():
                table.setdefault(k, SpanAgreement()).add(v)
        for k, v in r.labels.items():
            total.labels.setdefault(k, LabelAgreement()).pairs.extend(v.pairs)
    return total


def pass_files(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(Path(folder).glob("*.yaml")) if p.name not in NOT_DOCUMENTS}


def agreement(dir_a: Path, dir_b: Path, root: Path | None = None) -> tuple[Result, dict[str, Result], list[str]]:
    """(overall, per document, problems) for two pass folders.

    With ``root`` (a corpus root), every span of both passes must match the raw
    text ``root/corpus/<doc_id>.txt``: a pass whose offsets drifted would
    otherwise be compared as if it disagreed.
    """
    fa, fb = pass_files(dir_a), pass_files(dir_b)
    problems = [f"{d}: only in {dir_a}" for d in sorted(set(fa) - set(fb))]
    problems += [f"{d}: only in {dir_b}" for d in sorted(set(fb) - set(fa))]
    per_doc: dict[str, Result] = {}
    for doc_id in sorted(set(fa) & set(fb)):
        la, lb = yio.load_yaml(fa[doc_id], str(fa[doc_id])), yio.load_yaml(fb[doc_id], str(fb[doc_id]))
        bad = [d for d in la.diagnostics + lb.diagnostics if d.severity == "error"]
        if bad or not isinstance(la.data, dict) or not isinstance(lb.data, dict):
            problems += [line(d) for d in bad] or [f"{doc_id}: not an annotation file"]
            continue
        if root is not None:
            drifted = _spans_off_text(Path(root), doc_id, [la, lb])
            if drifted:
                problems += drifted
                continue
        per_doc[doc_id] = compare(la.data, lb.data)
    return merge(per_doc.items()), per_doc, problems


def _spans_off_text(root: Path, doc_id: str, passes: list[yio.Loaded]) -> list[str]:
    """A problem per span of ``passes`` that does not match the raw text of ``doc_id`` in ``root``."""
    display = f"corpus/{doc_id}.txt"
    raw, problem = yio.read_bytes(text_path(root, doc_id), display, DEFAULT.max_text_bytes)
    text = None
    if problem is None and raw is not None:
        text, problem = yio.decode_utf8(raw, display, "the text")
    if problem is not None or text is None:
        return [line(problem)] if problem is not None else [f"{display}: cannot be read"]
    out = []
    for loaded in passes:
        for path, span in iter_spans(loaded.data):
            if not matches(text, span):
                lno, col = yio.locate(loaded.root, path)
                actual = text[span["start"]:span["end"]]
                out.append(line(checks.make("T009", loaded.path, lno, col, text=span["text"], start=span["start"],
                                            end=span["end"], actual=actual,
                                            hint=f" (the raw text is {display})")))
    return out


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def render_text(res: Result) -> str:
    lines = [f"Agreement over {len(res.documents)} document(s)", "",
             f"{'layer':24} {'A':>5} {'B':>5} {'both':>5} {'span F1':>8} {'+label F1':>10}"]
    for k, v in res.spans.items():
        lab = res.labelled.get(k)
        lines.append(f"{k:24} {v.a:5d} {v.b:5d} {v.matched:5d} {v.f1:8.3f} {_fmt(lab.f1) if lab else '':>10}")
    lines += ["", f"{'label (on matched spans)':24} {'n':>5} {'agree':>6} {'kappa':>7}"]
    for k, v in res.labels.items():
        lines.append(f"{k:24} {len(v.pairs):5d} {v.observed:6.3f} {_fmt(v.kappa):>7}")
    return "\n".join(lines) + "\n"


def render_markdown(res: Result, command: str) -> str:
    """The agreement table of DATACARD.md."""
    lines = [f"Computed by `{command}` over {len(res.documents)} documents.", "",
             "| layer | pass A | pass B | in both | span F1 | span+label F1 |", "|---|---:|---:|---:|---:|---:|"]
    for k, v in res.spans.items():
        lab = res.labelled.get(k)
        lines.append(f"| {k} | {v.a} | {v.b} | {v.matched} | {v.f1:.3f} | {_fmt(lab.f1) if lab else '–'} |")
    lines += ["", "| label, on spans both passes marked | n | observed agreement | Cohen's kappa |", "|---|---:|---:|---:|"]
    for k, v in res.labels.items():
        lines.append(f"| {k} | {len(v.pairs)} | {v.observed:.3f} | {_fmt(v.kappa)} |")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    for d in (args.dir_a, args.dir_b):
        if not Path(d).is_dir():
            print(f"milcontacts agreement: {d} is not a folder", file=sys.stderr)
            return EXIT_USAGE
    if args.root is not None and not (Path(args.root) / "corpus").is_dir():
        print(f"milcontacts agreement: --root {args.root} has no corpus/ folder", file=sys.stderr)
        return EXIT_USAGE
    total, per_doc, problems = agreement(args.dir_a, args.dir_b, args.root)
    for p in problems:
        print(p, file=sys.stderr)
    if args.format == "json":
        json.dump({"overall": total.to_json(), "per_document": {k: v.to_json() for k, v in per_doc.items()},
                   "problems": problems}, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(total))
    return EXIT_INVALID if problems else EXIT_OK

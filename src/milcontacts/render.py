"""``milcontacts render DOC_ID --out FILE.html``: one self-contained review page.

The page shows the raw text zone by zone with every layer on it: entity
mentions coloured by type (dashed for NOM/PRO), time expressions underlined,
event triggers boxed, attribution cues, sources and contents marked; hovering
any piece shows its details (``title``) and lights up the other pieces of the
same annotation. A side list names every annotation, so a reviewer (or a
test) can check that nothing is missing. No external resource is loaded.

Overlapping spans are drawn by cutting the text at every span boundary: each
piece is one ``<span class="seg">`` carrying the ids of all the annotations
that cover it (``data-ann``).
"""

from __future__ import annotations

import argparse
import html
import sys
from dataclasses import dataclass
from pathlib import Path

from . import io as yio
from .model import Document, InvalidCorpus, load_document
from .diagnostics import EXIT_INVALID, EXIT_OK, refuse, write

TYPE_COLOURS = {
    "PER": "#f4a3a3", "ORG": "#a3c8f4", "GPE": "#a8e6a3", "LOC": "#d5f4a3",
    "FAC": "#f4d8a3", "NORP": "#e2b8f4", "EVENT": "#f4f0a3", "MISC": "#c8c8c8",
}


@dataclass(frozen=True)
class Mark:
    """One annotation piece to draw: an id, CSS classes, a tooltip."""

    ann_id: str
    start: int
    end: int
    classes: str
    tip: str


def marks(doc: Document) -> list[Mark]:
    """Every drawable annotation span of a document."""
    out: list[Mark] = []
    for e in doc.entities:
        for i, m in enumerate(e.mentions):
            out.append(Mark(f"{e.id}.{i}", m.start, m.end, f"ent ent-{e.type} kind-{m.kind}",
                            f"{e.id} {e.type} {m.kind} kb={e.kb or '-'}: {m.text}"))
    for t in doc.timexes:
        mod = f" mod={t.mod}" if t.mod else ""
        out.append(Mark(t.id, t.start, t.end, "timex", f"{t.id} {t.type} value={t.value}{mod}: {t.text}"))
    for v in doc.events:
        args = "; ".join(f"{a.role}={a.ref or (a.span.text if a.span else '')}" for a in v.arguments)
        out.append(Mark(v.id, v.trigger.start, v.trigger.end, "trigger",
                        f"{v.id} {v.type} ({v.modality}) kb={v.kb or '-'} [{args}]"))
        for j, a in enumerate(v.arguments):
            if a.span is not None:
                out.append(Mark(f"{v.id}.arg{j}", a.span.start, a.span.end, "argspan", f"{v.id} {a.role}: {a.span.text}"))
    for a in doc.attributions:
        src = a.source_ref or (a.source_span.text if a.source_span else "?")
        nested = f" nested in {a.nested_in}" if a.nested_in else ""
        out.append(Mark(f"{a.id}.cue", a.cue.start, a.cue.end, "cue", f"{a.id} cue ({a.type}) source={src}{nested}"))
        if a.source_span is not None:
            out.append(Mark(f"{a.id}.source", a.source_span.start, a.source_span.end, "source", f"{a.id} source"))
        for j, c in enumerate(a.content):
            out.append(Mark(f"{a.id}.content{j}", c.start, c.end, "content", f"{a.id} content ({a.type}) source={src}"))
    return out


def _segments(start: int, end: int, ms: list[Mark]) -> list[tuple[int, int, list[Mark]]]:
    inside = [m for m in ms if m.start < end and m.end > start]
    cuts = sorted({start, end} | {max(start, min(end, p)) for m in inside for p in (m.start, m.end)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a < b:
            out.append((a, b, [m for m in inside if m.start <= a and m.end >= b]))
    return out


CSS = """
body{font-family:system-ui,sans-serif;margin:0;display:flex;gap:1rem}
main{flex:3;padding:1rem;max-width:60rem}
aside{flex:1;padding:1rem;background:#fafafa;border-left:1px solid #ddd;font-size:.8rem;max-height:100vh;overflow:auto}
.zone{white-space:pre-wrap;margin:.4rem 0;padding:.3rem .5rem;border-left:4px solid #ccc;line-height:1.9}
.zone::before{content:attr(data-type);display:block;font-size:.65rem;color:#777;text-transform:uppercase;line-height:1}
.zone-boilerplate{color:#999;background:#f3f3f3}.zone-comments{background:#fffdf0}.zone-teaser{background:#f0f6ff}
.zone-headline{font-weight:bold}
.seg.ent{border-radius:3px}.seg.kind-NOM,.seg.kind-PRO{outline:1px dashed #555}
.seg.timex{border-bottom:2px solid #0a7}.seg.trigger{outline:2px solid #c20;font-weight:bold}
.seg.cue{background:#ffe066 !important}.seg.content{text-decoration:underline dotted #960}
.seg.source{outline:2px solid #960}.seg.argspan{text-decoration:underline wavy #c20}
.seg.hot{box-shadow:0 0 0 2px #000}
table{border-collapse:collapse}td{padding:0 .4rem;vertical-align:top}
.legend span{padding:0 .3rem;margin-right:.3rem;border-radius:3px}
"""

JS = """
(function(){
  var segs = document.querySelectorAll('.seg');
  function light(ids, on){
    ids.forEach(function(id){
      document.querySelectorAll('[data-ann~="'+id+'"]').forEach(function(el){
        el.classList.toggle('hot', on);
      });
    });
  }
  segs.forEach(function(el){
    var ids = (el.getAttribute('data-ann') || '').split(' ').filter(Boolean);
    el.addEventListener('mouseenter', function(){ light(ids, true); });
    el.addEventListener('mouseleave', function(){ light(ids, false); });
  });
  document.body.setAttribute('data-ready', String(segs.length));
})();
"""


def render_html(doc: Document) -> str:
    """The review page of one document, as a string."""
    ms = marks(doc)
    by_id = {m.ann_id: m for m in ms}
    css_types = "".join(f".ent-{t}{{background:{c}}}" for t, c in TYPE_COLOURS.items())
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="fr"><head><meta charset="utf-8">',
             f"<title>{e(doc.id)} — MilContacts-FR</title>",
             f"<style>{CSS}{css_types}</style></head><body>", "<main>",
             f"<h1>{e(doc.meta.get('title') or doc.id)}</h1>",
             "<table class=\"meta\">"]
    for key in ("id", "publisher", "agency", "url", "published", "story", "truncated", "source_file"):
        value = doc.meta.get(key)
        if isinstance(value, dict):
            value = value.get("value")
        parts.append(f"<tr><td>{e(key)}</td><td>{e(str(value))}</td></tr>")
    parts.append(f"<tr><td>review</td><td>{e(str(doc.review.get('status')))} ({e(str(doc.review.get('passes')))} passes)</td></tr>")
    parts.append("</table>")
    parts.append('<p class="legend">' + "".join(f'<span class="ent-{t}">{t}</span>' for t in TYPE_COLOURS)
                 + '<span class="seg timex">timex</span><span class="seg trigger">event</span>'
                 + '<span class="seg cue">cue</span><span class="seg content">content</span></p>')
    pos = 0
    for z in doc.zones:
        if z.start > pos:
            parts.append(e(doc.text[pos:z.start]))
        # No separator inside a zone: its text is white-space: pre-wrap.
        inner = [f'<div class="zone zone-{e(z.type)}" data-type="{e(z.type)}" data-ann="{e(z.id)}">']
        for a, b, cover in _segments(z.start, z.end, ms):
            piece = e(doc.text[a:b])
            if not cover:
                inner.append(piece)
                continue
            classes = " ".join(sorted({c for m in cover for c in m.classes.split()}))
            ids = " ".join(m.ann_id for m in cover)
            tip = "\n".join(m.tip for m in cover)
            inner.append(f'<span class="seg {classes}" data-ann="{e(ids)}" title="{e(tip)}">{piece}</span>')
        inner.append("</div>")
        parts.append("".join(inner))
        pos = z.end
    if pos < len(doc.text):
        parts.append(e(doc.text[pos:]))
    parts.append("</main><aside><h2>Annotations</h2><ul>")
    for z in doc.zones:
        parts.append(f'<li data-item="{e(z.id)}">{e(z.id)} zone {e(z.type)} [{z.start}, {z.end})</li>')
    for ann_id, m in by_id.items():
        parts.append(f'<li data-item="{e(ann_id)}">{e(m.tip)} [{m.start}, {m.end})</li>')
    parts.append(f"</ul></aside><script>{JS}</script></body></html>")
    return "\n".join(parts) + "\n"


def run(args: argparse.Namespace) -> int:
    fmt: str = getattr(args, "format", "text")
    try:
        doc = load_document(args.root, args.doc_id)
    except InvalidCorpus as exc:
        if fmt == "text":  # the validator's lines under one heading, as always
            print(f"milcontacts render: {exc}", file=sys.stderr)
            return EXIT_INVALID
        return refuse(exc.diagnostics, 1, fmt, extra={"wrote": []})
    except FileNotFoundError as exc:  # the machine, not the input: no diagnostic to give
        print(f"milcontacts render: {exc.filename}: no such file", file=sys.stderr)
        return EXIT_INVALID
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    yio.write_atomic(out, render_html(doc))
    if fmt == "json":
        write([], 1, fmt, sys.stdout, extra={"wrote": [str(out)]})
    else:
        print(f"wrote {out}")
    return EXIT_OK
